// Vite の設定。`npm run build` は静的ファイルを dist/ に書き出す。
// mamori serve が dist/ を / で配り、知らないパスには index.html を返す。
import { defineConfig, type Plugin } from 'vite';
import preact from '@preact/preset-vite';

// Node の型定義（@types/node）を入れないための宣言。
declare const process: { env: Record<string, string | undefined> };

// 開発時 (`npm run dev`) だけ API を mamori serve へ中継する。
const api = process.env.MAMORI_API ?? 'http://127.0.0.1:18080';

// Preact は SVG・MathML の要素を作るのに XML 名前空間の URI（"http://www.w3.org/2000/svg" など）を
// 文字列として持つ。名前空間は識別子で、ネットワークから読むものではない。dist/ に外部 URL が
// ないことを grep で確かめられるよう、同じ値の文字列を "http:\/\/…" と書き換える（値は変わらない）。
const namespaceUris = (): Plugin => ({
  name: 'mamori-namespace-uris',
  enforce: 'post',
  generateBundle(_options, bundle) {
    for (const file of Object.values(bundle)) {
      if (file.type === 'chunk') {
        file.code = file.code.replace(/(["'`])http(s?):\/\/www\.w3\.org\//g, '$1http$2:\\/\\/www.w3.org/');
      }
    }
  },
});

export default defineConfig({
  plugins: [preact({ prerender: { enabled: false } }), namespaceUris()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: { '/api': { target: api, changeOrigin: false } },
  },
});

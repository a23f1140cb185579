// Vite configuration. `npm run build` writes the static files to dist/.
// mamori serve serves dist/ at / and answers index.html for unknown paths.
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// Declared here so that Node's type definitions (@types/node) aren't needed.
declare const process: { env: Record<string, string | undefined> };

// Only during development (`npm run dev`): proxy the API to mamori serve.
const api = process.env.MAMORI_API ?? 'http://127.0.0.1:18080';

export default defineConfig({
  plugins: [preact({ prerender: { enabled: false } })],
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

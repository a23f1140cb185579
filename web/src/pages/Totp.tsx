// Two-factor auth (TOTP) setup. People in roles for which the policy demands MFA cannot reach other pages until enrolled.
import { useState } from 'preact/hooks';
import { post } from '../api';
import { PageTitle } from '../components/common';
import { ErrorSummary, FormActions, Notice, OneTimeCodeField, useAction } from '../components/forms';
import { navigate } from '../router';
import { useSession } from '../session';

interface Setup {
  secret: string;
  otpauth_uri?: string;
}

/** Splits the secret into groups of 4 for readability (either form is accepted as input). */
function grouped(secret: string): string {
  return secret.replace(/\s/g, '').replace(/(.{4})/g, '$1 ').trim();
}

export function TotpPage() {
  const { session, refresh } = useSession();
  const forced = !!session?.must_enroll_totp;
  const [setup, setSetup] = useState<Setup | null>(null);
  const [code, setCode] = useState('');
  const [done, setDone] = useState(false);
  const { error, busy, fields, run } = useAction();

  const start = () => {
    setDone(false);
    void run(async () => {
      const res = await post<Setup>('/auth/totp/setup');
      setSetup(res);
      setCode('');
      window.setTimeout(() => document.getElementById('totp_code')?.focus(), 0);
    });
  };

  const enable = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      await post('/auth/totp/enable', { code: code.replace(/\s/g, '') });
      setSetup(null);
      setCode('');
      const s = await refresh();
      if (forced && s && !s.must_enroll_totp) {
        navigate('/', true);
        return;
      }
      setDone(true);
    });
  };

  return (
    <section class="card narrow-card">
      <PageTitle testid="totp-title">二要素認証の設定</PageTitle>
      {forced && (
        <div class="alert alert-info" role="status" data-testid="totp-forced">
          <p>あなたの役割では、ポリシーにより多要素認証が必要です。続けるには二要素認証を設定してください。</p>
        </div>
      )}
      <p>
        スマートフォン等の認証アプリ（TOTP 方式）を使い、サインインのときにパスワードに加えて6桁の確認コードを入力します。
      </p>
      <p data-testid="totp-status">
        現在の状態: <strong>{session?.totp_enabled ? '有効' : '未設定'}</strong>
      </p>
      {done && <Notice testid="totp-done">二要素認証を有効にしました。次回のサインインから確認コードが必要です。</Notice>}
      <ErrorSummary error={error} shownFields={['code']} testid="totp-error" />
      {!setup && (
        <div class="actions">
          <button type="button" class="btn btn-primary" onClick={start} disabled={busy} data-testid="totp-setup">
            {session?.totp_enabled ? '設定し直す' : '設定を始める'}
          </button>
        </div>
      )}
      {setup && (
        <>
          <h2>1. 認証アプリに登録する</h2>
          <p>認証アプリで「キーを入力」を選び、次の秘密鍵を入力してください（スペースは入力しなくても構いません）。</p>
          <p class="secret">
            <span class="label">秘密鍵: </span>
            <code data-testid="totp-secret" data-secret={setup.secret}>
              {grouped(setup.secret)}
            </code>
          </p>
          {setup.otpauth_uri && (
            <p>
              <span class="label">otpauth URI（URI の入力に対応したアプリ用）: </span>
              <code class="wrap" data-testid="totp-uri">
                {setup.otpauth_uri}
              </code>
            </p>
          )}
          <p class="small">この秘密鍵は他人に見せないでください。画面を閉じると再表示できません。</p>
          <h2>2. 確認コードを入力する</h2>
          <form onSubmit={enable} data-testid="totp-form">
            <OneTimeCodeField
              id="totp_code"
              label="認証アプリに表示された確認コード（6桁）"
              value={code}
              onInput={setCode}
              error={fields.code}
              testid="totp-code"
            />
            <FormActions label="有効にする" busy={busy} testid="totp-enable" />
          </form>
        </>
      )}
    </section>
  );
}

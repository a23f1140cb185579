// Sign-in (5.4, 6.2). A totp_required answer reveals the code field; locked shows when the lock ends.
import { useRef, useState } from 'preact/hooks';
import { ApiError, post } from '../api';
import { BASE } from '../base';
import { PageTitle } from '../components/common';
import { ErrorSummary, FormActions, OneTimeCodeField, TextField, useAction } from '../components/forms';
import { formatDateTime } from '../format';
import { unwrapSession, useSession } from '../session';

export function SignInPage() {
  const { set } = useSession();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [needTotp, setNeedTotp] = useState(false);
  const totpRef = useRef<HTMLDivElement>(null);
  const { error, setError, busy, fields, run } = useAction();

  const submit = (e: Event) => {
    e.preventDefault();
    void run(
      async () => {
        const body: Record<string, string> = { login, password };
        if (needTotp && totp) body.totp = totp.replace(/\s/g, '');
        const res = await post<unknown>('/auth/sign-in', body, { quiet: true });
        const s = unwrapSession(res);
        if (!s) throw new Error('サインインの応答を読めませんでした。');
        setPassword('');
        setTotp('');
        set(s);
      },
      (err) => {
        if (err instanceof ApiError && err.code === 'totp_required') {
          setNeedTotp(true);
          setError(null);
          window.setTimeout(() => totpRef.current?.querySelector('input')?.focus(), 0);
        } else {
          if (err instanceof ApiError && err.code === 'totp_invalid') setTotp('');
          setError(err);
        }
      },
    );
  };

  const locked = error instanceof ApiError && error.code === 'locked' ? error.body.locked_until : undefined;

  return (
    <section class="card narrow-card">
      <PageTitle testid="signin-title">サインイン</PageTitle>
      <p>職員番号等のログイン ID とパスワードを入力してください。</p>
      {error instanceof ApiError && error.code === 'locked' ? (
        <div class="alert alert-error" role="alert" data-testid="signin-locked">
          <p>{error.message || 'アカウントがロックされています。'}</p>
          {typeof locked === 'string' && locked ? (
            <p>
              ロックは <strong>{formatDateTime(locked)}</strong> まで続きます。その後にもう一度お試しください。
            </p>
          ) : (
            <p>管理者（統括情報セキュリティ責任者）にロックの解除を依頼してください。</p>
          )}
        </div>
      ) : (
        <ErrorSummary error={error} shownFields={['login', 'password', 'totp']} testid="signin-error" />
      )}
      <form onSubmit={submit} noValidate={false} data-testid="signin-form">
        <TextField
          id="login"
          label="ログイン ID"
          value={login}
          onInput={setLogin}
          required
          autoComplete="username"
          error={fields.login}
          testid="signin-login"
        />
        <TextField
          id="password"
          type="password"
          label="パスワード"
          value={password}
          onInput={setPassword}
          required
          autoComplete="current-password"
          error={fields.password}
          testid="signin-password"
        />
        {needTotp && (
          <div ref={totpRef}>
            <p class="alert alert-info" role="status">
              二要素認証が有効です。認証アプリに表示されている6桁の確認コードを入力してください。
            </p>
            <OneTimeCodeField
              id="totp"
              label="確認コード（6桁）"
              value={totp}
              onInput={setTotp}
              error={fields.totp}
              testid="signin-totp"
            />
          </div>
        )}
        <FormActions label={busy ? 'サインインしています…' : 'サインイン'} busy={busy} testid="signin-submit" />
      </form>
      <p class="small">
        住民の方などからの情報セキュリティに関する連絡は<a href={`${BASE}/public/report`}>こちらの報告フォーム</a>から受け付けています。
      </p>
    </section>
  );
}

// Password change (5.4(2)). With a temporary or expired password, no other page is reachable.
import { useState } from 'preact/hooks';
import { post } from '../api';
import { PageTitle } from '../components/common';
import { ErrorSummary, FormActions, Notice, TextField, useAction } from '../components/forms';
import { navigate } from '../router';
import { useSession } from '../session';

export function PasswordPage() {
  const { session, refresh } = useSession();
  const forced = !!session?.must_change_password;
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [confirmError, setConfirmError] = useState('');
  const [done, setDone] = useState(false);
  const { error, setError, busy, fields, run } = useAction();

  const submit = (e: Event) => {
    e.preventDefault();
    setError(null);
    setDone(false);
    if (next !== confirm) {
      setConfirmError('確認のため、新しいパスワードと同じものを入力してください。');
      return;
    }
    setConfirmError('');
    void run(async () => {
      await post('/auth/password', { current_password: current, new_password: next });
      setCurrent('');
      setNext('');
      setConfirm('');
      const s = await refresh();
      if (forced && s && !s.must_change_password) {
        navigate(s.must_enroll_totp ? '/totp' : '/', true);
        return;
      }
      setDone(true);
    });
  };

  return (
    <section class="card narrow-card">
      <PageTitle testid="password-title">パスワード変更</PageTitle>
      {forced && (
        <div class="alert alert-info" role="status" data-testid="password-forced">
          <p>
            仮パスワード又は期限を過ぎたパスワードでサインインしています。続けるには、新しいパスワードを設定してください（対策基準 5.4(2)）。
          </p>
        </div>
      )}
      <ul class="small">
        <li>他人に知られないよう管理し、他の人と共有しないでください。</li>
        <li>以前に使ったパスワードや、推測されやすいもの（名前、誕生日、同じ文字の繰り返しなど）は避けてください。</li>
        <li>長さなどの条件はポリシーの「ID・パスワード」の定めに従います。条件を満たさないときは理由が表示されます。</li>
      </ul>
      {done && <Notice testid="password-done">パスワードを変更しました。</Notice>}
      <ErrorSummary error={error} shownFields={['current_password', 'new_password']} testid="password-error" />
      <form onSubmit={submit} data-testid="password-form">
        <TextField
          id="current_password"
          type="password"
          label={forced ? '現在の（仮）パスワード' : '現在のパスワード'}
          value={current}
          onInput={setCurrent}
          required
          autoComplete="current-password"
          error={fields.current_password}
          testid="password-current"
        />
        <TextField
          id="new_password"
          type="password"
          label="新しいパスワード"
          value={next}
          onInput={setNext}
          required
          autoComplete="new-password"
          error={fields.new_password}
          testid="password-new"
        />
        <TextField
          id="confirm_password"
          type="password"
          label="新しいパスワード（確認）"
          value={confirm}
          onInput={setConfirm}
          required
          autoComplete="new-password"
          error={confirmError}
          testid="password-confirm"
        />
        <FormActions label="パスワードを変更する" busy={busy} testid="password-submit" />
      </form>
    </section>
  );
}

// Account management (chief information security officer and deputy): list, create (the temporary password is shown once), reissue a temporary password, unlock.
import { useState } from 'preact/hooks';
import { asList, enc, get, post } from '../api';
import { Empty, LoadState, PageTitle, Table, useAsync } from '../components/common';
import { ErrorSummary, FormActions, TextField, useAction } from '../components/forms';
import type { Account } from '../types';

function personCode(a: Account): string {
  return typeof a.person === 'string' ? a.person : a.person?.code ?? a.login;
}

function personName(a: Account): string {
  if (a.name) return a.name;
  return typeof a.person === 'object' && a.person?.name ? a.person.name : '';
}

interface Issued {
  login?: string;
  person: string;
  password: string;
  kind: 'create' | 'reset';
}

export function AccountsPage() {
  const list = useAsync((signal) => get<unknown>('/accounts', { signal }).then((b) => asList<Account>(b, 'accounts')), []);
  const [person, setPerson] = useState('');
  const [issued, setIssued] = useState<Issued | null>(null);
  const [rowMessage, setRowMessage] = useState('');
  const creating = useAction();
  const row = useAction();

  const create = (e: Event) => {
    e.preventDefault();
    setIssued(null);
    void creating.run(async () => {
      const res = await post<{ login: string; temporary_password: string }>('/accounts', { person: person.trim() });
      setIssued({ login: res.login, person: person.trim(), password: res.temporary_password, kind: 'create' });
      setPerson('');
      list.reload();
    });
  };

  const reset = (a: Account) => {
    const code = personCode(a);
    if (!window.confirm(`${code} の仮パスワードを発行し直します。現在のパスワードは使えなくなります。よろしいですか？`)) return;
    setRowMessage('');
    setIssued(null);
    void row.run(async () => {
      const res = await post<{ temporary_password: string }>(`/accounts/${enc(code)}/reset`);
      setIssued({ login: a.login, person: code, password: res.temporary_password, kind: 'reset' });
      list.reload();
    });
  };

  const unlock = (a: Account) => {
    const code = personCode(a);
    setRowMessage('');
    void row.run(async () => {
      await post(`/accounts/${enc(code)}/unlock`);
      setRowMessage(`${code} のロックを解除しました。`);
      list.reload();
    });
  };

  return (
    <section data-testid="accounts">
      <PageTitle testid="accounts-title">アカウント管理</PageTitle>
      <p class="small">この画面の操作は特権の使用として監査ログに記録されます。</p>

      {issued && (
        <div class="alert alert-warn" role="alert" data-testid="issued-password">
          <h2>{issued.kind === 'create' ? 'アカウントを作成しました' : '仮パスワードを発行し直しました'}</h2>
          <p>
            ログイン ID: <code>{issued.login ?? issued.person}</code>
          </p>
          <p>
            仮パスワード: <code class="secret" data-testid="temporary-password">{issued.password}</code>
          </p>
          <p>
            <strong>この仮パスワードは今だけ表示されます。</strong>
            本人に安全な方法で伝えてください。本人は初回のサインインで変更します（5.4(2)）。
          </p>
          <button type="button" class="btn" onClick={() => setIssued(null)}>
            表示を消す
          </button>
        </div>
      )}

      <section class="card" aria-labelledby="acc-create">
        <h2 id="acc-create">アカウントの作成</h2>
        <form onSubmit={create} data-testid="account-create-form">
          <ErrorSummary error={creating.error} shownFields={['person']} />
          <TextField
            id="acc-person"
            label="職員番号（組織の台帳に登録済みの人）"
            value={person}
            onInput={setPerson}
            required
            error={creating.fields.person}
            testid="acc-person"
          />
          <FormActions label="作成して仮パスワードを発行する" testid="account-create" />
        </form>
      </section>

      <section aria-labelledby="acc-list">
        <h2 id="acc-list">アカウント</h2>
        {rowMessage && (
          <p role="status" class="alert alert-ok">
            {rowMessage}
          </p>
        )}
        <ErrorSummary error={row.error} />
        <LoadState state={list} />
        {list.data && list.data.length === 0 && <Empty>アカウントはありません。</Empty>}
        {list.data && list.data.length > 0 && (
          <Table
            caption={`アカウント（${list.data.length} 件）`}
            columns={['ログイン ID', '職員', 'パスワード', 'ロック', '二要素認証', '特権', '失敗回数', '操作']}
            testid="accounts-table"
          >
            {list.data.map((a) => (
              <tr key={a.login}>
                <th scope="row">{a.login}</th>
                <td>
                  {personName(a)} <span class="muted">（{personCode(a)}）</span>
                </td>
                <td>{a.temporary ? '仮パスワード' : '設定済み'}</td>
                <td>{a.locked ? <strong class="text-danger">ロック中</strong> : '—'}</td>
                <td>{a.totp_enabled ? '有効' : '未設定'}</td>
                <td>{a.privileged ? '特権ID' : '—'}</td>
                <td>{a.failed_count ?? 0}</td>
                <td class="row-actions">
                  <button type="button" class="btn btn-small" onClick={() => reset(a)} aria-label={`${a.login} の仮パスワードを再発行`}>
                    仮パスワード再発行
                  </button>
                  {a.locked && (
                    <button type="button" class="btn btn-small" onClick={() => unlock(a)} aria-label={`${a.login} のロックを解除`}>
                      ロック解除
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </Table>
        )}
      </section>
    </section>
  );
}

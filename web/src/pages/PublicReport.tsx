// Reports from residents etc. (5.3(2)). A public page used without signing in; the session is not queried.
// POST /api/v1/public/incidents (Content-Type: application/json; no CSRF token needed).
import { useState } from 'preact/hooks';
import { post } from '../api';
import { PageTitle } from '../components/common';
import { ErrorSummary, FormActions, SelectField, TextArea, TextField, useAction } from '../components/forms';

const KINDS: [string, string][] = [
  ['resident', '住民'],
  ['other', 'その他（事業者・他の団体など）'],
];

export function PublicReportPage() {
  const [kind, setKind] = useState('resident');
  const [name, setName] = useState('');
  const [contact, setContact] = useState('');
  const [text, setText] = useState('');
  const [receipt, setReceipt] = useState<string | null>(null);
  const { error, busy, fields, run } = useAction();

  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const res = await post<{ receipt?: string | number; id?: string | number }>(
        '/public/incidents',
        { kind, name: name.trim(), contact: contact.trim(), text },
        { quiet: true },
      );
      const r = res?.receipt ?? res?.id;
      setReceipt(r === undefined || r === null ? '' : String(r));
      setName('');
      setContact('');
      setText('');
      window.setTimeout(() => document.getElementById('receipt-title')?.focus(), 0);
    });
  };

  if (receipt !== null) {
    return (
      <section class="card" data-testid="public-report-done">
        <PageTitle testid="public-report-title">情報セキュリティに関する報告</PageTitle>
        <h2 id="receipt-title" tabIndex={-1}>
          報告を受け付けました
        </h2>
        <p>
          受付番号: <strong class="receipt" data-testid="public-receipt">{receipt || '（番号なし）'}</strong>
        </p>
        <p>お問い合わせの際は、この受付番号をお伝えください。担当の部署が内容を確認し、必要に応じてご連絡先へ連絡します。</p>
        <button type="button" class="btn" onClick={() => setReceipt(null)}>
          別の報告をする
        </button>
      </section>
    );
  }

  return (
    <section class="card" data-testid="public-report">
      <PageTitle testid="public-report-title">情報セキュリティに関する報告</PageTitle>
      <p>
        この団体の情報システムやウェブサイト、職員からのメールなどについて、情報の漏えい、なりすまし、不審な動きなど、情報セキュリティ上の問題に気付いた方は、このフォームからお知らせください（サインインは不要です）。
      </p>
      <div class="alert alert-info" data-testid="public-report-privacy">
        <h2>個人情報について</h2>
        <p>
          ご記入いただく情報は、この報告への対応にだけ使います。<strong>氏名と連絡先のほかに、必要のない個人情報（マイナンバー、生年月日、住所の詳細、口座番号、パスワードなど）は書かないでください。</strong>
          ほかの方の個人情報も、問題を説明するのに必要な範囲にとどめてください。
        </p>
      </div>
      <ErrorSummary error={error} shownFields={['kind', 'name', 'contact', 'text']} testid="public-report-error" />
      <form onSubmit={submit} data-testid="public-report-form">
        <SelectField
          id="pub-kind"
          label="報告される方の区分"
          value={kind}
          onChange={setKind}
          options={KINDS}
          required
          error={fields.kind}
          testid="pub-kind"
        />
        <TextField
          id="pub-name"
          label="氏名"
          value={name}
          onInput={setName}
          required
          autoComplete="name"
          maxLength={100}
          error={fields.name}
          testid="pub-name"
        />
        <TextField
          id="pub-contact"
          label="連絡先（電話番号又はメールアドレス）"
          value={contact}
          onInput={setContact}
          required
          autoComplete="email"
          maxLength={200}
          error={fields.contact}
          testid="pub-contact"
        />
        <TextArea
          id="pub-text"
          label="内容（いつ、どこで、何に気付いたか）"
          value={text}
          onInput={setText}
          rows={6}
          required
          maxLength={4000}
          error={fields.text}
          testid="pub-text"
        />
        <FormActions label={busy ? '送信しています…' : '報告を送る'} busy={busy} testid="pub-submit" />
      </form>
    </section>
  );
}

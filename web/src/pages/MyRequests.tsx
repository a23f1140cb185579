// My requests (GET /requests?scope=mine). Managers etc. can also see their section's or all requests.
import { useState } from 'preact/hooks';
import { asList, get, query } from '../api';
import { withProfile } from '../profile';
import { Empty, LoadState, PageTitle, useAsync } from '../components/common';
import { SelectField } from '../components/forms';
import { RequestTable } from '../components/requests';
import { REQUEST_STATUS } from '../labels';
import { Link } from '../router';
import { APPROVER_ROLES, EVERYTHING_ROLES, hasAny, useSession } from '../session';
import type { RequestRecord } from '../types';

export function MyRequestsPage() {
  const { session } = useSession();
  const [status, setStatus] = useState('');
  const [scope, setScope] = useState('mine');
  const list = useAsync(
    (signal) => withProfile(get<unknown>(`/requests${query({ status, scope })}`, { signal })).then((b) => asList<RequestRecord>(b, 'requests')),
    [status, scope],
  );
  const scopes: [string, string][] = [['mine', '自分の申請']];
  if (hasAny(session, APPROVER_ROLES)) scopes.push(['section', '担当する課室等の申請']);
  if (hasAny(session, [...EVERYTHING_ROLES, 'auditor'])) scopes.push(['all', 'すべての申請']);

  return (
    <section data-testid="my-requests">
      <PageTitle testid="my-requests-title">{scope === 'mine' ? '自分の申請' : '申請の一覧'}</PageTitle>
      <p>
        <Link href="/requests/new">新しい申請を作る</Link>
      </p>
      <div class="filters">
        {scopes.length > 1 && (
          <SelectField id="req-scope" label="範囲" value={scope} onChange={setScope} options={scopes} testid="req-scope" />
        )}
        <SelectField
          id="req-status"
          label="状態"
          value={status}
          onChange={setStatus}
          options={Object.entries(REQUEST_STATUS)}
          empty="すべて"
          testid="req-status"
        />
      </div>
      <LoadState state={list} />
      {list.data && list.data.length === 0 && <Empty>該当する申請はありません。</Empty>}
      {list.data && list.data.length > 0 && (
        <RequestTable
          requests={list.data}
          caption={`${scope === 'mine' ? '自分の申請' : '申請'}（${list.data.length} 件）`}
          showRequester={scope !== 'mine'}
          testid="my-requests-table"
        />
      )}
    </section>
  );
}

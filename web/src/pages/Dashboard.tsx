// Dashboard (GET /dashboard): pending approvals, overdue emergency exceptions, open incidents, asset counts by classification, staff who missed training.
import { get } from '../api';
import { cachedProfile, withProfile } from '../profile';
import { BarChart, Empty, Fact, LoadState, PageTitle, Table, useAsync } from '../components/common';
import { RequestTable } from '../components/requests';
import { severityLabel } from '../labels';
import { Link } from '../router';
import { APPROVER_ROLES, hasAny, useSession } from '../session';
import type { Dashboard } from '../types';

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'untriaged'] as const;

export function DashboardPage() {
  const { session } = useSession();
  const dashboard = useAsync((signal) => withProfile(get<Dashboard>('/dashboard', { signal })), []);
  const data = dashboard.data;
  const isApprover = hasAny(session, APPROVER_ROLES);

  return (
    <section data-testid="dashboard">
      <PageTitle testid="dashboard-title">ダッシュボード</PageTitle>
      <p>
        {session?.person.name} さん、こんにちは。
        <Link href="/requests/new">新しい申請</Link>・<Link href="/incidents">インシデントの報告</Link>
      </p>
      <LoadState state={dashboard} />
      {data && (
        <div class="grid">
          <section class="card" aria-labelledby="dash-waiting">
            <h2 id="dash-waiting">承認待ち（あなたの承認を待っている申請）</h2>
            {(data.waiting_for_me ?? []).length === 0 ? (
              <Empty>{isApprover ? 'あなたの承認を待っている申請はありません。' : 'ありません。'}</Empty>
            ) : (
              <>
                <RequestTable requests={data.waiting_for_me ?? []} caption="承認待ちの申請" testid="dash-waiting-table" />
                <p>
                  <Link href="/inbox">承認の画面へ</Link>
                </p>
              </>
            )}
          </section>

          {data.my_requests && data.my_requests.length > 0 && (
            <section class="card" aria-labelledby="dash-mine">
              <h2 id="dash-mine">自分の申請</h2>
              <RequestTable
                requests={data.my_requests.slice(0, 10)}
                caption="自分の申請（新しいもの）"
                showRequester={false}
                testid="dash-mine-table"
              />
              <p>
                <Link href="/requests">自分の申請をすべて見る</Link>
              </p>
            </section>
          )}

          <section class="card" aria-labelledby="dash-overdue">
            <h2 id="dash-overdue">期限超過の緊急時例外</h2>
            {(data.overdue_exceptions ?? []).length === 0 ? (
              <Empty>事後報告の期限を過ぎた緊急時の例外措置はありません。</Empty>
            ) : (
              <div class="alert alert-warn">
                <p>事後報告（対策基準 7.4(2)）の期限を過ぎています。速やかに報告してください。</p>
                <RequestTable
                  requests={(data.overdue_exceptions ?? []).map((r) => ({ ...r, overdue: true }))}
                  caption="期限超過の緊急時例外"
                  testid="dash-overdue-table"
                />
              </div>
            )}
          </section>

          <section class="card" aria-labelledby="dash-incidents">
            <h2 id="dash-incidents">未解決のインシデント（重大度別）</h2>
            {(() => {
              const by = data.incidents_by_severity ?? {};
              const bars = SEVERITY_ORDER.map((k) => ({
                label: k === 'untriaged' ? '未判定' : severityLabel(k),
                value: Number(by[k] ?? 0),
                tone: k,
              }));
              const total = bars.reduce((a, b) => a + b.value, 0);
              return (
                <>
                  <BarChart title="未解決のインシデント（重大度別）" bars={bars} testid="chart-incidents" />
                  <p>
                    合計 {total} 件。<Link href="/incidents?status=open">インシデントの一覧へ</Link>
                  </p>
                </>
              );
            })()}
          </section>

          <section class="card" aria-labelledby="dash-assets">
            <h2 id="dash-assets">情報資産の分類別件数</h2>
            {(data.assets_by_level ?? []).length === 0 ? (
              <Empty>表示できる情報資産はありません。</Empty>
            ) : (
              (() => {
                const axes = [...new Set((data.assets_by_level ?? []).map((a) => a.axis))];
                return axes.map((axis) => {
                  const rows = (data.assets_by_level ?? []).filter((a) => a.axis === axis);
                  return (
                    <BarChart
                      key={axis}
                      title={`情報資産の分類別件数（${rows[0]?.axis_title ?? cachedProfile()?.axes.find((a) => a.id === axis)?.title ?? axis}）`}
                      bars={rows.map((r, i) => ({ label: r.title || r.level, value: Number(r.count) || 0, tone: `level${i}` }))}
                      testid={`chart-assets-${axis}`}
                    />
                  );
                });
              })()
            )}
            <p>
              <Link href="/registers/asset">情報資産台帳へ</Link>
            </p>
          </section>

          <section class="card" aria-labelledby="dash-training">
            <h2 id="dash-training">研修の未受講者</h2>
            {(data.training_overdue ?? []).length === 0 ? (
              <Empty>受講すべき研修を受けていない人はいません。</Empty>
            ) : (
              <Table caption="研修未受講者（対策基準 5.2(3)）" columns={['職員', '研修・訓練']} testid="dash-training-table">
                {(data.training_overdue ?? []).map((t, i) => (
                  <tr key={i}>
                    <th scope="row">
                      {t.name ?? t.person}
                      {t.name && <span class="muted">（{t.person}）</span>}
                    </th>
                    <td>{t.title ?? t.session}</td>
                  </tr>
                ))}
              </Table>
            )}
          </section>

          {data.counts && Object.keys(data.counts).length > 0 && (
            <section class="card" aria-labelledby="dash-counts">
              <h2 id="dash-counts">件数</h2>
              <dl class="facts">
                {Object.entries(data.counts).map(([k, v]) => (
                  <Fact key={k} term={COUNT_LABELS[k] ?? k}>
                    {v}
                  </Fact>
                ))}
              </dl>
            </section>
          )}
        </div>
      )}
    </section>
  );
}

const COUNT_LABELS: Record<string, string> = {
  waiting_for_me: '承認待ち',
  my_requests: '自分の申請',
  pending: '承認待ちの申請',
  overdue_exceptions: '期限超過の緊急時例外',
  open_incidents: '未解決のインシデント',
  incidents: 'インシデント',
  assets: '情報資産',
  training_overdue: '研修未受講',
  requests: '申請',
  exceptions: '例外措置',
};

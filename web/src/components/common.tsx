// Shared display components: dates, statuses, loading, pagination, bar charts, and a data-loading hook.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { errorText } from '../api';
import { formatDate, formatDateTime, formatNumber } from '../format';
import { effectLabel, statusLabel } from '../labels';

export function DateText({ value }: { value?: string | null }) {
  if (!value) return <span class="muted">—</span>;
  return <time dateTime={value}>{formatDate(value)}</time>;
}

export function DateTimeText({ value, seconds }: { value?: string | null; seconds?: boolean }) {
  if (!value) return <span class="muted">—</span>;
  return <time dateTime={value}>{formatDateTime(value, seconds)}</time>;
}

export function StatusBadge({ status }: { status?: string }) {
  if (!status) return null;
  return (
    <span class={`badge badge-${status}`} data-testid="request-status" data-status={status}>
      {statusLabel(status)}
    </span>
  );
}

export function EffectBadge({ effect, testid }: { effect?: string; testid?: string }) {
  if (!effect) return null;
  return (
    <span class={`badge badge-effect-${effect}`} data-testid={testid} data-effect={effect}>
      {effectLabel(effect)}
    </span>
  );
}

export function Loading({ label = '読み込んでいます…' }: { label?: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      {label}
    </p>
  );
}

export function LoadError({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div class="alert alert-error" role="alert">
      <p>{errorText(error)}</p>
      {retry && (
        <button type="button" class="btn" onClick={retry}>
          再読み込み
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

/** The loading and load-error notices of a useAsync state (loading only until the first data arrives). */
export function LoadState({
  state,
}: {
  state: { data?: unknown; error?: unknown; loading: boolean; reload: () => void };
}) {
  return (
    <>
      {state.loading && !state.data && <Loading />}
      {state.error ? <LoadError error={state.error} retry={state.reload} /> : null}
    </>
  );
}

/** A captioned table in its scrolling wrapper: columns are the header cells, children the body rows. */
export function Table({
  caption,
  columns,
  testid,
  children,
}: {
  caption: ComponentChildren;
  columns: ComponentChildren[];
  testid?: string;
  children: ComponentChildren;
}) {
  return (
    <div class="table-wrap">
      <table data-testid={testid}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th scope="col" key={i}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** Async loading. Reloads when deps change; reload() reloads manually. */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    const ctl = new AbortController();
    setState((s) => ({ data: s.data, loading: true }));
    loadRef
      .current(ctl.signal)
      .then((data) => {
        if (!ctl.signal.aborted) setState({ data, loading: false });
      })
      .catch((error) => {
        if (!ctl.signal.aborted) setState({ error, loading: false });
      });
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload, setData: (data: T) => setState({ data, loading: false }) };
}

export function Pagination({
  offset,
  limit,
  total,
  onChange,
  label = 'ページ送り',
}: {
  offset: number;
  limit: number;
  total: number;
  onChange: (offset: number) => void;
  label?: string;
}) {
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(offset + limit, total);
  return (
    <nav class="pagination" aria-label={label}>
      <button type="button" class="btn" disabled={offset <= 0} onClick={() => onChange(Math.max(0, offset - limit))}>
        前へ
      </button>
      <span aria-live="polite">
        {formatNumber(total)} 件中 {formatNumber(from)}–{formatNumber(to)} 件
      </span>
      <button type="button" class="btn" disabled={offset + limit >= total} onClick={() => onChange(offset + limit)}>
        次へ
      </button>
    </nav>
  );
}

export interface Bar {
  label: string;
  value: number;
  /** Colour class of the bar (CSS class bar-<tone>). */
  tone?: string;
}

/**
 * Horizontal bar chart (hand-written SVG). Each value is also written as text beside its bar.
 * For screen readers, a visually hidden table with the same numbers is attached.
 */
export function BarChart({ title, bars, testid, unit = '件' }: { title: string; bars: Bar[]; testid?: string; unit?: string }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const rowH = 30;
  const labelW = 170;
  const chartW = 300;
  const valueW = 70;
  const width = labelW + chartW + valueW;
  const height = Math.max(rowH, bars.length * rowH) + 4;
  const titleId = `chart-${title.replace(/[^\w]/g, '') || 'x'}-${bars.length}`;
  return (
    <figure class="chart" data-testid={testid}>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        role="img"
        aria-labelledby={titleId}
        preserveAspectRatio="xMinYMin meet"
        style={{ maxWidth: `${width}px` }}
      >
        <title id={titleId}>
          {title}: {bars.map((b) => `${b.label} ${b.value}${unit}`).join('、')}
        </title>
        {bars.map((b, i) => {
          const y = i * rowH + 2;
          const w = b.value === 0 ? 0 : Math.max(2, (b.value / max) * chartW);
          return (
            <g key={b.label}>
              <text x={labelW - 8} y={y + rowH / 2} text-anchor="end" dominant-baseline="middle" class="chart-label">
                {b.label.length > 12 ? `${b.label.slice(0, 12)}…` : b.label}
              </text>
              <rect x={labelW} y={y + 4} width={w} height={rowH - 10} class={`bar bar-${b.tone ?? 'default'}`} rx="2" />
              <text x={labelW + w + 6} y={y + rowH / 2} dominant-baseline="middle" class="chart-value">
                {formatNumber(b.value)}
                {unit}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption class="sr-only">
        <table>
          <caption>{title}</caption>
          <thead>
            <tr>
              <th scope="col">区分</th>
              <th scope="col">件数</th>
            </tr>
          </thead>
          <tbody>
            {bars.map((b) => (
              <tr key={b.label}>
                <th scope="row">{b.label}</th>
                <td>{b.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </figcaption>
    </figure>
  );
}

/** One term and its value, inside a <dl class="facts">. */
export function Fact({ term, testid, children }: { term: ComponentChildren; testid?: string; children?: ComponentChildren }) {
  return (
    <div class="fact">
      <dt>{term}</dt>
      <dd data-testid={testid}>{children}</dd>
    </div>
  );
}

/** Definition list (term: value); an empty value shows as a muted dash. */
export function Facts({ items }: { items: [ComponentChildren, ComponentChildren][] }) {
  return (
    <dl class="facts">
      {items.map(([k, v], i) => (
        <Fact key={i} term={k}>
          {v === '' || v === null || v === undefined ? <span class="muted">—</span> : v}
        </Fact>
      ))}
    </dl>
  );
}

/** Page heading. Focus moves here after navigation, for screen readers and keyboard use. */
export function PageTitle({ children, testid }: { children: ComponentChildren; testid?: string }) {
  return (
    <h1 tabIndex={-1} class="page-title" data-testid={testid ?? 'page-title'}>
      {children}
    </h1>
  );
}

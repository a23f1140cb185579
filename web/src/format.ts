// Date and time display (和暦 (Japanese era) and Gregorian, Japan Standard Time). Every date on
// screen goes through here.
//
// API times are UTC ISO 8601 (2026-12-01T01:02:03Z); dates are YYYY-MM-DD.
// Displayed as "令和8年12月1日 (2026-12-01)" and "令和8年12月1日 10:02 (2026-12-01 10:02 JST)".

const TZ = 'Asia/Tokyo';

const warekiDate = new Intl.DateTimeFormat('ja-JP-u-ca-japanese', {
  era: 'long',
  year: 'numeric',
  month: 'long',
  day: 'numeric',
  timeZone: TZ,
});

const gregorianParts = new Intl.DateTimeFormat('ja-JP-u-ca-gregory', {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZone: TZ,
});

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

function parts(date: Date): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of gregorianParts.formatToParts(date)) out[p.type] = p.value;
  return out;
}

/** Turns a date-only string (YYYY-MM-DD) into a Date at noon of that day (JST). */
function dateOnly(text: string): Date | null {
  const m = DATE_ONLY.exec(text);
  if (!m) return null;
  // 03:00 UTC = 12:00 JST: displays as the same calendar day.
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 3, 0, 0));
  return Number.isNaN(d.getTime()) ? null : d;
}

function parse(value: string | number | Date | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value === 'number') return new Date(value);
  const only = dateOnly(value);
  if (only) return only;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "令和8年12月1日" (the calendar day in JST). */
export function wareki(value: string | Date | null | undefined): string {
  const d = parse(value ?? null);
  return d ? warekiDate.format(d) : '';
}

/** "2026-12-01" (the calendar day in JST). */
export function isoDateJst(value: string | Date | null | undefined): string {
  const d = parse(value ?? null);
  if (!d) return '';
  const p = parts(d);
  return `${p.year}-${p.month}-${p.day}`;
}

/** Date: "令和8年12月1日 (2026-12-01)"; an empty string when there is no value. */
export function formatDate(value: string | Date | null | undefined): string {
  const d = parse(value ?? null);
  if (!d) return typeof value === 'string' ? value : '';
  return `${wareki(d)} (${isoDateJst(d)})`;
}

/** Date and time: "令和8年12月1日 10:02 (2026-12-01 10:02 JST)". */
export function formatDateTime(value: string | Date | null | undefined, seconds = false): string {
  if (typeof value === 'string' && DATE_ONLY.test(value)) return formatDate(value);
  const d = parse(value ?? null);
  if (!d) return typeof value === 'string' ? value : '';
  const p = parts(d);
  const hm = seconds ? `${p.hour}:${p.minute}:${p.second}` : `${p.hour}:${p.minute}`;
  return `${wareki(d)} ${hm} (${p.year}-${p.month}-${p.day} ${hm} JST)`;
}

/** Today (JST) as YYYY-MM-DD; the default for date inputs. */
export function todayJst(): string {
  return isoDateJst(new Date());
}

/** A datetime-local input value (JST) → UTC ISO 8601. */
export function localJstToUtc(value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!m) return '';
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4] - 9, +m[5]);
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Formats a number as "1,234". */
export function formatNumber(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '';
  return new Intl.NumberFormat('ja-JP').format(n);
}

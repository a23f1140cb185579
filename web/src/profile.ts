// Normalizes the policy profile (GET /profile) into the shape the UI uses.
// The server returns the `mamori policy show --json` form (docs/api.md). That JSON is expected to use
// the same names as the tables of the profile TOML (docs/policy-profile.md); tables (id → value) and
// arrays are both accepted.
import { get } from './api';
import { setRoleTitles } from './labels';

type Obj = Record<string, unknown>;

export interface Level {
  id: string;
  title: string;
  definition?: string;
  handling_restrictions: string[];
}
export interface Axis {
  id: string;
  title: string;
  clause?: string;
  levels: Level[];
}
export interface Segment {
  id: string;
  title: string;
  definition?: string;
}
export interface Flow {
  from: string;
  to: string;
  mode: string;
  modeTitle?: string;
  methods: string[];
  approvals: string[][];
  clause?: string;
  note?: string;
}
export interface Role {
  id: string;
  title: string;
  holder?: string;
  duties?: string;
  delegates: string[];
  substitutes: string[];
  clause?: string;
}
export interface ClauseDef {
  id: string;
  title?: string;
  document?: string;
}
export interface Rule {
  id: string;
  action: string;
  effect: string;
  approvals: string[][];
  obligations: string[];
  clauses: ClauseDef[];
  text?: string;
  when?: unknown;
}
export interface Profile {
  raw: Obj;
  id?: string;
  title?: string;
  organization: Obj;
  documents: { id: string; title: string; kind?: string; public?: boolean; note?: string }[];
  clauses: Map<string, ClauseDef>;
  axes: Axis[];
  handlingCatalog: Map<string, string>;
  classificationClause?: string;
  roles: Role[];
  segments: Segment[];
  flows: Flow[];
  networkModel?: string;
  passwords: Obj;
  deadlines: Obj;
  rules: Rule[];
  threats: { id: string; text: string; clause?: string }[];
  retention: { id: string; title: string; days?: number; clause?: string }[];
  defaultEffect?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

function strings(v: unknown): string[] {
  if (Array.isArray(v))
    return v
      .map((x) => (typeof x === 'string' ? x : str(obj(x).id)))
      .filter((x): x is string => !!x);
  if (typeof v === 'string') return [v];
  return [];
}

function steps(v: unknown): string[][] {
  if (!Array.isArray(v)) return [];
  return v.map((s) => strings(s));
}

/** Turns a table (id → value) or an array ({id, …}) into [{id, …}]. */
function entries(v: unknown): Obj[] {
  if (Array.isArray(v)) return v.map((x) => obj(x));
  if (v && typeof v === 'object') return Object.entries(v as Obj).map(([id, x]) => ({ id, ...obj(x) }));
  return [];
}

export function normalizeProfile(body: unknown): Profile {
  // Also read {profile:{…everything…}} (distinguishable, as the TOML [profile] table holds only id and title).
  const outer = obj(body);
  const wrapped = obj(outer.profile);
  const raw = wrapped.classification || wrapped.rules ? wrapped : outer;
  const head = obj(raw.profile);
  const clauses = new Map<string, ClauseDef>();
  for (const c of entries(raw.clauses)) {
    const id = str(c.id);
    if (id) clauses.set(id, { id, title: str(c.title), document: str(c.document) });
  }
  const documents = entries(raw.documents).map((d) => ({
    id: str(d.id) ?? '',
    title: str(d.title) ?? str(d.id) ?? '',
    kind: str(d.kind),
    public: typeof d.public === 'boolean' ? d.public : undefined,
    note: str(d.note),
  }));
  const docTitle = new Map(documents.map((d) => [d.id, d.title]));
  const clauseOf = (c: unknown): ClauseDef => {
    if (typeof c === 'string') {
      const known = clauses.get(c);
      return known ? { ...known, document: docTitle.get(known.document ?? '') ?? known.document } : { id: c };
    }
    const o = obj(c);
    const id = str(o.id) ?? '';
    const known = clauses.get(id);
    return {
      id,
      title: str(o.title) ?? known?.title,
      document: str(o.document) ?? docTitle.get(known?.document ?? '') ?? known?.document,
    };
  };

  const cls = obj(raw.classification);
  const handlingCatalog = new Map<string, string>();
  const catalog = cls.handling_restrictions;
  if (Array.isArray(catalog)) {
    for (const h of catalog) {
      const o = obj(h);
      const id = str(o.id);
      if (id) handlingCatalog.set(id, str(o.title) ?? id);
    }
  } else {
    for (const [id, t] of Object.entries(obj(catalog))) handlingCatalog.set(id, str(t) ?? str(obj(t).title) ?? id);
  }
  const axes: Axis[] = entries(cls.axes).map((a) => ({
    id: str(a.id) ?? '',
    title: str(a.title) ?? str(a.id) ?? '',
    clause: str(a.clause),
    levels: entries(a.levels).map((l) => ({
      id: str(l.id) ?? '',
      title: str(l.title) ?? str(l.id) ?? '',
      definition: str(l.definition),
      handling_restrictions: strings(l.handling_restrictions),
    })),
  }));

  const roles: Role[] = entries(raw.roles).map((r) => ({
    id: str(r.id) ?? '',
    title: str(r.title) ?? str(r.id) ?? '',
    holder: str(r.holder),
    duties: str(r.duties),
    delegates: strings(r.delegates),
    substitutes: strings(r.substitutes),
    clause: str(r.clause) ?? (r.clause ? clauseOf(r.clause).id : undefined),
  }));

  const net = obj(raw.network);
  const segments: Segment[] = entries(net.segments ?? raw.segments).map((s) => ({
    id: str(s.id) ?? '',
    title: str(s.title) ?? str(s.id) ?? '',
    definition: str(s.definition),
  }));
  const flows: Flow[] = entries(net.flows ?? raw.flows).map((f) => ({
    from: str(f.from) ?? '',
    to: str(f.to) ?? '',
    mode: str(f.mode) ?? '',
    modeTitle: str(f.mode_title),
    methods: strings(f.methods),
    approvals: steps(f.approvals),
    clause: f.clause ? clauseOf(f.clause).id : undefined,
    note: str(f.note),
  }));

  const rules: Rule[] = entries(raw.rules).map((r) => ({
    id: str(r.id) ?? '',
    action: str(r.action) ?? '',
    effect: str(r.effect) ?? '',
    approvals: steps(r.approvals),
    obligations: strings(r.obligations),
    clauses: (Array.isArray(r.clauses) ? r.clauses : r.clauses ? [r.clauses] : []).map(clauseOf),
    text: str(r.text),
    when: r.when,
  }));

  return {
    raw,
    id: str(head.id) ?? str(raw.id),
    title: str(head.title) ?? str(raw.title),
    organization: obj(raw.organization),
    documents,
    clauses,
    axes,
    handlingCatalog,
    classificationClause: cls.clause ? clauseOf(cls.clause).id : undefined,
    roles,
    segments,
    flows,
    networkModel: str(net.model),
    passwords: obj(raw.passwords),
    deadlines: obj(raw.deadlines),
    rules,
    threats: entries(raw.threats).map((t) => ({
      id: str(t.id) ?? '',
      text: str(t.text) ?? str(t.title) ?? str(t.id) ?? '',
      clause: t.clause ? clauseOf(t.clause).id : undefined,
    })),
    retention: entries(raw.retention).map((r) => ({
      id: str(r.id) ?? '',
      title: str(r.title) ?? str(r.id) ?? '',
      days: typeof r.days === 'number' ? r.days : undefined,
      clause: r.clause ? clauseOf(r.clause).id : undefined,
    })),
    defaultEffect: str(head.default_effect) ?? str(raw.default_effect),
  };
}

let cached: Promise<Profile> | null = null;
let loaded: Profile | null = null;

/** The loaded profile (null if not yet loaded). Only used as a display aid. */
export function cachedProfile(): Profile | null {
  return loaded;
}

/** Loads the profile once and remembers the role titles. */
export function loadProfile(): Promise<Profile> {
  if (!cached) {
    cached = get<unknown>('/profile')
      .then((b) => {
        const p = normalizeProfile(b);
        const titles: Record<string, string> = {};
        for (const r of p.roles) if (r.id && r.title) titles[r.id] = r.title;
        setRoleTitles(titles);
        loaded = p;
        return p;
      })
      .catch((e) => {
        cached = null;
        throw e;
      });
  }
  return cached;
}

export function segmentTitle(p: Profile | undefined, id: string): string {
  return p?.segments.find((s) => s.id === id)?.title ?? id;
}

/** Loads the profile alongside a response (for role and classification titles); the response is returned even if the profile fails. */
export function withProfile<T>(p: Promise<T>): Promise<T> {
  return Promise.all([p, loadProfile().catch(() => null)]).then(([v]) => v);
}

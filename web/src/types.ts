// Shapes of the API's JSON (docs/api.md, docs/decide.md, docs/workflows.md, docs/incidents.md).
// Most fields are optional so that the UI doesn't break when the server leaves one out.

export interface Person {
  code: string;
  name: string;
  section?: string;
  department?: string;
  section_name?: string;
  department_name?: string;
}

export interface RoleHeld {
  role: string;
  title?: string;
  scope?: string;
}

export interface Session {
  person: Person;
  roles: RoleHeld[];
  csrf_token: string;
  expires_at?: string;
  privileged?: boolean;
  must_change_password?: boolean;
  must_enroll_totp?: boolean;
  totp_enabled?: boolean;
}

export interface Clause {
  id: string;
  title?: string;
  document?: string;
}

export interface Decision {
  id?: string;
  effect: 'allow' | 'deny' | 'approval_required' | string;
  approvals: string[][];
  obligations: string[];
  clauses: Clause[];
  explanation?: string;
  separation_of_duties?: { step: number; role: string; requester_may_not_approve?: boolean }[];
}

export interface DecideRequest {
  action: string;
  asset?: { id?: string; kind: string; classification?: Record<string, string | string[]> };
  context?: Record<string, string | boolean>;
}

export interface RequestStep {
  step: number;
  roles: string[];
  routed_to?: string[];
}

export interface RequestAction {
  step: number;
  person: string;
  person_name?: string;
  role: string;
  decision: string;
  comment?: string;
  time?: string;
}

export interface ObligationRecord {
  obligation: string;
  fields: (string | { id: string; label?: string; kind?: string; type?: string })[];
  clause?: string;
  filled?: boolean;
  values?: Record<string, string>;
  filled_by?: string;
  filled_at?: string;
}

export interface ExceptionInfo {
  emergency?: boolean;
  report_due?: string;
  reported_by?: string;
  reported_at?: string;
  reported_to?: string[];
  report?: string;
  reviews?: { reviewer: string; role?: string; comment?: string; time?: string }[];
}

export interface RequestRecord {
  id: number | string;
  requester: string;
  requester_name?: string;
  section?: string;
  department?: string;
  action: string;
  purpose?: string;
  status: string;
  effect?: string;
  request?: DecideRequest & { actor?: { id: string; roles: string[]; section?: string } };
  decision?: Decision;
  current_step?: number;
  steps?: RequestStep[];
  actions?: RequestAction[];
  obligations?: ObligationRecord[];
  submitted_at?: string;
  expires_at?: string;
  decided_at?: string;
  completed_at?: string;
  withdraw_reason?: string;
  exception?: ExceptionInfo;
  current_approvers?: (string | { code?: string; person?: string; name?: string; role?: string })[];
  /** The roles the current step waits for, with the profile's titles (roles a profile defines included). */
  current_step_roles?: { id: string; title?: string }[];
  overdue?: boolean;
}

export interface RegisterColumn {
  id: string;
  label_ja?: string;
  label?: string;
  type?: string;
  required?: boolean;
  choices?: (string | { id: string; label?: string; label_ja?: string; title?: string })[];
  computed?: boolean;
  clause?: string;
}

export interface RegisterSpec {
  id: string;
  label_ja?: string;
  label?: string;
  label_en?: string;
  clauses?: string[];
  columns: RegisterColumn[];
}

export interface RegisterRecord {
  register?: string;
  code: string;
  values: Record<string, string>;
  computed?: Record<string, string>;
  retired_date?: string;
  retired_reason?: string;
  flags?: { id?: string; clause?: string; message_ja?: string; message?: string }[];
  checklist?: { id: string; text?: string; checked?: boolean; done?: boolean; note?: string }[];
}

export interface IncidentStep {
  level: number;
  actor?: string;
  at?: string;
  clause?: string;
  note?: string;
  to?: { role: string; person: string; name?: string }[];
}

export interface Incident {
  id: number | string;
  source?: string;
  /** The staff member who reported it; empty for an outsider's report. */
  reporter?: string;
  /** An outsider's report: who received it (a staff member, or the 窓口 a public form went to). */
  received_by?: string;
  section?: string;
  department?: string;
  summary: string;
  description?: string;
  aware_at?: string;
  reported_at?: string;
  level?: number;
  state?: string;
  status?: string;
  severity?: string;
  affected_assets?: string[];
  people_affected?: number | null;
  personal_data?: boolean;
  personal_data_persons?: number | null;
  malicious?: boolean;
  triaged_by?: string;
  triaged_at?: string;
  cause?: string;
  cause_by?: string;
  cause_at?: string;
  measure?: string;
  measure_by?: string;
  measure_at?: string;
  disclosure?: string;
  closed_at?: string;
  closed_by?: string;
  steps?: IncidentStep[];
  timeline?: { at: string; person?: string; text: string; recorded_at?: string }[];
  external?: { kind?: string; name?: string; contact?: string };
  ppc_reports?: {
    kind: string;
    days?: number;
    deadline?: string;
    made_at?: string;
    made_by?: string;
    overdue?: boolean;
    late?: boolean;
  }[];
}

export interface AuditEvent {
  seq: number;
  time: string;
  actor: string;
  type: string;
  object_type?: string;
  object_id?: string;
  state?: unknown;
}

export interface Dashboard {
  waiting_for_me?: RequestRecord[];
  my_requests?: RequestRecord[];
  overdue_exceptions?: RequestRecord[];
  incidents_by_severity?: Partial<Record<'low' | 'medium' | 'high' | 'critical' | 'untriaged', number>>;
  assets_by_level?: { axis: string; axis_title?: string; level: string; title?: string; count: number }[];
  training_overdue?: { person: string; name?: string; session?: string | number; title?: string }[];
  counts?: Record<string, number>;
}

export interface Account {
  login: string;
  person: string | { code: string; name?: string; section?: string };
  name?: string;
  temporary?: boolean;
  locked?: boolean;
  locked_until?: string;
  totp_enabled?: boolean;
  privileged?: boolean;
  failed_count?: number;
}

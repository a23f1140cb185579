-- 0004 incident: 情報セキュリティインシデント (阪南市 対策基準 5.3) and
-- 研修・訓練 (5.2). Portable SQL: see src/storage/database.h. Times are
-- TEXT in UTC (FormatUtc), dates TEXT YYYY-MM-DD. The rules live in
-- src/ledger/incident/ and docs/incidents.md.

-- An incident. source: staff (reported by a person; reporter_id is the
-- reporter) or external (住民等外部からの報告, 5.3(2): reporter_id is the
-- staff member who received it, the outsider is external_* and has no person
-- record). level: how far up the chain of 5.3 the incident has been reported
-- (1 情報セキュリティ管理者, 2 情報セキュリティ責任者 + 統一的な窓口,
-- 3 最高情報セキュリティ責任者 + 統括情報セキュリティ責任者).
CREATE TABLE incidents (
  id                     INTEGER PRIMARY KEY,
  source                 TEXT NOT NULL CHECK (source IN ('staff', 'external')),
  reporter_id            INTEGER NOT NULL REFERENCES people(id),
  external_kind          TEXT NOT NULL DEFAULT '',
  external_name          TEXT NOT NULL DEFAULT '',
  external_contact       TEXT NOT NULL DEFAULT '',
  section_id             INTEGER NOT NULL REFERENCES sections(id),
  summary                TEXT NOT NULL,
  description            TEXT NOT NULL DEFAULT '',
  aware_at               TEXT NOT NULL,
  reported_at            TEXT NOT NULL,
  level                  INTEGER NOT NULL CHECK (level BETWEEN 1 AND 3),
  state                  TEXT NOT NULL CHECK (state IN ('open', 'closed')),
  severity               TEXT NOT NULL DEFAULT '',
  people_affected        INTEGER,
  personal_data          INTEGER NOT NULL DEFAULT 0,
  personal_data_persons  INTEGER NOT NULL DEFAULT 0,
  malicious              INTEGER NOT NULL DEFAULT 0,
  triaged_by             TEXT NOT NULL DEFAULT '',
  triaged_at             TEXT NOT NULL DEFAULT '',
  cause                  TEXT NOT NULL DEFAULT '',
  cause_by               TEXT NOT NULL DEFAULT '',
  cause_at               TEXT NOT NULL DEFAULT '',
  measure                TEXT NOT NULL DEFAULT '',
  measure_by             TEXT NOT NULL DEFAULT '',
  measure_at             TEXT NOT NULL DEFAULT '',
  disclosure             TEXT NOT NULL DEFAULT '',
  disclosure_reason      TEXT NOT NULL DEFAULT '',
  disclosure_by          TEXT NOT NULL DEFAULT '',
  disclosure_at          TEXT NOT NULL DEFAULT '',
  ppc_prompt_at          TEXT NOT NULL DEFAULT '',
  ppc_prompt_by          TEXT NOT NULL DEFAULT '',
  ppc_final_at           TEXT NOT NULL DEFAULT '',
  ppc_final_by           TEXT NOT NULL DEFAULT '',
  closed_at              TEXT NOT NULL DEFAULT '',
  closed_by              TEXT NOT NULL DEFAULT ''
);
CREATE INDEX incidents_state ON incidents (state);

-- 影響を受けた情報資産: asset ids of the register, or free text.
CREATE TABLE incident_assets (
  id          INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  asset       TEXT NOT NULL
);
CREATE INDEX incident_assets_incident ON incident_assets (incident_id);

-- One report along the chain of 5.3: who reported (actor_id), when, to which
-- level, under which clause; the recipients are incident_step_recipients.
CREATE TABLE incident_steps (
  id          INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  level       INTEGER NOT NULL,
  actor_id    INTEGER NOT NULL REFERENCES people(id),
  at          TEXT NOT NULL,
  clause      TEXT NOT NULL,
  note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX incident_steps_incident ON incident_steps (incident_id);

-- The holders (HoldersOf) a step was addressed to, with the role they hold.
CREATE TABLE incident_step_recipients (
  id        INTEGER PRIMARY KEY,
  step_id   INTEGER NOT NULL REFERENCES incident_steps(id),
  role      TEXT NOT NULL,
  person_id INTEGER NOT NULL REFERENCES people(id)
);
CREATE INDEX incident_step_recipients_step ON incident_step_recipients (step_id);

-- 経過: what happened when, written by whom.
CREATE TABLE incident_timeline (
  id          INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  at          TEXT NOT NULL,
  person_id   INTEGER NOT NULL REFERENCES people(id),
  text        TEXT NOT NULL,
  recorded_at TEXT NOT NULL
);
CREATE INDEX incident_timeline_incident ON incident_timeline (incident_id);

-- 研修・訓練 (5.2). kind: training (研修, 5.2(1)) or drill (緊急時対応訓練,
-- 5.2(2)). target: all (全職員), new_hires (start_date within new_hire_days
-- before the session), roles (holders of the role ids in `roles`, comma-separated).
CREATE TABLE training_sessions (
  id            INTEGER PRIMARY KEY,
  title         TEXT NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('training', 'drill')),
  date          TEXT NOT NULL,
  target        TEXT NOT NULL CHECK (target IN ('all', 'new_hires', 'roles')),
  new_hire_days INTEGER NOT NULL DEFAULT 0,
  roles         TEXT NOT NULL DEFAULT '',
  clause        TEXT NOT NULL,
  created_by    TEXT NOT NULL,
  created_at    TEXT NOT NULL
);
CREATE INDEX training_sessions_date ON training_sessions (date);

CREATE TABLE training_attendance (
  id          INTEGER PRIMARY KEY,
  session_id  INTEGER NOT NULL REFERENCES training_sessions(id),
  person_id   INTEGER NOT NULL REFERENCES people(id),
  recorded_by TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  UNIQUE (session_id, person_id)
);

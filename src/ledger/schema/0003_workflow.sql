-- 0003 workflow: permission requests (許可申請) with their approval steps and
-- obligation records, exceptions (例外措置, 7.4) and violations with
-- suspensions of system rights (違反行為確認時の対応, 7.6).
-- States and rules: docs/workflows.md. Lists are JSON arrays stored as TEXT;
-- times are UTC text (common/clock.h), dates YYYY-MM-DD.

-- 許可申請. A normal or emergency exception (7.4) is a request whose action
-- is 'exception' (see `exceptions`).
CREATE TABLE requests (
  id             INTEGER PRIMARY KEY,
  requester_id   INTEGER NOT NULL REFERENCES people(id),
  section_id     INTEGER NOT NULL REFERENCES sections(id),  -- the requester's, when submitted
  action         TEXT NOT NULL,
  purpose        TEXT NOT NULL,
  request_json   TEXT NOT NULL,  -- as decided: the actor filled in from the org register
  decision_json  TEXT NOT NULL,  -- decide's JSON contract (effect, approvals, obligations, clauses, explanation)
  effect         TEXT NOT NULL CHECK (effect IN ('allow', 'approval_required', 'deny')),
  profile_id     TEXT NOT NULL,
  profile_digest TEXT NOT NULL,  -- ledger_meta.profile_digest when decided
  status         TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'completed', 'denied',
                                                 'rejected', 'withdrawn', 'expired')),
  current_step   INTEGER NOT NULL DEFAULT 0,  -- 0-based index of the step awaiting approval
  submitted_at   TEXT NOT NULL,
  expires_at     TEXT,           -- a pending request expires then; NULL when decided at once
  decided_at     TEXT,           -- when it left 'pending' (or was decided at submission)
  completed_at   TEXT,           -- when its last obligation record was filled
  withdraw_reason TEXT           -- the requester's reason, when withdrawn
);
CREATE INDEX requests_status ON requests (status);
CREATE INDEX requests_requester ON requests (requester_id);

-- The approval steps the decision names, in order; any one role of a step
-- suffices (delegates already added by decide). routed_to: the person codes
-- the step was routed to when submitted.
CREATE TABLE request_steps (
  request_id INTEGER NOT NULL REFERENCES requests(id),
  step       INTEGER NOT NULL,
  roles      TEXT NOT NULL,
  routed_to  TEXT NOT NULL,
  PRIMARY KEY (request_id, step)
);

-- Each approval or rejection, with its comment. One per step.
CREATE TABLE request_actions (
  id         INTEGER PRIMARY KEY,
  request_id INTEGER NOT NULL REFERENCES requests(id),
  step       INTEGER NOT NULL,
  person_id  INTEGER NOT NULL REFERENCES people(id),
  role       TEXT NOT NULL,
  decision   TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
  comment    TEXT NOT NULL,
  time_utc   TEXT NOT NULL,
  UNIQUE (request_id, step)
);

-- An obligation of an approved request, as a record to fill (e.g. 2.2(9)②:
-- date, person and method of a disposal). values_json is NULL until filled.
CREATE TABLE obligation_records (
  id          INTEGER PRIMARY KEY,
  request_id  INTEGER NOT NULL REFERENCES requests(id),
  obligation  TEXT NOT NULL,
  fields      TEXT NOT NULL,
  clause      TEXT NOT NULL,
  values_json TEXT,
  filled_by   INTEGER REFERENCES people(id),
  filled_at   TEXT,
  UNIQUE (request_id, obligation)
);

-- 例外措置の記録 (7.4(3)). An emergency exception (7.4(2)) is reported
-- afterwards by report_due.
CREATE TABLE exceptions (
  request_id  INTEGER PRIMARY KEY REFERENCES requests(id),
  emergency   INTEGER NOT NULL,
  report_due  TEXT,
  reported_by INTEGER REFERENCES people(id),
  reported_at TEXT,
  reported_to TEXT,
  report_text TEXT
);
CREATE INDEX exceptions_report_due ON exceptions (report_due);

-- 定期的な状況の確認 (7.4(3)) by the CISO or the chief officer.
CREATE TABLE exception_reviews (
  id          INTEGER PRIMARY KEY,
  request_id  INTEGER NOT NULL REFERENCES requests(id),
  reviewer_id INTEGER NOT NULL REFERENCES people(id),
  role        TEXT NOT NULL,
  comment     TEXT NOT NULL,
  time_utc    TEXT NOT NULL
);

-- 違反行為の通知 (7.6①②③ア): who reported whom, to whom it went.
CREATE TABLE violations (
  id           INTEGER PRIMARY KEY,
  person_id    INTEGER NOT NULL REFERENCES people(id),
  section_id   INTEGER NOT NULL REFERENCES sections(id),
  reported_by  INTEGER NOT NULL REFERENCES people(id),
  description  TEXT NOT NULL,
  notified_to  TEXT NOT NULL,
  clause       TEXT NOT NULL,
  time_utc     TEXT NOT NULL
);

-- 情報システムを使用する権利の停止 (7.6④) and its restoration.
CREATE TABLE suspensions (
  id             INTEGER PRIMARY KEY,
  person_id      INTEGER NOT NULL REFERENCES people(id),
  violation_id   INTEGER REFERENCES violations(id),
  reason         TEXT NOT NULL,
  decided_by     INTEGER NOT NULL REFERENCES people(id),
  decided_at     TEXT NOT NULL,
  notified_to    TEXT NOT NULL,
  restored_by    INTEGER REFERENCES people(id),
  restored_at    TEXT,
  restore_reason TEXT
);
CREATE INDEX suspensions_person ON suspensions (person_id);

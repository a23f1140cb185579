-- 0010 assess: 自己点検 campaigns (阪南市 9(3) 点検: the manager inspects and
-- reports to the 統括, who evaluates), their forms and answers, and the one
-- findings register (検出事項・改善) that every source feeds. States and rules:
-- src/assess/campaigns.h and findings.h; docs/ledger-schema.md. Times are
-- UTC text, dates YYYY-MM-DD; lists are JSON arrays stored as TEXT.

-- One campaign per 年度 (fiscal_year: 2026 = 2026-04-01 .. 2027-03-31).
-- The profile it was made from is kept: its check items were copied onto the
-- forms, so a later profile change does not rewrite last year's questions.
CREATE TABLE assess_campaigns (
  id             INTEGER PRIMARY KEY,
  fiscal_year    INTEGER NOT NULL UNIQUE,
  title          TEXT NOT NULL,
  opens_on       TEXT NOT NULL,
  due_on         TEXT NOT NULL,
  clause         TEXT NOT NULL,
  profile_id     TEXT NOT NULL,
  profile_digest TEXT NOT NULL,
  created_by     INTEGER NOT NULL REFERENCES people(id),
  created_at     TEXT NOT NULL
);

-- One form per section in scope; section_id NULL is the organization's form
-- (check items answered by organization-wide roles: 統括, CISO, CSIRT).
-- open → submitted → signed_off → evaluated.
CREATE TABLE assess_forms (
  id                 INTEGER PRIMARY KEY,
  campaign_id        INTEGER NOT NULL REFERENCES assess_campaigns(id),
  section_id         INTEGER REFERENCES sections(id),
  status             TEXT NOT NULL CHECK (status IN ('open', 'submitted', 'signed_off',
                                                     'evaluated')),
  submitted_by       INTEGER REFERENCES people(id),
  submitted_at       TEXT,
  signed_off_by      INTEGER REFERENCES people(id),
  signed_off_at      TEXT,
  signoff_comment    TEXT,
  evaluated_by       INTEGER REFERENCES people(id),
  evaluated_at       TEXT,
  evaluation_comment TEXT
);
CREATE INDEX assess_forms_campaign ON assess_forms (campaign_id, section_id);

-- The questions of a form, copied from the profile's check items, with the
-- probe's pre-filled answer and the respondent's answer. answer and prefill:
-- yes (はい) | no (いいえ) | partial (一部) | not_applicable (該当なし).
-- A respondent who answers other than the probe gives correction_reason.
CREATE TABLE assess_items (
  form_id           INTEGER NOT NULL REFERENCES assess_forms(id),
  position          INTEGER NOT NULL,
  check_id          TEXT NOT NULL,
  clause            TEXT NOT NULL,
  question          TEXT NOT NULL,
  answered_by_role  TEXT NOT NULL,
  priority          INTEGER NOT NULL,
  probe             TEXT NOT NULL DEFAULT '',
  respondents       TEXT NOT NULL,
  prefill           TEXT CHECK (prefill IN ('yes', 'no')),
  prefill_basis     TEXT,
  answer            TEXT CHECK (answer IN ('yes', 'no', 'partial', 'not_applicable')),
  basis             TEXT,
  evidence          TEXT,
  correction_reason TEXT,
  answered_by       INTEGER REFERENCES people(id),
  answered_at       TEXT,
  PRIMARY KEY (form_id, check_id)
);

-- 検出事項 from every source, and what is done about them (改善計画).
-- identified → planned → in_progress → done → verified, or risk_accepted
-- through an exception of 7.4 (exception_id). The verifier is never the owner.
CREATE TABLE findings (
  id                  INTEGER PRIMARY KEY,
  source              TEXT NOT NULL CHECK (source IN ('self_inspection', 'audit', 'incident',
                                                      'netcheck', 'risk', 'review')),
  source_ref          TEXT NOT NULL DEFAULT '',
  form_id             INTEGER REFERENCES assess_forms(id),
  title               TEXT NOT NULL,
  description         TEXT NOT NULL DEFAULT '',
  check_id            TEXT NOT NULL DEFAULT '',
  clause              TEXT NOT NULL,
  section_id          INTEGER REFERENCES sections(id),
  owner_id            INTEGER NOT NULL REFERENCES people(id),
  priority            TEXT NOT NULL CHECK (priority IN ('high', 'medium', 'low')),
  due_on              TEXT,
  status              TEXT NOT NULL CHECK (status IN ('identified', 'planned', 'in_progress',
                                                      'done', 'verified', 'risk_accepted')),
  plan                TEXT NOT NULL DEFAULT '',
  evidence            TEXT NOT NULL DEFAULT '',
  exception_id        INTEGER REFERENCES requests(id),
  verified_by         INTEGER REFERENCES people(id),
  verified_at         TEXT,
  verification_comment TEXT,
  created_by          INTEGER NOT NULL REFERENCES people(id),
  created_at          TEXT NOT NULL,
  updated_at          TEXT NOT NULL
);
CREATE INDEX findings_status ON findings (status, due_on);
CREATE INDEX findings_form ON findings (form_id);

-- 0005 audit plan: who audits which section for which period (監査, 阪南市
-- 9(1); the guideline's 8.1). 1(3)② 兼務の禁止: the audited and the auditor
-- are never the same — an auditor never audits their own unit.

CREATE TABLE audit_assignments (
  id           INTEGER PRIMARY KEY,
  auditor_id   INTEGER NOT NULL REFERENCES people(id),
  section_id   INTEGER NOT NULL REFERENCES sections(id),
  period_from  TEXT NOT NULL,   -- YYYY-MM-DD
  period_to    TEXT NOT NULL,
  scope        TEXT NOT NULL,   -- what is audited
  assigned_by  INTEGER NOT NULL REFERENCES people(id),
  assigned_at  TEXT NOT NULL,   -- UTC
  clause       TEXT NOT NULL
);
CREATE INDEX audit_assignments_section ON audit_assignments (section_id);

-- 0011 risk: the risk register (リスク分析・評価, 阪南市 第2章 9(2)): one
-- assessment per (asset, threat of the profile), its scales from the
-- profile's [risk] table, and what is done about it. Rules: src/assess/risk.h;
-- docs/ledger-schema.md. Times are UTC text, dates YYYY-MM-DD.
--
-- threat and vulnerability are 1..3. Each has a basis: how it was set
-- ("default", "self_inspection", "edited") and, when edited, the reason and
-- who edited it; an edited value is kept by later computations.
-- likelihood = threat × vulnerability; score = likelihood × importance;
-- level and residual_level: low | medium | high.
-- treatment: reduce (低減) | avoid (回避) | transfer (移転) | accept (受容);
-- an acceptance is proposed (acceptance_status 'proposed') and approved by
-- the role the profile names (CISO), never the asset's manager, until
-- accepted_until; finding_id links it to a finding in risk_accepted.
CREATE TABLE risk_assessments (
  id                   INTEGER PRIMARY KEY,
  asset_id             INTEGER NOT NULL REFERENCES assets(id),
  threat_id            TEXT NOT NULL,
  threat               INTEGER NOT NULL CHECK (threat BETWEEN 1 AND 3),
  threat_basis         TEXT NOT NULL CHECK (threat_basis IN ('default', 'edited')),
  threat_reason        TEXT NOT NULL DEFAULT '',
  vulnerability        INTEGER NOT NULL CHECK (vulnerability BETWEEN 1 AND 3),
  vulnerability_basis  TEXT NOT NULL CHECK (vulnerability_basis IN ('default', 'self_inspection',
                                                                    'edited')),
  vulnerability_reason TEXT NOT NULL DEFAULT '',
  edited_by            INTEGER REFERENCES people(id),
  importance           INTEGER NOT NULL CHECK (importance BETWEEN 1 AND 3),
  likelihood           INTEGER NOT NULL,
  score                INTEGER NOT NULL,
  level                TEXT NOT NULL CHECK (level IN ('low', 'medium', 'high')),
  treatment            TEXT CHECK (treatment IN ('reduce', 'avoid', 'transfer', 'accept')),
  treatment_plan       TEXT NOT NULL DEFAULT '',
  residual_level       TEXT CHECK (residual_level IN ('low', 'medium', 'high')),
  treated_by           INTEGER REFERENCES people(id),
  treated_at           TEXT,
  acceptance_status    TEXT CHECK (acceptance_status IN ('proposed', 'approved')),
  accepted_by          INTEGER REFERENCES people(id),
  accepted_at          TEXT,
  accepted_until       TEXT,
  acceptance_comment   TEXT NOT NULL DEFAULT '',
  finding_id           INTEGER REFERENCES findings(id),
  next_review_on       TEXT NOT NULL,
  computed_at          TEXT NOT NULL,
  updated_at           TEXT NOT NULL,
  UNIQUE (asset_id, threat_id)
);
-- No index on level: a list by level reads the register's few hundred
-- thousand rows at most, and each index slows a computation's inserts.

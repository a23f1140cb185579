-- 0001 core: the ledger's settings, the organization (部局, 課室等, people and
-- their roles) and the audit log. Portable SQL: see src/storage/database.h.

CREATE TABLE ledger_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- 部局
CREATE TABLE departments (
  id    INTEGER PRIMARY KEY,
  code  TEXT NOT NULL UNIQUE,
  name  TEXT NOT NULL
);

-- 課室等
CREATE TABLE sections (
  id            INTEGER PRIMARY KEY,
  code          TEXT NOT NULL UNIQUE,
  name          TEXT NOT NULL,
  department_id INTEGER NOT NULL REFERENCES departments(id)
);

-- 職員等. employment: staff (職員), fiscal_year (会計年度任用職員),
-- fixed_term (任期付), contractor (委託事業者).
CREATE TABLE people (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  section_id  INTEGER NOT NULL REFERENCES sections(id),
  employment  TEXT NOT NULL CHECK (employment IN ('staff', 'fiscal_year', 'fixed_term', 'contractor')),
  email       TEXT NOT NULL DEFAULT '',
  start_date  TEXT NOT NULL,
  end_date    TEXT
);

-- A person's role (a role id of the profile) for a section, a department or
-- the whole organization (both NULL). manager/liaison are per section,
-- officer per department, the others organization-wide.
CREATE TABLE person_roles (
  id            INTEGER PRIMARY KEY,
  person_id     INTEGER NOT NULL REFERENCES people(id),
  role          TEXT NOT NULL,
  section_id    INTEGER REFERENCES sections(id),
  department_id INTEGER REFERENCES departments(id),
  start_date    TEXT NOT NULL,
  end_date      TEXT,
  UNIQUE (person_id, role, section_id, department_id)
);

-- The audit log (src/audit/audit_log.h): append-only, hash-chained.
CREATE TABLE audit_events (
  seq          INTEGER PRIMARY KEY,
  time_utc     TEXT NOT NULL,
  actor        TEXT NOT NULL,
  action       TEXT NOT NULL,
  object_type  TEXT NOT NULL,
  object_id    TEXT NOT NULL,
  state        TEXT NOT NULL,
  state_digest TEXT NOT NULL,
  prev_hash    TEXT NOT NULL,
  hash         TEXT NOT NULL
);
CREATE INDEX audit_events_time ON audit_events (time_utc);
CREATE INDEX audit_events_object ON audit_events (object_type, object_id);

CREATE TABLE audit_checkpoints (
  seq       INTEGER PRIMARY KEY,
  hash      TEXT NOT NULL,
  time_utc  TEXT NOT NULL,
  key_id    TEXT NOT NULL,
  signature TEXT NOT NULL
);

-- Append-only inside the program too: an update or delete is refused. (Anyone
-- who can write the database can drop these; the hash chain catches that.)
-- Trigger syntax is the one place the two engines' SQL differs here.
-- engine: sqlite
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
-- engine: postgres
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
-- engine: all

-- 0002 registers: 情報資産台帳 and the other registers the policy makes the
-- organization keep. Each table is described once as data in
-- src/ledger/registers/spec.cc (the column names are the field ids there; a
-- test checks that they agree). Every register row has a unique code, the
-- fields, and retired_date/retired_reason (rows are retired, never deleted, so
-- that the audit log's history keeps pointing at something). Empty optional
-- values are NULL. Booleans are INTEGER 0/1. Portable SQL: see
-- src/storage/database.h.

-- 情報資産台帳 (2.1, 2.2). classification: the asset's own levels as JSON
-- {"axis": "level"} on the profile's axes. effective_classification and
-- effective_handling are computed (2.2(1)①, 2.2(4)③: a system or medium holding
-- data of several levels is treated at the highest), never typed in.
CREATE TABLE assets (
  id                       INTEGER PRIMARY KEY,
  code                     TEXT NOT NULL UNIQUE,
  name                     TEXT NOT NULL,
  kind                     TEXT NOT NULL CHECK (kind IN ('system', 'media', 'device', 'data', 'document')),
  description              TEXT,
  classification           TEXT,
  owner_section            TEXT NOT NULL REFERENCES sections(code),
  manager                  TEXT NOT NULL REFERENCES people(code),
  segment                  TEXT,
  location                 TEXT,
  handling_restrictions    TEXT,
  retention                TEXT,
  note                     TEXT,
  effective_classification TEXT,
  effective_handling       TEXT,
  retired_date             TEXT,
  retired_reason           TEXT NOT NULL DEFAULT '',
  created_utc              TEXT NOT NULL,
  updated_utc              TEXT NOT NULL
);

-- Lists of references (e.g. the data assets a system holds), by code.
CREATE TABLE register_links (
  register   TEXT NOT NULL,
  record_id  INTEGER NOT NULL,
  field      TEXT NOT NULL,
  position   INTEGER NOT NULL,
  target     TEXT NOT NULL,
  PRIMARY KEY (register, record_id, field, position)
);
CREATE INDEX register_links_target ON register_links (register, field, target);

-- パソコン等 (5.1(1)④イ, 6.4, 3(1)②).
CREATE TABLE devices (
  id                        INTEGER PRIMARY KEY,
  code                      TEXT NOT NULL UNIQUE,
  name                      TEXT NOT NULL,
  device_type               TEXT NOT NULL,
  issued                    INTEGER NOT NULL,
  section                   TEXT NOT NULL REFERENCES sections(code),
  user_person               TEXT REFERENCES people(code),
  segment                   TEXT NOT NULL,
  os                        TEXT NOT NULL,
  os_end_of_support         TEXT,
  antimalware_pattern_date  TEXT,
  usb_write_block           INTEGER,
  mfa                       INTEGER,
  serial                    TEXT,
  location                  TEXT,
  note                      TEXT,
  retired_date              TEXT,
  retired_reason            TEXT NOT NULL DEFAULT '',
  created_utc               TEXT NOT NULL,
  updated_utc               TEXT NOT NULL
);

-- 許可された記録媒体 (5.1(1)④ア, 2.2(5)②).
CREATE TABLE media (
  id               INTEGER PRIMARY KEY,
  code             TEXT NOT NULL UNIQUE,
  name             TEXT NOT NULL,
  media_type       TEXT NOT NULL,
  section          TEXT NOT NULL REFERENCES sections(code),
  manager          TEXT NOT NULL REFERENCES people(code),
  encrypted        INTEGER,
  write_protected  INTEGER,
  segment          TEXT,
  location         TEXT,
  issued_date      TEXT,
  note             TEXT,
  retired_date     TEXT,
  retired_reason   TEXT NOT NULL DEFAULT '',
  created_utc      TEXT NOT NULL,
  updated_utc      TEXT NOT NULL
);

-- 許可されたソフトウェアとライセンス (6.1(14), 6.4(1)⑦).
CREATE TABLE software (
  id              INTEGER PRIMARY KEY,
  code            TEXT NOT NULL UNIQUE,
  name            TEXT NOT NULL,
  version         TEXT,
  publisher       TEXT,
  license_type    TEXT NOT NULL,
  license_count   INTEGER,
  license_expiry  TEXT,
  support_end     TEXT,
  section         TEXT NOT NULL REFERENCES sections(code),
  approved_by     TEXT NOT NULL REFERENCES people(code),
  approved_date   TEXT NOT NULL,
  segment         TEXT,
  note            TEXT,
  retired_date    TEXT,
  retired_reason  TEXT NOT NULL DEFAULT '',
  created_utc     TEXT NOT NULL,
  updated_utc     TEXT NOT NULL
);

-- 外部委託事業者 (8.1(1)).
CREATE TABLE vendors (
  id                 INTEGER PRIMARY KEY,
  code               TEXT NOT NULL UNIQUE,
  name               TEXT NOT NULL,
  address            TEXT,
  contact            TEXT,
  selection_checked  INTEGER,
  certification      TEXT,
  note               TEXT,
  retired_date       TEXT,
  retired_reason     TEXT NOT NULL DEFAULT '',
  created_utc        TEXT NOT NULL,
  updated_utc        TEXT NOT NULL
);

-- 委託契約 (8.1(2), 8.1(3)).
CREATE TABLE contracts (
  id                  INTEGER PRIMARY KEY,
  code                TEXT NOT NULL UNIQUE,
  title               TEXT NOT NULL,
  vendor              TEXT NOT NULL REFERENCES vendors(code),
  section             TEXT NOT NULL REFERENCES sections(code),
  manager             TEXT NOT NULL REFERENCES people(code),
  scope               TEXT NOT NULL,
  work_place          TEXT,
  vendor_responsible  TEXT,
  start_date          TEXT NOT NULL,
  end_date            TEXT,
  subcontracting      INTEGER,
  last_check_date     TEXT,
  note                TEXT,
  retired_date        TEXT,
  retired_reason      TEXT NOT NULL DEFAULT '',
  created_utc         TEXT NOT NULL,
  updated_utc         TEXT NOT NULL
);

-- The 8.1(2) contract-clause checklist of each contract: one row per clause
-- item once someone has checked it (no row: not checked yet).
CREATE TABLE contract_clause_checks (
  contract_id   INTEGER NOT NULL REFERENCES contracts(id),
  item          TEXT NOT NULL,
  done          INTEGER NOT NULL,
  note          TEXT NOT NULL DEFAULT '',
  checked_by    TEXT NOT NULL,
  checked_utc   TEXT NOT NULL,
  PRIMARY KEY (contract_id, item)
);

-- 約款による外部サービス (8.2) and クラウドサービス (8.1(1)②).
CREATE TABLE services (
  id              INTEGER PRIMARY KEY,
  code            TEXT NOT NULL UNIQUE,
  name            TEXT NOT NULL,
  service_type    TEXT NOT NULL,
  provider        TEXT,
  purpose         TEXT,
  scope           TEXT,
  classification  TEXT,
  section         TEXT NOT NULL REFERENCES sections(code),
  manager         TEXT NOT NULL REFERENCES people(code),
  risk_checked    INTEGER,
  approved_date   TEXT,
  note            TEXT,
  retired_date    TEXT,
  retired_reason  TEXT NOT NULL DEFAULT '',
  created_utc     TEXT NOT NULL,
  updated_utc     TEXT NOT NULL
);

-- ソーシャルメディアのアカウント (8.3).
CREATE TABLE social_media_accounts (
  id                     INTEGER PRIMARY KEY,
  code                   TEXT NOT NULL UNIQUE,
  service                TEXT NOT NULL,
  account                TEXT NOT NULL,
  url                    TEXT,
  section                TEXT NOT NULL REFERENCES sections(code),
  responsible            TEXT NOT NULL REFERENCES people(code),
  impersonation_measure  INTEGER,
  credential_management  INTEGER,
  start_date             TEXT,
  note                   TEXT,
  retired_date           TEXT,
  retired_reason         TEXT NOT NULL DEFAULT '',
  created_utc            TEXT NOT NULL,
  updated_utc            TEXT NOT NULL
);

-- 外部ネットワークとの接続 (6.1(10)).
CREATE TABLE external_connections (
  id                     INTEGER PRIMARY KEY,
  code                   TEXT NOT NULL UNIQUE,
  name                   TEXT NOT NULL,
  counterparty           TEXT NOT NULL,
  purpose                TEXT,
  segment                TEXT NOT NULL,
  section                TEXT NOT NULL REFERENCES sections(code),
  manager                TEXT NOT NULL REFERENCES people(code),
  approved_by            TEXT REFERENCES people(code),
  approved_date          TEXT,
  firewall               INTEGER,
  liability_in_contract  INTEGER,
  note                   TEXT,
  retired_date           TEXT,
  retired_reason         TEXT NOT NULL DEFAULT '',
  created_utc            TEXT NOT NULL,
  updated_utc            TEXT NOT NULL
);

-- 管理区域 (4.2(1)).
CREATE TABLE controlled_areas (
  id              INTEGER PRIMARY KEY,
  code            TEXT NOT NULL UNIQUE,
  name            TEXT NOT NULL,
  location        TEXT,
  section         TEXT NOT NULL REFERENCES sections(code),
  manager         TEXT NOT NULL REFERENCES people(code),
  access_control  TEXT NOT NULL,
  note            TEXT,
  retired_date    TEXT,
  retired_reason  TEXT NOT NULL DEFAULT '',
  created_utc     TEXT NOT NULL,
  updated_utc     TEXT NOT NULL
);

-- 管理区域の入退室記録 (4.2(2)①: who, when in and out, purpose; 4.2(2)②
-- identification carried; 4.2(2)③ visitors escorted by a permitted person).
-- person is a people code for staff and contractors; a visitor has
-- visitor_name instead and needs an escort.
CREATE TABLE area_entries (
  id                    INTEGER PRIMARY KEY,
  area_id               INTEGER NOT NULL REFERENCES controlled_areas(id),
  person                TEXT REFERENCES people(code),
  visitor_name          TEXT,
  visitor_organization  TEXT,
  purpose               TEXT NOT NULL,
  escort                TEXT REFERENCES people(code),
  id_checked            INTEGER NOT NULL,
  entered_utc           TEXT NOT NULL,
  exited_utc            TEXT,
  recorded_by           TEXT NOT NULL,
  CHECK ((person IS NULL) <> (visitor_name IS NULL))
);
CREATE INDEX area_entries_area ON area_entries (area_id, entered_utc);

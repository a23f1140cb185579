-- 0006 auth: sign-in accounts, their password history and sessions
-- (src/auth/, docs/auth.md). 5.4(2) パスワードの取扱い, 6.2(1) 利用者の認証,
-- 6.2(3) 特権による接続時間の制限. Times are UTC text (common/clock.h);
-- booleans are INTEGER 0/1. No password, token or one-time code is stored in
-- the clear: passwords as Argon2id hashes, session tokens as SHA-256.

-- One account per person. locked_until_utc: NULL = not locked; a time = locked
-- until then; '9999-12-31T23:59:59Z' = until an administrator unlocks
-- (passwords.lockout_minutes = 0). totp_secret: the enrolled TOTP secret
-- (base32; NULL = not enrolled); totp_pending_secret: one being enrolled;
-- totp_last_step: the last accepted TOTP step, so a code is never accepted twice.
CREATE TABLE accounts (
  id                   INTEGER PRIMARY KEY,
  person_id            INTEGER NOT NULL UNIQUE REFERENCES people(id),
  login                TEXT NOT NULL UNIQUE,
  password_hash        TEXT NOT NULL,   -- libsodium crypto_pwhash_str (Argon2id)
  temporary            INTEGER NOT NULL CHECK (temporary IN (0, 1)),
  password_changed_utc TEXT NOT NULL,
  failed_count         INTEGER NOT NULL DEFAULT 0,
  locked_until_utc     TEXT,
  totp_secret          TEXT,
  totp_pending_secret  TEXT,
  totp_last_step       INTEGER NOT NULL DEFAULT 0,
  created_utc          TEXT NOT NULL,
  updated_utc          TEXT NOT NULL
);

-- Passwords an account had before its current one (再利用禁止), newest kept:
-- the last passwords.history of them.
CREATE TABLE password_history (
  id            INTEGER PRIMARY KEY,
  account_id    INTEGER NOT NULL REFERENCES accounts(id),
  password_hash TEXT NOT NULL,
  changed_utc   TEXT NOT NULL   -- when it stopped being the current password
);
CREATE INDEX password_history_account ON password_history (account_id);

-- Signed-in sessions. token_hash = SHA-256 (hex) of the token the browser
-- holds; the token itself is never stored. ended_utc: NULL while open.
-- must_change_password / must_enroll_totp: the session may only change the
-- password / enroll TOTP until cleared.
CREATE TABLE sessions (
  id                   INTEGER PRIMARY KEY,
  token_hash           TEXT NOT NULL UNIQUE,
  csrf_token           TEXT NOT NULL,
  person_id            INTEGER NOT NULL REFERENCES people(id),
  created_utc          TEXT NOT NULL,
  last_seen_utc        TEXT NOT NULL,
  expires_utc          TEXT NOT NULL,
  privileged           INTEGER NOT NULL CHECK (privileged IN (0, 1)),
  mfa_done             INTEGER NOT NULL CHECK (mfa_done IN (0, 1)),
  must_change_password INTEGER NOT NULL CHECK (must_change_password IN (0, 1)),
  must_enroll_totp     INTEGER NOT NULL CHECK (must_enroll_totp IN (0, 1)),
  remote_addr          TEXT NOT NULL DEFAULT '',
  user_agent           TEXT NOT NULL DEFAULT '',
  ended_utc            TEXT
);
CREATE INDEX sessions_person ON sessions (person_id);

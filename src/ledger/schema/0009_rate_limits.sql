-- The counts behind the rate limits of the server (src/server/rate_limit.h),
-- shared by every server process on the database: failed sign-ins by
-- address (6.2(1)②, the profile's [auth]) and reports through the residents'
-- form. Working state, not records: rows are overwritten and forgotten when
-- they no longer count (the audit log keeps what happened).
CREATE TABLE rate_limits (
  limiter       TEXT NOT NULL,              -- "sign_in_failure", "public_report"
  subject       TEXT NOT NULL,              -- the client address (AddressKey)
  times         TEXT NOT NULL DEFAULT '',   -- epoch seconds of the events in the window, oldest first
  blocked_until INTEGER NOT NULL DEFAULT 0, -- epoch seconds; 0 when not blocked
  updated       INTEGER NOT NULL,           -- epoch seconds of the last change
  PRIMARY KEY (limiter, subject)
);
CREATE INDEX rate_limits_updated ON rate_limits (limiter, updated);

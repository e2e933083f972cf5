-- 0002: server-side sessions. The cookie carries a random token; we store only its SHA-256, so a read of
-- this table cannot be replayed as a cookie. Rows make logout and "sign out everywhere" real.
CREATE TABLE sessions (
  id            text PRIMARY KEY,              -- sha256(token), hex
  user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  user_agent    text
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expiry_idx ON sessions (expires_at);

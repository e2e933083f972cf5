-- 0006: the idle timeout (SESSION_IDLE_TIMEOUT_MS) reads sessions.last_seen_at, which 0002 created but nothing
-- updated until now: every row still holds its creation time. Start existing sessions' idle clock at this
-- upgrade, or every session older than the idle timeout would be signed out by the deploy itself.
UPDATE sessions SET last_seen_at = now();

-- The prune deletes `expires_at <= now OR last_seen_at <= now - idle`; each side has its index.
CREATE INDEX sessions_last_seen_idx ON sessions (last_seen_at);

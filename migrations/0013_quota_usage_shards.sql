-- Issue 17: today's usage per class was one row that every grant of the class updated — under load every take
-- of the project queued on that row's lock (pg_stat_statements in the scale benchmark: the take was the server's
-- most expensive statement). Each class's count is now spread over 16 rows by a hash of the subject; readers sum.
ALTER TABLE quota_daily_usage ADD COLUMN shard smallint NOT NULL DEFAULT 0 CHECK (shard BETWEEN 0 AND 15);
ALTER TABLE quota_daily_usage DROP CONSTRAINT quota_daily_usage_pkey;
ALTER TABLE quota_daily_usage ADD PRIMARY KEY (resource, day, class, shard);

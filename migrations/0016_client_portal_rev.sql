-- What a client's portal shows of its invoices, quotes, jobs (with their visits) and
-- tasks carries a revision: triggers (0017 on SQLite, 0018 on PostgreSQL) raise
-- client.portal_rev in the same transaction as any write to those rows. A portal page
-- reads the revision with its session and reuses what it last read for that revision,
-- so the reuse is exact on every instance that shares the database.
ALTER TABLE client ADD COLUMN portal_rev BIGINT NOT NULL DEFAULT 0;

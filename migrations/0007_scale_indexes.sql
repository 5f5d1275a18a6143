-- Indexes for the portal at scale: every list the portal pages through is read newest
-- first inside one client of one workspace, so each gets an index that starts with
-- (workspace_id, client_id) and ends with its sort key and id. The database then walks
-- the index from the cursor and stops after a page, whatever the client's history holds,
-- instead of reading all of the client's rows and sorting them. Status and visibility
-- are checked on the rows the walk meets.
--
-- IF NOT EXISTS: on a large PostgreSQL database an operator may build these beforehand
-- with CREATE INDEX CONCURRENTLY (same names), and this migration then takes no lock.
CREATE INDEX IF NOT EXISTS invoice_client_issued ON invoice (workspace_id, client_id, issue_date, id);
CREATE INDEX IF NOT EXISTS quote_client_issued ON quote (workspace_id, client_id, issue_date, id);
CREATE INDEX IF NOT EXISTS request_client_id ON request (workspace_id, client_id, id);
CREATE INDEX IF NOT EXISTS project_client_id ON project (workspace_id, client_id, id);
CREATE INDEX IF NOT EXISTS job_client_id ON job (workspace_id, client_id, id);
CREATE INDEX IF NOT EXISTS task_client_id ON task (workspace_id, client_id, shared_with_client, id);
CREATE INDEX IF NOT EXISTS payment_client_invoice ON payment (workspace_id, client_id, invoice_id, received_at);

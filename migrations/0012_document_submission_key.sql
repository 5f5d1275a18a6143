-- A New quote / New invoice form carries a one-time key, so that sending it twice (a
-- double click, a refresh after the POST) creates one document and uses one number.
ALTER TABLE invoice ADD COLUMN submission_key TEXT;
CREATE UNIQUE INDEX invoice_submission_key ON invoice (workspace_id, submission_key);
ALTER TABLE quote ADD COLUMN submission_key TEXT;
CREATE UNIQUE INDEX quote_submission_key ON quote (workspace_id, submission_key);

-- A New client form carries a one-time key, so that sending it twice (a double click, a
-- refresh after the POST) creates one client; a second insert with the key is refused here.
ALTER TABLE client ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX client_idempotency ON client (workspace_id, idempotency_key);

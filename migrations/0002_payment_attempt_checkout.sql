-- Online payments. An open attempt keeps the provider page it sent the browser to, so a
-- second press of Pay now (or a second tab) goes back to the same page; and an invoice has
-- at most one open attempt, enforced here so concurrent presses cannot both create one.
ALTER TABLE payment_attempt ADD COLUMN checkout_url TEXT;
CREATE UNIQUE INDEX payment_attempt_one_open ON payment_attempt (invoice_id) WHERE status = 'open';

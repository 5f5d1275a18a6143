-- Quotes and invoices authored in the back office. An offline payment keeps the reference
-- staff typed (a bank transfer id, a cheque number) apart from the provider's unique one;
-- the staff lists filter a workspace's documents by status, newest first.
ALTER TABLE payment ADD COLUMN reference TEXT NOT NULL DEFAULT '';
CREATE INDEX invoice_workspace_status ON invoice (workspace_id, status, id);
CREATE INDEX quote_workspace_status ON quote (workspace_id, status, id);

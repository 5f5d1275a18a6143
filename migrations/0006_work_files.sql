-- CSV imports of clients and contacts: the checked file waits here between its preview
-- and the staff member's confirmation, and the import's outcome is kept for its page.
-- Status: preview → running → done | failed.
CREATE TABLE client_import (
    id BIGINT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspace(id),
    created_by BIGINT REFERENCES staff_user(id),
    file_name TEXT NOT NULL DEFAULT '',
    csv TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('preview', 'running', 'done', 'failed')),
    client_count BIGINT NOT NULL DEFAULT 0,
    contact_count BIGINT NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX client_import_workspace ON client_import (workspace_id, created_at);

-- Provider events are deduplicated per workspace: Stripe delivers one event (one evt_ id)
-- to every webhook endpoint of an account, so two workspaces connected to the same account
-- each receive it, and a delivery to one workspace must never mark the other's as handled.
-- The table is rebuilt (SQLite cannot change a primary key in place).
CREATE TABLE provider_event_by_workspace (
    provider TEXT NOT NULL,
    event_id TEXT NOT NULL,
    workspace_id BIGINT NOT NULL REFERENCES workspace(id),
    kind TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    processed_at BIGINT,
    PRIMARY KEY (workspace_id, provider, event_id)
);

INSERT INTO provider_event_by_workspace
    (provider, event_id, workspace_id, kind, received_at, processed_at)
SELECT provider, event_id, workspace_id, kind, received_at, processed_at FROM provider_event;

DROP TABLE provider_event;

ALTER TABLE provider_event_by_workspace RENAME TO provider_event;

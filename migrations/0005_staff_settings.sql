-- Staff accounts, first-run setup and settings.
--
-- An invitation can be withdrawn before it is used.
ALTER TABLE staff_invite ADD COLUMN revoked_at BIGINT;
ALTER TABLE staff_invite ADD COLUMN email TEXT NOT NULL DEFAULT '';
CREATE INDEX staff_invite_workspace ON staff_invite (workspace_id, created_at);

-- First-run setup claims this single row in the same transaction that creates the
-- workspace and its owner, so two setup forms sent at once create one owner: the second
-- insert of id 1 is refused by the primary key. The claim is written first, before the
-- workspace exists, so it names the workspace without a foreign key.
CREATE TABLE setup_claim (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    workspace_id BIGINT NOT NULL,
    claimed_at BIGINT NOT NULL
);

-- The logo's type, checked from its bytes at upload; the bytes live in the file store
-- under a key made from the workspace id and `logo_file_id`.
ALTER TABLE business_profile ADD COLUMN logo_content_type TEXT NOT NULL DEFAULT '';

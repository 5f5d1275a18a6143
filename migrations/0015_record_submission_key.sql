-- The New job, project, task, contact and catalogue-item forms carry a one-time key, as
-- the New quote / New invoice forms do (0012), so that sending one twice creates one
-- record (and uses one job number).
ALTER TABLE job ADD COLUMN submission_key TEXT;
CREATE UNIQUE INDEX job_submission_key ON job (workspace_id, submission_key);
ALTER TABLE project ADD COLUMN submission_key TEXT;
CREATE UNIQUE INDEX project_submission_key ON project (workspace_id, submission_key);
ALTER TABLE task ADD COLUMN submission_key TEXT;
CREATE UNIQUE INDEX task_submission_key ON task (workspace_id, submission_key);
ALTER TABLE contact ADD COLUMN submission_key TEXT;
CREATE UNIQUE INDEX contact_submission_key ON contact (workspace_id, submission_key);
ALTER TABLE product ADD COLUMN submission_key TEXT;
CREATE UNIQUE INDEX product_submission_key ON product (workspace_id, submission_key);

-- The hourly clean-up (Store::purge_expired) deletes rate-limit windows and login codes
-- by age across all workspaces; without these indexes each pass reads both tables whole.
CREATE INDEX IF NOT EXISTS rate_limit_window_start ON rate_limit (window_start);
CREATE INDEX IF NOT EXISTS login_code_created_at ON login_code (created_at);

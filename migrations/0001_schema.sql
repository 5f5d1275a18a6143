-- The whole data model of Portico. Portable SQL: the same file runs on SQLite and
-- PostgreSQL. Conventions: ids are application-generated BIGINTs (time-ordered, random
-- low bits); instants are BIGINT milliseconds since the Unix epoch, UTC; calendar dates
-- are TEXT 'YYYY-MM-DD'; money is BIGINT minor units next to a 3-letter currency code;
-- flags are BIGINT 0 or 1 (the sqlx Any driver has no portable boolean); emails are kept as typed plus a trimmed lower-case `email_norm`.

CREATE TABLE workspace (
    id BIGINT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    default_currency TEXT NOT NULL,
    portal_idle_minutes BIGINT NOT NULL DEFAULT 30,
    portal_absolute_minutes BIGINT NOT NULL DEFAULT 720,
    allow_partial_payments BIGINT NOT NULL DEFAULT 0,
    partial_payment_min_minor BIGINT NOT NULL DEFAULT 0,
    file_size_limit_bytes BIGINT NOT NULL DEFAULT 52428800,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE business_profile (
    workspace_id BIGINT PRIMARY KEY REFERENCES workspace(id),
    display_name TEXT NOT NULL,
    about_us TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    website TEXT NOT NULL DEFAULT '',
    hours TEXT NOT NULL DEFAULT '',
    accent_colour TEXT NOT NULL DEFAULT '#1f6f5c',
    logo_file_id BIGINT,
    updated_at BIGINT NOT NULL
);

CREATE TABLE staff_user (
    id BIGINT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspace(id),
    email TEXT NOT NULL,
    email_norm TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    password_hash TEXT,
    totp_secret_enc TEXT,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT,
    last_login_at BIGINT,
    disabled_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX staff_user_workspace ON staff_user (workspace_id);

CREATE TABLE staff_invite (
    id BIGINT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspace(id),
    email_norm TEXT NOT NULL,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    invited_by BIGINT REFERENCES staff_user(id),
    expires_at BIGINT NOT NULL,
    accepted_at BIGINT,
    created_at BIGINT NOT NULL
);

CREATE TABLE staff_session (
    token_hash TEXT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspace(id),
    staff_user_id BIGINT NOT NULL REFERENCES staff_user(id),
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    revoked_at BIGINT,
    ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX staff_session_user ON staff_session (staff_user_id);

CREATE TABLE client (
    id BIGINT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspace(id),
    kind TEXT NOT NULL CHECK (kind IN ('company', 'individual')),
    name TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    billing_address TEXT NOT NULL DEFAULT '',
    site_address TEXT NOT NULL DEFAULT '',
    internal_notes TEXT NOT NULL DEFAULT '',
    portal_enabled BIGINT NOT NULL DEFAULT 0,
    portal_access_key TEXT UNIQUE,
    portal_enabled_at BIGINT,
    portal_enabled_by BIGINT REFERENCES staff_user(id),
    portal_last_login_at BIGINT,
    archived_at BIGINT,
    deleted_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX client_workspace_name ON client (workspace_id, name);

CREATE TABLE contact (
    id BIGINT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspace(id),
    client_id BIGINT NOT NULL REFERENCES client(id),
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL DEFAULT '',
    email TEXT,
    email_norm TEXT,
    phone TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL DEFAULT '',
    is_primary BIGINT NOT NULL DEFAULT 0,
    deleted_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX contact_client ON contact (client_id);
CREATE INDEX contact_email ON contact (workspace_id, email_norm);
CREATE UNIQUE INDEX contact_unique_email ON contact (client_id, email_norm) WHERE deleted_at IS NULL;

-- One row per "send me a code" submission, whether or not the address is known, so the
-- work done (and so the timing) does not depend on it. `code_hash` is NULL when no
-- contact matched; such an attempt can never verify.
CREATE TABLE login_code (
    id BIGINT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspace(id),
    client_id BIGINT REFERENCES client(id),
    email_norm TEXT NOT NULL,
    attempt_hash TEXT NOT NULL UNIQUE,
    code_hash TEXT,
    -- 1 when the request was within the send limits (a code went out if the address is
    -- known); per-address limits count these rows, known address or not.
    accepted BIGINT NOT NULL DEFAULT 0,
    failed_tries BIGINT NOT NULL DEFAULT 0,
    expires_at BIGINT NOT NULL,
    consumed_at BIGINT,
    voided_at BIGINT,
    ip TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX login_code_email ON login_code (workspace_id, email_norm, created_at);

CREATE TABLE portal_session (
    token_hash TEXT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspace(id),
    client_id BIGINT REFERENCES client(id),
    contact_id BIGINT REFERENCES contact(id),
    email_norm TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    revoked_at BIGINT,
    ip TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX portal_session_client ON portal_session (client_id);
CREATE INDEX portal_session_email ON portal_session (workspace_id, email_norm);

-- Fixed-window counters shared by every instance: bucket names a limit and a subject
-- (e.g. 'code-email:<ws>:<email>'), window_start the window's first millisecond.
CREATE TABLE rate_limit (
    bucket TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    hits BIGINT NOT NULL,
    PRIMARY KEY (bucket, window_start)
);

CREATE TABLE product (
    id BIGINT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspace(id),
    kind TEXT NOT NULL CHECK (kind IN ('product', 'service')),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    unit TEXT NOT NULL DEFAULT '',
    price_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    tax_rate_bp BIGINT NOT NULL DEFAULT 0,
    visible_in_portal BIGINT NOT NULL DEFAULT 0,
    archived_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX product_workspace ON product (workspace_id, visible_in_portal, name);

CREATE TABLE number_sequence (
    workspace_id BIGINT NOT NULL REFERENCES workspace(id),
    kind TEXT NOT NULL,
    prefix TEXT NOT NULL,
    next_value BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, kind)
);

CREATE TABLE project (
    id BIGINT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspace(id),
    client_id BIGINT NOT NULL REFERENCES client(id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('planned', 'active', 'on_hold', 'completed', 'cancelled')),
    progress_pct BIGINT NOT NULL DEFAULT 0,
    start_date TEXT,
    due_date TEXT,
    internal_notes TEXT NOT NULL DEFAULT '',
    archived_at BIGINT,
    deleted_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX project_client ON project (workspace_id, client_id, status, created_at);

CREATE TABLE job (
    id BIGINT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspace(id),
    client_id BIGINT NOT NULL REFERENCES client(id),
    project_id BIGINT REFERENCES project(id),
    number TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('draft', 'unscheduled', 'scheduled', 'in_progress', 'on_hold', 'completed', 'cancelled')),
    site_address TEXT NOT NULL DEFAULT '',
    scheduled_start BIGINT,
    scheduled_end BIGINT,
    internal_notes TEXT NOT NULL DEFAULT '',
    archived_at BIGINT,
    deleted_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (workspace_id, number)
);
CREATE INDEX job_client ON job (workspace_id, client_id, status, created_at);
CREATE INDEX job_project ON job (project_id);

CREATE TABLE visit (
    id BIGINT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspace(id),
    job_id BIGINT NOT NULL REFERENCES job(id),
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('scheduled', 'completed', 'cancelled')),
    assigned_to BIGINT REFERENCES staff_user(id),
    notes TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX visit_job ON visit (job_id, starts_at);

CREATE TABLE quote (
    id BIGINT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspace(id),
    client_id BIGINT NOT NULL REFERENCES client(id),
    request_id BIGINT,
    number TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('draft', 'sent', 'accepted', 'declined')),
    issue_date TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    currency TEXT NOT NULL,
    subtotal_minor BIGINT NOT NULL DEFAULT 0,
    tax_minor BIGINT NOT NULL DEFAULT 0,
    total_minor BIGINT NOT NULL DEFAULT 0,
    client_notes TEXT NOT NULL DEFAULT '',
    internal_notes TEXT NOT NULL DEFAULT '',
    sent_at BIGINT,
    decided_at BIGINT,
    archived_at BIGINT,
    deleted_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (workspace_id, number)
);
CREATE INDEX quote_client ON quote (workspace_id, client_id, status, issue_date);

CREATE TABLE quote_line (
    id BIGINT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspace(id),
    quote_id BIGINT NOT NULL REFERENCES quote(id),
    position BIGINT NOT NULL,
    product_id BIGINT REFERENCES product(id),
    description TEXT NOT NULL,
    quantity_milli BIGINT NOT NULL,
    unit_price_minor BIGINT NOT NULL,
    discount_bp BIGINT NOT NULL DEFAULT 0,
    tax_rate_bp BIGINT NOT NULL DEFAULT 0,
    subtotal_minor BIGINT NOT NULL,
    tax_minor BIGINT NOT NULL,
    total_minor BIGINT NOT NULL
);
CREATE INDEX quote_line_quote ON quote_line (quote_id, position);

CREATE TABLE invoice (
    id BIGINT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspace(id),
    client_id BIGINT NOT NULL REFERENCES client(id),
    quote_id BIGINT REFERENCES quote(id),
    job_id BIGINT REFERENCES job(id),
    number TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('draft', 'sent', 'partially_paid', 'paid', 'void')),
    issue_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    currency TEXT NOT NULL,
    subtotal_minor BIGINT NOT NULL DEFAULT 0,
    tax_minor BIGINT NOT NULL DEFAULT 0,
    total_minor BIGINT NOT NULL DEFAULT 0,
    paid_minor BIGINT NOT NULL DEFAULT 0,
    client_notes TEXT NOT NULL DEFAULT '',
    internal_notes TEXT NOT NULL DEFAULT '',
    sent_at BIGINT,
    voided_at BIGINT,
    archived_at BIGINT,
    deleted_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (workspace_id, number)
);
CREATE INDEX invoice_client ON invoice (workspace_id, client_id, status, issue_date, id);
CREATE INDEX invoice_client_due ON invoice (workspace_id, client_id, due_date);

CREATE TABLE invoice_line (
    id BIGINT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspace(id),
    invoice_id BIGINT NOT NULL REFERENCES invoice(id),
    position BIGINT NOT NULL,
    product_id BIGINT REFERENCES product(id),
    description TEXT NOT NULL,
    quantity_milli BIGINT NOT NULL,
    unit_price_minor BIGINT NOT NULL,
    discount_bp BIGINT NOT NULL DEFAULT 0,
    tax_rate_bp BIGINT NOT NULL DEFAULT 0,
    subtotal_minor BIGINT NOT NULL,
    tax_minor BIGINT NOT NULL,
    total_minor BIGINT NOT NULL
);
CREATE INDEX invoice_line_invoice ON invoice_line (invoice_id, position);

CREATE TABLE payment (
    id BIGINT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspace(id),
    client_id BIGINT NOT NULL REFERENCES client(id),
    invoice_id BIGINT NOT NULL REFERENCES invoice(id),
    attempt_id BIGINT,
    method TEXT NOT NULL CHECK (method IN ('stripe', 'telr', 'cash', 'bank_transfer', 'cheque', 'other')),
    status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'refunded')),
    amount_minor BIGINT NOT NULL,
    refunded_minor BIGINT NOT NULL DEFAULT 0,
    currency TEXT NOT NULL,
    provider_ref TEXT UNIQUE,
    note TEXT NOT NULL DEFAULT '',
    recorded_by BIGINT REFERENCES staff_user(id),
    received_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX payment_invoice ON payment (invoice_id, received_at);

CREATE TABLE payment_attempt (
    id BIGINT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspace(id),
    client_id BIGINT NOT NULL REFERENCES client(id),
    invoice_id BIGINT NOT NULL REFERENCES invoice(id),
    contact_id BIGINT REFERENCES contact(id),
    provider TEXT NOT NULL CHECK (provider IN ('stripe', 'telr')),
    status TEXT NOT NULL CHECK (status IN ('open', 'succeeded', 'failed', 'expired', 'cancelled')),
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    provider_session_id TEXT UNIQUE,
    provider_ref TEXT UNIQUE,
    livemode BIGINT NOT NULL DEFAULT 0,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX payment_attempt_invoice ON payment_attempt (invoice_id, status);
CREATE INDEX payment_attempt_open ON payment_attempt (status, updated_at);

CREATE TABLE provider_event (
    provider TEXT NOT NULL,
    event_id TEXT NOT NULL,
    workspace_id BIGINT NOT NULL REFERENCES workspace(id),
    kind TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    processed_at BIGINT,
    PRIMARY KEY (provider, event_id)
);

CREATE TABLE integration (
    workspace_id BIGINT NOT NULL REFERENCES workspace(id),
    provider TEXT NOT NULL CHECK (provider IN ('stripe', 'telr')),
    secrets_enc TEXT NOT NULL,
    key_hint TEXT NOT NULL,
    settings TEXT NOT NULL DEFAULT '{}',
    livemode BIGINT NOT NULL DEFAULT 0,
    connected_by BIGINT REFERENCES staff_user(id),
    connected_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, provider)
);

CREATE TABLE task (
    id BIGINT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspace(id),
    client_id BIGINT NOT NULL REFERENCES client(id),
    project_id BIGINT REFERENCES project(id),
    job_id BIGINT REFERENCES job(id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    due_date TEXT,
    done_at BIGINT,
    shared_with_client BIGINT NOT NULL DEFAULT 0,
    deleted_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX task_client ON task (workspace_id, client_id, shared_with_client, created_at);

CREATE TABLE request (
    id BIGINT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspace(id),
    client_id BIGINT NOT NULL REFERENCES client(id),
    contact_id BIGINT REFERENCES contact(id),
    subject TEXT NOT NULL,
    details TEXT NOT NULL,
    preferred_date TEXT,
    site_address TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('new', 'in_review', 'converted', 'closed')),
    assigned_to BIGINT REFERENCES staff_user(id),
    converted_quote_id BIGINT REFERENCES quote(id),
    converted_job_id BIGINT REFERENCES job(id),
    product_id BIGINT REFERENCES product(id),
    idempotency_key TEXT,
    deleted_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX request_client ON request (workspace_id, client_id, status, created_at);
CREATE UNIQUE INDEX request_idempotency ON request (workspace_id, idempotency_key);

CREATE TABLE request_event (
    id BIGINT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspace(id),
    request_id BIGINT NOT NULL REFERENCES request(id),
    status TEXT NOT NULL,
    staff_user_id BIGINT REFERENCES staff_user(id),
    internal_note TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX request_event_request ON request_event (request_id, created_at);

CREATE TABLE file (
    id BIGINT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspace(id),
    client_id BIGINT NOT NULL REFERENCES client(id),
    job_id BIGINT REFERENCES job(id),
    invoice_id BIGINT REFERENCES invoice(id),
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL UNIQUE,
    uploaded_by BIGINT REFERENCES staff_user(id),
    deleted_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX file_client ON file (workspace_id, client_id, created_at);
CREATE INDEX file_job ON file (job_id);
CREATE INDEX file_invoice ON file (invoice_id);

CREATE TABLE api_token (
    id BIGINT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspace(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    token_prefix TEXT NOT NULL,
    created_by BIGINT REFERENCES staff_user(id),
    last_used_at BIGINT,
    revoked_at BIGINT,
    created_at BIGINT NOT NULL
);

CREATE TABLE audit_event (
    id BIGINT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspace(id),
    at BIGINT NOT NULL,
    actor_kind TEXT NOT NULL CHECK (actor_kind IN ('staff', 'contact', 'api', 'system', 'anonymous')),
    actor_id BIGINT,
    actor_label TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL,
    subject_kind TEXT NOT NULL DEFAULT '',
    subject_id BIGINT,
    client_id BIGINT,
    ip TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_event_workspace ON audit_event (workspace_id, at);
CREATE INDEX audit_event_client ON audit_event (workspace_id, client_id, at);

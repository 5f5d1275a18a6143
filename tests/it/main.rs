//! All integration tests, in one binary. Each test gets a fresh database: SQLite by
//! default, PostgreSQL when `PORTICO_TEST_DATABASE_URL` is set (the test script runs
//! the suite both ways).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod accessibility;
mod api;
mod api_contract;
mod api_documents;
mod api_files;
mod api_requests;
mod audit_log;
mod browser;
mod catalogue;
mod client_view;
mod csv_import;
mod demo;
mod double_submission;
mod files;
mod first_run;
mod hostile;
mod isolation;
mod payments;
mod payments_replays;
mod payments_secrets;
mod payments_tenants;
mod payments_views;
mod portal_access;
mod portal_login;
mod portal_sections;
mod portal_session;
mod security;
mod settings;
mod staff_accounts;
mod staff_client_edit;
mod staff_clients;
mod staff_csrf;
mod staff_invoice_files;
mod staff_invoices;
mod staff_portal_flow;
mod staff_requests;
mod staff_sessions;
mod staff_uploads;
mod staff_visits;
mod staff_work;
mod work_delete;

mod scale_generate;
mod scale_indexes;
mod scale_out;
mod scale_s3;

//! All integration tests, in one binary. Each test gets a fresh database: SQLite by
//! default, PostgreSQL when `PORTICO_TEST_DATABASE_URL` is set (the test script runs
//! the suite both ways).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod accessibility;
mod api;
mod api_contract;
mod browser;
mod demo;
mod files;
mod isolation;
mod payments;
mod portal_access;
mod portal_login;
mod portal_sections;
mod portal_session;
mod security;
mod staff_clients;
mod staff_requests;

mod scale_generate;
mod scale_indexes;
mod scale_out;
mod scale_s3;

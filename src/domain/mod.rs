//! Business rules as plain types and functions: no HTTP, no SQL. Everything here is
//! unit-tested on its own.

pub mod api_token;
pub mod client_form;
pub mod csv_import;
pub mod document_form;
pub mod email;
pub mod files;
pub mod lines;
pub mod money;
pub mod offline_payment;
pub mod paging;
pub mod partial_payment;
pub mod portal_login;
pub mod portal_view;
pub mod product_form;
pub mod records;
pub mod request_form;
pub mod settings;
pub mod staff;
pub mod text;
pub mod upload;
pub mod work_form;

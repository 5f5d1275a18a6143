//! Online payments: the pure, HTTP-free core (no network, no database).
//!
//! Everything here follows the team's payments fact sheet (Stripe's and Telr's documented
//! wire formats, with their test vectors); each rule cites its section:
//!
//! - [`amounts`]: invoice minor units → Stripe integer amounts (A6) and Telr decimal
//!   strings (C2), with Stripe's minimum and maximum charge checks. Never floats.
//! - [`stripe`]: `Stripe-Signature` webhook verification (B1–B3), a signer for test
//!   webhooks, Stripe's form encoding (A1) and the Checkout Session parameters for
//!   paying one invoice (A2).
//! - [`telr`]: the Hosted Payment Page create and check requests (C2, C3), the order
//!   status codes (C3) and Transaction Advice Service `tran_check` verification (C4).
//!
//! On top of that core: [`vault`] seals provider credentials at rest, [`provider`] makes
//! the HTTP calls, [`service`] starts, confirms and records payments exactly once (and
//! runs the reconciler), and [`webhooks`] receives Stripe events and Telr advice.

pub mod amounts;
pub mod integrations;
pub mod provider;
pub mod service;
pub mod stripe;
pub mod telr;
pub mod vault;
pub mod webhooks;

//! Record ids: positive `i64`s that sort by creation time and cannot be guessed from a
//! neighbour. 41 bits of milliseconds since 2024-01-01 UTC, then 22 random bits; within
//! one process ids are strictly increasing. Generated here so the same schema works on
//! SQLite and PostgreSQL and several instances never need to coordinate.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicI64, Ordering};

use rand::Rng;

const EPOCH_MS: i64 = 1_704_067_200_000;
const RANDOM_BITS: u32 = 22;

static LAST: AtomicI64 = AtomicI64::new(0);

/// A fresh id for any table.
pub fn new_id() -> i64 {
    let now_ms = jiff::Timestamp::now().as_millisecond();
    let ms = (now_ms - EPOCH_MS).max(0);
    let random: i64 = rand::thread_rng().gen_range(0..(1i64 << RANDOM_BITS));
    let candidate = (ms << RANDOM_BITS) | random;
    let mut last = LAST.load(Ordering::Relaxed);
    loop {
        let next = if candidate > last {
            candidate
        } else {
            last + 1
        };
        match LAST.compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return next,
            Err(seen) => last = seen,
        }
    }
}

/// Error for an id that is not a positive decimal integer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid id")]
pub struct BadId;

macro_rules! typed_id {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            pub fn new() -> Self { Self(new_id()) }
            pub fn from_db(raw: i64) -> Self { Self(raw) }
            pub fn get(self) -> i64 { self.0 }
        }

        impl Default for $name {
            fn default() -> Self { Self::new() }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { write!(f, "{}", self.0) }
        }

        impl FromStr for $name {
            type Err = BadId;
            fn from_str(s: &str) -> Result<Self, BadId> {
                if s.is_empty() || s.len() > 19 || !s.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(BadId);
                }
                match s.parse::<i64>() {
                    Ok(v) if v > 0 => Ok(Self(v)),
                    _ => Err(BadId),
                }
            }
        }
    )*};
}

typed_id!(
    WorkspaceId,
    StaffUserId,
    ClientId,
    ContactId,
    InvoiceId,
    QuoteId,
    JobId,
    VisitId,
    ProjectId,
    TaskId,
    RequestId,
    FileId,
    ProductId,
    PaymentId,
    PaymentAttemptId,
    LoginCodeId,
    AuditEventId,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_increase_and_are_positive() {
        let mut prev = 0;
        for _ in 0..10_000 {
            let id = new_id();
            assert!(id > prev);
            prev = id;
        }
    }

    #[test]
    fn parsing_refuses_anything_but_positive_decimals() {
        for bad in [
            "",
            "-1",
            "0",
            "1e3",
            "abc",
            "12 ",
            "99999999999999999999",
            "+5",
            "٣",
        ] {
            assert!(
                ClientId::from_str(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
        assert_eq!(ClientId::from_str("42").map(ClientId::get), Ok(42));
    }
}

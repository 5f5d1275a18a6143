//! A payment staff record by hand (cash, bank transfer, cheque, other): what is accepted
//! and a message naming the field for anything that is not. The amount is in the
//! invoice's currency, more than zero and at most the balance; the date not in the future.

use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::document_form::{parse_decimal, DecimalError, DocError};
use super::money::Currency;
use super::records::parse_date;
use super::text::first_hidden;

pub const OFFLINE_METHODS: [&str; 4] = ["cash", "bank_transfer", "cheque", "other"];
pub const REFERENCE_MAX: usize = 200;
pub const NOTE_MAX: usize = 1_000;

#[derive(Debug, Clone, Default)]
pub struct PaymentFields {
    pub method: String,
    pub amount: String,
    pub received_on: String,
    pub reference: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPayment {
    pub method: &'static str,
    pub amount_minor: i64,
    pub received_on: Date,
    pub reference: String,
    pub note: String,
}

impl ValidPayment {
    /// The instant stored for the day it was received: noon there, so the date reads the
    /// same in the workspace's zone whatever the offset.
    pub fn received_at_ms(&self, tz_name: &str) -> i64 {
        let tz = TimeZone::get(tz_name).unwrap_or(TimeZone::UTC);
        self.received_on
            .at(12, 0, 0, 0)
            .to_zoned(tz)
            .map(|z| z.timestamp().as_millisecond())
            .unwrap_or(0)
    }
}

pub fn method_label(method: &str) -> &'static str {
    match method {
        "stripe" => "Card (Stripe)",
        "telr" => "Card (Telr)",
        "cash" => "Cash",
        "bank_transfer" => "Bank transfer",
        "cheque" => "Cheque",
        _ => "Other",
    }
}

fn text(errors: &mut Vec<DocError>, field: &str, value: &str, max: usize) -> String {
    let v = value.trim().to_string();
    if v.chars().count() > max {
        errors.push(DocError {
            field: field.into(),
            message: format!("at most {max} characters."),
        });
    } else if first_hidden(&v, field == "note").is_some() {
        errors.push(DocError {
            field: field.into(),
            message: "contains a control or invisible formatting character.".into(),
        });
    }
    v
}

/// Checks a payment of `balance_minor` at most, in `currency`, received by `today`.
pub fn validate(
    f: &PaymentFields,
    currency: Currency,
    balance_minor: i64,
    today: Date,
) -> Result<ValidPayment, Vec<DocError>> {
    let mut errors = Vec::new();
    let mut err = |field: &str, message: String| {
        errors.push(DocError {
            field: field.into(),
            message,
        })
    };
    let method = OFFLINE_METHODS
        .iter()
        .find(|m| **m == f.method.trim())
        .copied();
    if method.is_none() {
        err(
            "method",
            "choose cash, bank transfer, cheque or other.".into(),
        );
    }
    let amount = match parse_decimal(&f.amount, currency.exponent()) {
        Ok(0) => {
            err("amount", "must be more than zero.".into());
            0
        }
        Ok(v) if v > balance_minor => {
            err(
                "amount",
                format!(
                    "is more than the balance still to pay ({}).",
                    super::money::Money::new(balance_minor.max(0), currency)
                ),
            );
            0
        }
        Ok(v) => v,
        Err(DecimalError::TooManyPlaces) => {
            err(
                "amount",
                format!(
                    "{} takes at most {} decimal places.",
                    currency.code(),
                    currency.exponent()
                ),
            );
            0
        }
        Err(e) => {
            err("amount", format!("{e}."));
            0
        }
    };
    let day = f.received_on.trim();
    let received_on = match parse_date(day) {
        Some(d) if d.to_string() == day && d <= today => Some(d),
        Some(d) if d.to_string() == day => {
            err("received_on", "cannot be in the future.".into());
            None
        }
        _ => {
            err("received_on", "is not a date (YYYY-MM-DD).".into());
            None
        }
    };
    let reference = text(&mut errors, "reference", &f.reference, REFERENCE_MAX);
    let note = text(&mut errors, "note", &f.note, NOTE_MAX);
    match (method, received_on) {
        (Some(method), Some(received_on)) if errors.is_empty() => Ok(ValidPayment {
            method,
            amount_minor: amount,
            received_on,
            reference,
            note,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn fields(method: &str, amount: &str, day: &str) -> PaymentFields {
        PaymentFields {
            method: method.into(),
            amount: amount.into(),
            received_on: day.into(),
            reference: "TT-123".into(),
            note: String::new(),
        }
    }

    fn problems(f: PaymentFields, code: &str, balance: i64) -> Vec<String> {
        validate(
            &f,
            Currency::parse(code).unwrap(),
            balance,
            date(2026, 3, 10),
        )
        .map(|_| Vec::new())
        .unwrap_or_else(|e| e.into_iter().map(|e| e.field).collect())
    }

    #[test]
    fn a_payment_up_to_the_balance_is_accepted() {
        let v = validate(
            &fields("bank_transfer", "100.50", "2026-03-10"),
            Currency::parse("AED").unwrap(),
            10_050,
            date(2026, 3, 10),
        )
        .unwrap();
        assert_eq!(v.amount_minor, 10_050);
        assert_eq!(v.method, "bank_transfer");
        assert_eq!(v.reference, "TT-123");
        // noon in Dubai is 08:00 UTC
        assert_eq!(v.received_at_ms("Asia/Dubai") % 86_400_000, 8 * 3_600_000);
    }

    #[test]
    fn bad_fields_are_named() {
        assert_eq!(
            problems(fields("card", "1", "2026-03-10"), "AED", 100),
            ["method"]
        );
        assert_eq!(
            problems(fields("cash", "1.01", "2026-03-10"), "AED", 100),
            ["amount"],
            "more than the balance"
        );
        assert_eq!(
            problems(fields("cash", "0", "2026-03-10"), "AED", 100),
            ["amount"]
        );
        assert_eq!(
            problems(fields("cash", "0.001", "2026-03-10"), "AED", 100),
            ["amount"]
        );
        assert!(problems(fields("cash", "0.001", "2026-03-10"), "KWD", 100).is_empty());
        assert_eq!(
            problems(fields("cash", "1", "2026-03-11"), "AED", 100),
            ["received_on"]
        );
        assert_eq!(
            problems(fields("cheque", "-1", "3/10/2026"), "AED", 100),
            ["amount", "received_on"]
        );
    }
}

//! Converting invoice amounts (integer minor units, see [`crate::domain::money`]) into what
//! Stripe and Telr expect. Integers only, never floating point (fact sheet A6, "Derived
//! conversion rule for Rust"), and never a silent rounding.
//!
//! Stripe (fact sheet A6):
//! - every amount is an integer in the currency's minor unit;
//! - zero-decimal currencies (JPY, KRW, …) are sent as is, two-decimal ones as is;
//! - three-decimal currencies (BHD, JOD, KWD, OMR, TND) are sent ×1000 (that is, as the
//!   minor units) but **the last digit must be 0**; we refuse otherwise instead of rounding;
//! - ISK is zero-decimal in ISO 4217 (and in [`Currency`]) but Stripe keeps it
//!   **two-decimal** with charges in multiples of 100, so whole krónur are sent ×100;
//! - UGX is a Stripe "special case" whose rule is UNVERIFIED, and IQD/LYD are not in the
//!   sheet's Stripe lists: all three are refused rather than guessed;
//! - amounts have at most eight digits (99 999 999 in Stripe's units);
//! - minimum charge amounts come from the A6 table; currencies the sheet marks
//!   UNVERIFIED (SAR, QAR, KWD, BHD, OMR, JOD, …) have no known minimum ([`stripe_minimum`]
//!   returns `None`) and Stripe itself will answer `amount_too_small` if needed.
//!
//! Telr (fact sheet C2): `ivp_amount` is the amount in **major units as a decimal string**
//! (`1250.50`). For three-decimal currencies the format is UNVERIFIED; we write exactly the
//! currency's exponent digits (`1250.125`), which is the ISO 4217 representation.

use crate::domain::money::{Currency, Money};

/// Stripe's largest amount: eight digits (fact sheet A6, "Maximum").
pub const STRIPE_MAX_AMOUNT: i64 = 99_999_999;

/// Why an amount cannot be sent to a payment provider.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("the amount must be greater than zero")]
    NotPositive,
    #[error(
        "Stripe charges {code} in multiples of 0.010 (three-decimal currencies must end in 0), \
         so {amount} cannot be charged exactly; round the invoice to the nearest ten minor units first"
    )]
    ThreeDecimalNotMultipleOfTen { code: &'static str, amount: String },
    #[error("the smallest amount Stripe accepts in {code} is {minimum}; this invoice is {amount}")]
    BelowMinimum {
        code: &'static str,
        minimum: String,
        amount: String,
    },
    #[error("Stripe accepts at most eight digits ({STRIPE_MAX_AMOUNT} in {code} minor units); this invoice is {amount}")]
    AboveMaximum { code: &'static str, amount: String },
    #[error(
        "{0} cannot be charged through Stripe by Portico (its Stripe amount rule is not verified)"
    )]
    UnsupportedByStripe(&'static str),
}

/// Three-decimal currencies Stripe supports (fact sheet A6).
const STRIPE_THREE_DECIMAL: &[&str] = &["BHD", "JOD", "KWD", "OMR", "TND"];

/// Currencies we do not send to Stripe: UGX (rule UNVERIFIED, A6) and three-decimal
/// currencies outside Stripe's list.
const STRIPE_REFUSED: &[&str] = &["UGX", "IQD", "LYD"];

/// Minimum charge per currency, in the currency's minor units (fact sheet A6 table).
const STRIPE_MINIMUMS: &[(&str, i64)] = &[
    ("USD", 50),
    ("EUR", 50),
    ("CAD", 50),
    ("CHF", 50),
    ("AUD", 50),
    ("SGD", 50),
    ("BRL", 50),
    ("INR", 50),
    ("NZD", 50),
    ("GBP", 30),
    ("AED", 200),
    ("MYR", 200),
    ("PLN", 200),
    ("RON", 200),
    ("DKK", 250),
    ("NOK", 300),
    ("SEK", 300),
    ("HKD", 400),
    ("MXN", 1000),
    ("THB", 1000),
    ("CZK", 1500),
    ("HUF", 17500),
    ("JPY", 50),
];

/// The currency code as Stripe wants it: lowercase (fact sheet A2).
pub fn stripe_currency(currency: Currency) -> String {
    currency.code().to_ascii_lowercase()
}

/// Stripe's smallest charge in `currency`, in the currency's minor units (the same units
/// as an invoice), or `None` where the fact sheet has no verified figure (A6).
pub fn stripe_minimum(currency: Currency) -> Option<i64> {
    STRIPE_MINIMUMS
        .iter()
        .find(|(code, _)| *code == currency.code())
        .map(|&(_, minimum)| minimum)
}

/// Refuses an amount below Stripe's known minimum with a message that names the minimum:
/// "the smallest amount Stripe accepts in AED is AED 2.00; …". Unknown minimums pass.
pub fn check_stripe_minimum(minor: i64, currency: Currency) -> Result<(), AmountError> {
    match stripe_minimum(currency) {
        Some(minimum) if minor < minimum => Err(AmountError::BelowMinimum {
            code: currency.code(),
            minimum: Money::new(minimum, currency).to_string(),
            amount: Money::new(minor, currency).to_string(),
        }),
        _ => Ok(()),
    }
}

/// The integer `unit_amount` Stripe expects for an invoice of `minor` units of `currency`
/// (fact sheet A6). Refuses non-positive amounts, amounts below the known minimum or above
/// eight digits, three-decimal amounts not ending in 0, and currencies whose rule is unknown.
pub fn stripe_amount(minor: i64, currency: Currency) -> Result<i64, AmountError> {
    let code = currency.code();
    if minor <= 0 {
        return Err(AmountError::NotPositive);
    }
    if STRIPE_REFUSED.contains(&code) {
        return Err(AmountError::UnsupportedByStripe(code));
    }
    let amount = match (currency.exponent(), code) {
        // ISK: ISO zero-decimal, Stripe two-decimal with multiples of 100 (A6).
        (0, "ISK") => minor.checked_mul(100),
        (0, _) | (2, _) => Some(minor),
        (3, _) if STRIPE_THREE_DECIMAL.contains(&code) => {
            if minor % 10 != 0 {
                return Err(AmountError::ThreeDecimalNotMultipleOfTen {
                    code,
                    amount: Money::new(minor, currency).to_string(),
                });
            }
            Some(minor)
        }
        _ => return Err(AmountError::UnsupportedByStripe(code)),
    };
    check_stripe_minimum(minor, currency)?;
    match amount {
        Some(a) if a <= STRIPE_MAX_AMOUNT => Ok(a),
        _ => Err(AmountError::AboveMaximum {
            code,
            amount: Money::new(minor, currency).to_string(),
        }),
    }
}

/// Telr's `ivp_amount`: major units with exactly the currency's exponent digits and no
/// grouping (fact sheet C2): KWD 1250125 → `1250.125`, AED 125050 → `1250.50`, JPY 500 → `500`.
/// A negative amount keeps its sign (callers refuse it before building a request).
pub fn telr_amount(minor: i64, currency: Currency) -> String {
    let exponent = currency.exponent();
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let scale = 10u64.pow(exponent);
    if exponent == 0 {
        format!("{sign}{abs}")
    } else {
        format!(
            "{sign}{}.{:0width$}",
            abs / scale,
            abs % scale,
            width = exponent as usize
        )
    }
}

/// Parses a Telr decimal amount (as in a check response's `order.amount`, C3) back into
/// minor units. Accepts at most the currency's exponent digits after the point (fewer are
/// padded: `10.5` AED → 1050); anything else (grouping, exponents, extra digits) is `None`.
pub fn telr_amount_to_minor(text: &str, currency: Currency) -> Option<i64> {
    let exponent = currency.exponent() as usize;
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = match body.split_once('.') {
        Some((w, f)) if exponent > 0 && !f.is_empty() => (w, f),
        Some(_) => return None,
        None => (body, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) || fraction.len() > exponent
    {
        return None;
    }
    let mut digits = String::with_capacity(whole.len() + exponent);
    digits.push_str(whole);
    digits.push_str(fraction);
    digits.extend(std::iter::repeat_n('0', exponent - fraction.len()));
    let magnitude: i64 = digits.parse().ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn c(code: &str) -> Currency {
        Currency::parse(code).unwrap()
    }

    #[test]
    fn two_and_zero_decimal_amounts_pass_unchanged() {
        assert_eq!(stripe_amount(125050, c("AED")), Ok(125050));
        assert_eq!(stripe_amount(1000, c("USD")), Ok(1000));
        assert_eq!(stripe_amount(500, c("JPY")), Ok(500));
        assert_eq!(stripe_amount(10_000, c("SAR")), Ok(10_000));
    }

    #[test]
    fn three_decimal_amounts_must_end_in_zero() {
        assert_eq!(stripe_amount(5120, c("KWD")), Ok(5120));
        let err = stripe_amount(5124, c("KWD")).unwrap_err();
        assert!(matches!(
            err,
            AmountError::ThreeDecimalNotMultipleOfTen { .. }
        ));
        let text = err.to_string();
        assert!(text.contains("KWD 5.124"), "{text}");
        assert!(text.contains("must end in 0"), "{text}");
        assert!(stripe_amount(1001, c("BHD")).is_err());
    }

    #[test]
    fn isk_is_sent_as_two_decimal_multiples_of_100() {
        assert_eq!(stripe_amount(5000, c("ISK")), Ok(500_000));
    }

    #[test]
    fn unverified_or_unsupported_currencies_are_refused() {
        for code in ["UGX", "IQD", "LYD"] {
            assert_eq!(
                stripe_amount(100_000, c(code)),
                Err(AmountError::UnsupportedByStripe(c(code).code()))
            );
        }
    }

    #[test]
    fn non_positive_and_too_large_amounts_are_refused() {
        assert_eq!(stripe_amount(0, c("USD")), Err(AmountError::NotPositive));
        assert_eq!(stripe_amount(-100, c("USD")), Err(AmountError::NotPositive));
        assert_eq!(stripe_amount(99_999_999, c("USD")), Ok(99_999_999));
        assert!(matches!(
            stripe_amount(100_000_000, c("USD")),
            Err(AmountError::AboveMaximum { .. })
        ));
        assert!(matches!(
            stripe_amount(1_000_000, c("ISK")),
            Err(AmountError::AboveMaximum { .. })
        ));
        assert!(matches!(
            stripe_amount(i64::MAX, c("ISK")),
            Err(AmountError::AboveMaximum { .. })
        ));
    }

    #[test]
    fn minimums_follow_the_a6_table() {
        assert_eq!(stripe_minimum(c("USD")), Some(50));
        assert_eq!(stripe_minimum(c("EUR")), Some(50));
        assert_eq!(stripe_minimum(c("GBP")), Some(30));
        assert_eq!(stripe_minimum(c("AED")), Some(200));
        assert_eq!(stripe_minimum(c("JPY")), Some(50));
        assert_eq!(stripe_minimum(c("HUF")), Some(17500));
        for unverified in ["SAR", "QAR", "KWD", "BHD", "OMR", "JOD"] {
            assert_eq!(stripe_minimum(c(unverified)), None, "{unverified}");
        }
        let err = stripe_amount(199, c("AED")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the smallest amount Stripe accepts in AED is AED 2.00; this invoice is AED 1.99"
        );
        assert_eq!(stripe_amount(200, c("AED")), Ok(200));
        assert!(check_stripe_minimum(49, c("JPY")).is_err());
        assert!(check_stripe_minimum(1, c("SAR")).is_ok());
    }

    #[test]
    fn stripe_currency_is_lowercase() {
        assert_eq!(stripe_currency(c("AED")), "aed");
        assert_eq!(stripe_currency(c("kwd")), "kwd");
    }

    #[test]
    fn telr_amounts_have_exactly_the_exponent_digits() {
        assert_eq!(telr_amount(1_250_125, c("KWD")), "1250.125");
        assert_eq!(telr_amount(500, c("JPY")), "500");
        assert_eq!(telr_amount(125_050, c("AED")), "1250.50");
        assert_eq!(telr_amount(5, c("USD")), "0.05");
        assert_eq!(telr_amount(7, c("OMR")), "0.007");
        assert_eq!(telr_amount(-300, c("AED")), "-3.00");
    }

    #[test]
    fn telr_amounts_parse_back() {
        assert_eq!(telr_amount_to_minor("1250.50", c("AED")), Some(125_050));
        assert_eq!(telr_amount_to_minor("10.5", c("AED")), Some(1050));
        assert_eq!(telr_amount_to_minor("10", c("AED")), Some(1000));
        assert_eq!(telr_amount_to_minor("12.345", c("KWD")), Some(12_345));
        assert_eq!(telr_amount_to_minor("500", c("JPY")), Some(500));
        for bad in [
            "", ".", "1.", ".5", "1,250.50", "1.505", "1e3", "+1", " 1", "1.-5",
        ] {
            assert_eq!(telr_amount_to_minor(bad, c("AED")), None, "{bad:?}");
        }
        assert_eq!(telr_amount_to_minor("500.0", c("JPY")), None);
    }

    proptest! {
        #[test]
        fn conversions_never_panic(minor in any::<i64>(), idx in 0usize..60) {
            let codes = ["USD", "AED", "KWD", "JPY", "ISK", "UGX", "BHD", "IQD", "GBP", "HUF"];
            let cur = c(codes[idx % codes.len()]);
            let _ = stripe_amount(minor, cur);
            let _ = check_stripe_minimum(minor, cur);
            let _ = telr_amount(minor, cur);
        }

        #[test]
        fn stripe_amounts_are_in_range(minor in any::<i64>(), idx in 0usize..5) {
            let cur = c(["USD", "KWD", "JPY", "ISK", "SAR"][idx]);
            if let Ok(a) = stripe_amount(minor, cur) {
                prop_assert!(a > 0 && a <= STRIPE_MAX_AMOUNT);
            }
        }

        #[test]
        fn telr_amount_round_trips(minor in (i64::MIN + 1)..=i64::MAX, idx in 0usize..4) {
            let cur = c(["USD", "KWD", "JPY", "AED"][idx]);
            let text = telr_amount(minor, cur);
            prop_assert_eq!(telr_amount_to_minor(&text, cur), Some(minor));
        }
    }
}

//! Money as integer minor units with the ISO 4217 exponent of its currency. Never a float.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("'{0}' is not a supported currency code")]
    UnknownCurrency(String),
}

/// A supported ISO 4217 currency: its code and the number of digits after the point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    code: &'static str,
    exponent: u32,
}

const CURRENCIES: &[(&str, u32)] = &[
    // zero-decimal
    ("BIF", 0),
    ("CLP", 0),
    ("DJF", 0),
    ("GNF", 0),
    ("ISK", 0),
    ("JPY", 0),
    ("KMF", 0),
    ("KRW", 0),
    ("PYG", 0),
    ("RWF", 0),
    ("UGX", 0),
    ("VND", 0),
    ("VUV", 0),
    ("XAF", 0),
    ("XOF", 0),
    ("XPF", 0),
    // three-decimal
    ("BHD", 3),
    ("IQD", 3),
    ("JOD", 3),
    ("KWD", 3),
    ("LYD", 3),
    ("OMR", 3),
    ("TND", 3),
    // two-decimal
    ("AED", 2),
    ("AUD", 2),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CNY", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EGP", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("HUF", 2),
    ("ILS", 2),
    ("INR", 2),
    ("MAD", 2),
    ("MXN", 2),
    ("MYR", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("PHP", 2),
    ("PKR", 2),
    ("PLN", 2),
    ("QAR", 2),
    ("RON", 2),
    ("SAR", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("THB", 2),
    ("TRY", 2),
    ("TWD", 2),
    ("UAH", 2),
    ("USD", 2),
    ("ZAR", 2),
];

impl Currency {
    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        // Compared in place: a page formats dozens of amounts, so no uppercase copy.
        let trimmed = code.trim();
        CURRENCIES
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(trimmed))
            .map(|&(code, exponent)| Currency { code, exponent })
            .ok_or_else(|| MoneyError::UnknownCurrency(code.chars().take(12).collect()))
    }

    pub fn code(self) -> &'static str {
        self.code
    }

    pub fn exponent(self) -> u32 {
        self.exponent
    }
}

/// An amount in minor units of a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Formats a stored amount; an unknown code (which the schema should never hold)
    /// falls back to two decimals rather than failing a page.
    pub fn format_stored(minor: i64, code: &str) -> String {
        let (code, exponent) = match Currency::parse(code) {
            Ok(c) => (c.code, c.exponent),
            Err(_) => (code, 2),
        };
        let mut out = String::with_capacity(code.len() + 32);
        out.push_str(code);
        out.push(' ');
        push_major(&mut out, minor, exponent);
        out
    }
}

impl fmt::Display for Money {
    /// `USD 1,250.50`, `KWD 12.345`, `JPY 5,000`, `-EUR 3.00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut major = String::with_capacity(32);
        push_major(&mut major, self.minor, self.currency.exponent);
        write!(f, "{} {}", self.currency.code, major)
    }
}

/// Appends the amount in major units, thousands grouped: `-1,250.50`. One buffer, no
/// intermediate strings (the portal formats every amount on every page).
fn push_major(out: &mut String, minor: i64, exponent: u32) {
    let abs = minor.unsigned_abs();
    let scale = 10u64.pow(exponent);
    let major = abs / scale;
    let fraction = abs % scale;
    if minor < 0 {
        out.push('-');
    }
    let mut buf = [0u8; 20];
    let mut n = major;
    let mut len = 0;
    loop {
        buf[len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for i in (0..len).rev() {
        out.push(char::from(buf[i]));
        if i > 0 && i % 3 == 0 {
            out.push(',');
        }
    }
    if exponent > 0 {
        out.push('.');
        let mut digits = [b'0'; 20];
        let mut f = fraction;
        for slot in digits[..exponent as usize].iter_mut().rev() {
            *slot = b'0' + (f % 10) as u8;
            f /= 10;
        }
        for &d in &digits[..exponent as usize] {
            out.push(char::from(d));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn m(minor: i64, code: &str) -> String {
        Money::new(minor, Currency::parse(code).unwrap()).to_string()
    }

    #[test]
    fn formats_with_the_currencys_own_decimals() {
        assert_eq!(m(125050, "USD"), "USD 1,250.50");
        assert_eq!(m(12345, "KWD"), "KWD 12.345");
        assert_eq!(m(1_000_005, "kwd"), "KWD 1,000.005");
        assert_eq!(m(500000, "JPY"), "JPY 500,000");
        assert_eq!(m(5, "EUR"), "EUR 0.05");
        assert_eq!(m(-300, "AED"), "AED -3.00");
        assert_eq!(m(0, "BHD"), "BHD 0.000");
    }

    #[test]
    fn unknown_currencies_are_refused() {
        assert!(Currency::parse("XYZ").is_err());
        assert!(Currency::parse("").is_err());
    }

    proptest! {
        #[test]
        fn formatting_round_trips_through_the_digits(minor in -10_000_000_000i64..10_000_000_000i64) {
            let text = m(minor, "KWD");
            let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
            prop_assert_eq!(digits.parse::<i64>().unwrap(), minor.abs());
        }
    }
}

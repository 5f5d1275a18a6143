//! How much a client pays online at once. By default the whole balance (an amount sent
//! with the form is ignored); a workspace may allow part of it, with a minimum set in its
//! default currency. The minimum applies to invoices in that currency only (an amount in
//! one currency says nothing about another), so invoices in other currencies are paid in
//! full. Never above the balance, and when less than the minimum is left, what is left.

use super::document_form::{parse_decimal, DecimalError};
use super::money::{Currency, Money};

/// A workspace's setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialPolicy {
    pub allowed: bool,
    /// In minor units of `currency` (the workspace's default currency).
    pub min_minor: i64,
    pub currency: String,
}

impl PartialPolicy {
    /// Whether an invoice in `currency` with this balance may be paid in part: then the
    /// Pay now form asks how much.
    pub fn offers(&self, currency: &str, balance_minor: i64) -> bool {
        self.allowed
            && self.currency.eq_ignore_ascii_case(currency)
            && balance_minor > self.min_minor.max(0)
    }

    /// The amount to charge for what the client typed (empty: the whole balance), or a
    /// sentence saying why not.
    pub fn amount(
        &self,
        currency: Currency,
        balance_minor: i64,
        typed: &str,
    ) -> Result<i64, String> {
        // Without partial payments any amount sent is ignored (a tampered form pays the
        // balance, never less).
        if typed.trim().is_empty() || !self.offers(currency.code(), balance_minor) {
            return Ok(balance_minor);
        }
        let amount = parse_decimal(typed, currency.exponent()).map_err(|e| match e {
            DecimalError::TooManyPlaces => format!(
                "Amount: {} takes at most {} decimal places.",
                currency.code(),
                currency.exponent()
            ),
            other => format!("Amount: {other}."),
        })?;
        if amount > balance_minor {
            return Err(format!(
                "Amount: at most the balance of {}.",
                Money::new(balance_minor, currency)
            ));
        }
        if amount < self.min_minor.max(1) {
            return Err(format!(
                "Amount: at least {}.",
                Money::new(self.min_minor.max(1), currency)
            ));
        }
        Ok(amount)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(allowed: bool) -> PartialPolicy {
        PartialPolicy {
            allowed,
            min_minor: 5_000,
            currency: "AED".into(),
        }
    }

    fn aed() -> Currency {
        Currency::parse("AED").unwrap()
    }

    #[test]
    fn without_partial_payments_the_balance_is_charged_whatever_is_sent() {
        assert_eq!(policy(false).amount(aed(), 70_000, ""), Ok(70_000));
        assert_eq!(policy(false).amount(aed(), 70_000, "700.00"), Ok(70_000));
        assert_eq!(policy(false).amount(aed(), 70_000, "1"), Ok(70_000));
    }

    #[test]
    fn a_part_between_the_minimum_and_the_balance_is_payable_when_allowed() {
        let p = policy(true);
        assert_eq!(p.amount(aed(), 70_000, "100.00"), Ok(10_000));
        assert_eq!(p.amount(aed(), 70_000, "50"), Ok(5_000));
        assert!(p
            .amount(aed(), 70_000, "49.99")
            .unwrap_err()
            .contains("at least AED 50.00"));
        assert!(p
            .amount(aed(), 70_000, "700.01")
            .unwrap_err()
            .contains("at most"));
        assert!(p.amount(aed(), 70_000, "1.001").is_err());
        assert!(p.amount(aed(), 70_000, "-5").is_err());
        assert_eq!(p.amount(aed(), 70_000, "700"), Ok(70_000));
        // Less than the minimum left: all of it.
        assert!(!p.offers("AED", 4_000));
        assert_eq!(p.amount(aed(), 4_000, "20"), Ok(4_000));
        // Another currency: in full.
        let usd = Currency::parse("USD").unwrap();
        assert!(!p.offers("USD", 70_000));
        assert_eq!(p.amount(usd, 70_000, "100"), Ok(70_000));
    }
}

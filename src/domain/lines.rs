//! Document line math for quotes and invoices, in integer minor units only.
//!
//! A line has a quantity in thousandths (`quantity_milli`: 2.5 hours is 2500), a unit
//! price in minor units, a discount and a tax rate in basis points (0..=10000). Per line:
//!
//! - gross    = round_half_up(quantity_milli × unit_price_minor / 1000)
//! - subtotal = gross − round_half_up(gross × discount_bp / 10000)
//! - tax      = round_half_up(subtotal × tax_rate_bp / 10000)
//! - total    = subtotal + tax
//!
//! A document's subtotal, tax and total are the sums of its lines' (never recomputed
//! from the summed subtotal). Intermediates are `i128`; every result must fit the `i64`
//! the database stores, otherwise the caller gets an error, never a panic or a wrap.
//! Quantities and prices are non-negative: a refund or credit is not a negative line.

/// 100% in basis points.
pub const MAX_BP: i64 = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    #[error("the quantity cannot be negative")]
    NegativeQuantity,
    #[error("the unit price cannot be negative")]
    NegativePrice,
    #[error("the discount must be between 0% and 100%")]
    DiscountOutOfRange,
    #[error("the tax rate must be between 0% and 100%")]
    TaxRateOutOfRange,
    #[error("the amount is too large")]
    Overflow,
}

/// What is typed for one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineInput {
    pub quantity_milli: i64,
    pub unit_price_minor: i64,
    pub discount_bp: i64,
    pub tax_rate_bp: i64,
}

/// What is stored for one line (and, summed, for a document).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Amounts {
    pub subtotal_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
}

/// `n / d` rounded half up, for `n >= 0` and `d > 0`.
fn round_half_up(n: i128, d: i128) -> i128 {
    let q = n / d;
    let r = n % d;
    if r * 2 >= d {
        q + 1
    } else {
        q
    }
}

fn to_i64(v: i128) -> Result<i64, LineError> {
    i64::try_from(v).map_err(|_| LineError::Overflow)
}

/// The amounts of one line.
pub fn line_amounts(line: &LineInput) -> Result<Amounts, LineError> {
    if line.quantity_milli < 0 {
        return Err(LineError::NegativeQuantity);
    }
    if line.unit_price_minor < 0 {
        return Err(LineError::NegativePrice);
    }
    if !(0..=MAX_BP).contains(&line.discount_bp) {
        return Err(LineError::DiscountOutOfRange);
    }
    if !(0..=MAX_BP).contains(&line.tax_rate_bp) {
        return Err(LineError::TaxRateOutOfRange);
    }
    let bp = i128::from(MAX_BP);
    // i64 × i64 always fits in i128; the products below are of values already checked
    // to fit an i64 and a factor of at most 10_000.
    let gross = round_half_up(
        i128::from(line.quantity_milli) * i128::from(line.unit_price_minor),
        1000,
    );
    let gross = i128::from(to_i64(gross)?);
    let discount = round_half_up(gross * i128::from(line.discount_bp), bp);
    let subtotal = gross - discount;
    let tax = round_half_up(subtotal * i128::from(line.tax_rate_bp), bp);
    let total = subtotal + tax;
    Ok(Amounts {
        subtotal_minor: to_i64(subtotal)?,
        tax_minor: to_i64(tax)?,
        total_minor: to_i64(total)?,
    })
}

/// A document's amounts: the sums of its lines'.
pub fn document_amounts(lines: &[Amounts]) -> Result<Amounts, LineError> {
    lines.iter().try_fold(Amounts::default(), |acc, line| {
        Ok(Amounts {
            subtotal_minor: acc
                .subtotal_minor
                .checked_add(line.subtotal_minor)
                .ok_or(LineError::Overflow)?,
            tax_minor: acc
                .tax_minor
                .checked_add(line.tax_minor)
                .ok_or(LineError::Overflow)?,
            total_minor: acc
                .total_minor
                .checked_add(line.total_minor)
                .ok_or(LineError::Overflow)?,
        })
    })
}

/// Every line's amounts and the document's, or the first line's error with its index.
pub fn compute(lines: &[LineInput]) -> Result<(Vec<Amounts>, Amounts), (usize, LineError)> {
    let per_line = lines
        .iter()
        .enumerate()
        .map(|(i, l)| line_amounts(l).map_err(|e| (i, e)))
        .collect::<Result<Vec<_>, _>>()?;
    let totals = document_amounts(&per_line).map_err(|e| (lines.len().saturating_sub(1), e))?;
    Ok((per_line, totals))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(
        quantity_milli: i64,
        unit_price_minor: i64,
        discount_bp: i64,
        tax_rate_bp: i64,
    ) -> LineInput {
        LineInput {
            quantity_milli,
            unit_price_minor,
            discount_bp,
            tax_rate_bp,
        }
    }

    fn amounts(l: LineInput) -> Amounts {
        line_amounts(&l).unwrap()
    }

    #[test]
    fn plain_line_with_vat() {
        // 3 × AED 450.00 at 5% VAT.
        let a = amounts(line(3000, 45_000, 0, 500));
        assert_eq!(
            a,
            Amounts {
                subtotal_minor: 135_000,
                tax_minor: 6_750,
                total_minor: 141_750
            }
        );
    }

    #[test]
    fn fractional_quantities_round_half_up() {
        // 2.5 h × 0.03 = 0.075 → 0.08
        assert_eq!(amounts(line(2500, 3, 0, 0)).subtotal_minor, 8);
        // 0.001 × 499 = 0.499 → 0
        assert_eq!(amounts(line(1, 499, 0, 0)).subtotal_minor, 0);
        // 0.001 × 500 = 0.5 → 1
        assert_eq!(amounts(line(1, 500, 0, 0)).subtotal_minor, 1);
        // 1.333 × 1.00 = 1.333 → 1.33
        assert_eq!(amounts(line(1333, 100, 0, 0)).subtotal_minor, 133);
    }

    #[test]
    fn discount_then_tax_each_round_half_up() {
        // gross 10.05, 10% discount = 1.005 → 1.01, subtotal 9.04; 5% tax = 0.452 → 0.45
        let a = amounts(line(1000, 1005, 1000, 500));
        assert_eq!(
            a,
            Amounts {
                subtotal_minor: 904,
                tax_minor: 45,
                total_minor: 949
            }
        );
        // tax exactly half a minor unit rounds up: 0.10 × 5% = 0.005 → 0.01
        assert_eq!(amounts(line(1000, 10, 0, 500)).tax_minor, 1);
    }

    #[test]
    fn three_decimal_currencies_keep_their_fils() {
        // 2 × KWD 625.0625 is not representable; 2 × KWD 625.063 (minor 625_063) is.
        let a = amounts(line(2000, 625_063, 0, 0));
        assert_eq!(a.total_minor, 1_250_126);
        let a = amounts(line(1000, 1_250_125, 0, 0));
        assert_eq!(a.total_minor, 1_250_125);
    }

    #[test]
    fn full_discount_and_zero_quantity_give_zero() {
        assert_eq!(amounts(line(5000, 12_345, 10_000, 500)), Amounts::default());
        assert_eq!(amounts(line(0, 12_345, 0, 500)), Amounts::default());
        assert_eq!(amounts(line(1000, 10_000, 0, 10_000)).total_minor, 20_000);
    }

    #[test]
    fn out_of_range_inputs_are_errors() {
        assert_eq!(
            line_amounts(&line(-1, 100, 0, 0)),
            Err(LineError::NegativeQuantity)
        );
        assert_eq!(
            line_amounts(&line(1000, -100, 0, 0)),
            Err(LineError::NegativePrice)
        );
        assert_eq!(
            line_amounts(&line(1000, 100, -1, 0)),
            Err(LineError::DiscountOutOfRange)
        );
        assert_eq!(
            line_amounts(&line(1000, 100, 10_001, 0)),
            Err(LineError::DiscountOutOfRange)
        );
        assert_eq!(
            line_amounts(&line(1000, 100, 0, -5)),
            Err(LineError::TaxRateOutOfRange)
        );
        assert_eq!(
            line_amounts(&line(1000, 100, 0, 10_001)),
            Err(LineError::TaxRateOutOfRange)
        );
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        assert_eq!(
            line_amounts(&line(i64::MAX, i64::MAX, 0, 0)),
            Err(LineError::Overflow)
        );
        // fits as a subtotal but not once tax is added
        assert_eq!(
            line_amounts(&line(1000, i64::MAX, 0, 10_000)),
            Err(LineError::Overflow)
        );
        assert!(line_amounts(&line(1000, i64::MAX, 0, 0)).is_ok());
        let big = amounts(line(1000, i64::MAX, 0, 0));
        assert_eq!(document_amounts(&[big, big]), Err(LineError::Overflow));
        assert_eq!(
            compute(&[line(1000, 1, 0, 0), line(1000, i64::MAX, 0, 0)]).map(|_| ()),
            Err((1, LineError::Overflow))
        );
        assert_eq!(
            compute(&[line(1000, 1, 0, 0), line(-1, 1, 0, 0)]).map(|_| ()),
            Err((1, LineError::NegativeQuantity))
        );
    }

    #[test]
    fn document_totals_are_sums_of_lines() {
        let (per_line, doc) = compute(&[
            line(1000, 1005, 1000, 500),
            line(2500, 22_000, 0, 500),
            line(1000, 333, 0, 0),
        ])
        .unwrap();
        assert_eq!(per_line.len(), 3);
        assert_eq!(doc.subtotal_minor, 904 + 55_000 + 333);
        assert_eq!(doc.tax_minor, 45 + 2_750);
        assert_eq!(doc.total_minor, doc.subtotal_minor + doc.tax_minor);
        assert_eq!(compute(&[]).unwrap().1, Amounts::default());
    }

    /// Exact rational rounding, written differently from the code under test.
    fn reference_round(n: i128, d: i128) -> i128 {
        (2 * n + d).div_euclid(2 * d)
    }

    proptest! {
        #[test]
        fn lines_match_a_reference_and_hold_their_invariants(
            q in 0i64..100_000_000,
            p in 0i64..1_000_000_000_000,
            disc in 0i64..=10_000,
            tax in 0i64..=10_000,
        ) {
            let a = line_amounts(&line(q, p, disc, tax)).unwrap();
            let gross = reference_round(i128::from(q) * i128::from(p), 1000);
            let subtotal = gross - reference_round(gross * i128::from(disc), 10_000);
            let t = reference_round(subtotal * i128::from(tax), 10_000);
            prop_assert_eq!(i128::from(a.subtotal_minor), subtotal);
            prop_assert_eq!(i128::from(a.tax_minor), t);
            prop_assert_eq!(a.total_minor, a.subtotal_minor + a.tax_minor);
            prop_assert!(a.subtotal_minor >= 0 && i128::from(a.subtotal_minor) <= gross);
            prop_assert!(a.tax_minor <= a.subtotal_minor);
        }

        #[test]
        fn any_input_gives_a_result_or_an_error_never_a_panic(
            q in any::<i64>(), p in any::<i64>(), disc in any::<i64>(), tax in any::<i64>(),
        ) {
            if let Ok(a) = line_amounts(&line(q, p, disc, tax)) {
                prop_assert_eq!(i128::from(a.total_minor), i128::from(a.subtotal_minor) + i128::from(a.tax_minor));
            }
        }

        #[test]
        fn document_amounts_are_the_sum_of_line_amounts(
            lines in proptest::collection::vec((0i64..1_000_000, 0i64..10_000_000, 0i64..=10_000, 0i64..=10_000), 0..20),
        ) {
            let inputs: Vec<LineInput> = lines.iter().map(|&(q, p, d, t)| line(q, p, d, t)).collect();
            let (per_line, doc) = compute(&inputs).unwrap();
            prop_assert_eq!(doc.subtotal_minor, per_line.iter().map(|a| a.subtotal_minor).sum::<i64>());
            prop_assert_eq!(doc.tax_minor, per_line.iter().map(|a| a.tax_minor).sum::<i64>());
            prop_assert_eq!(doc.total_minor, doc.subtotal_minor + doc.tax_minor);
        }
    }
}

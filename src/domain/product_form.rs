//! A catalogue item (product or service) as typed on the back office form or sent to the
//! API, checked: prices are decimal text in the currency's own digits (never a float),
//! tax rates a percentage with up to two decimals, stored as basis points.

use crate::domain::money::Currency;
use crate::domain::request_form::FieldError;
use crate::domain::text::check_visible;

pub const NAME_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 2000;
pub const UNIT_MAX: usize = 30;
/// Prices up to ten thousand million major units.
pub const PRICE_MAX_MINOR: i64 = 1_000_000_000_000_000;

#[derive(Debug, Clone, Default)]
pub struct ProductInput {
    pub kind: String,
    pub name: String,
    pub description: String,
    pub unit: String,
    pub price: String,
    pub currency: String,
    pub tax_rate: String,
    pub visible_in_portal: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidProduct {
    pub kind: &'static str,
    pub name: String,
    pub description: String,
    pub unit: String,
    pub price_minor: i64,
    pub currency: &'static str,
    pub tax_rate_bp: i64,
    pub visible_in_portal: bool,
}

fn err(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field,
        message: message.into(),
    }
}

/// `"1,250.50"` in a 2-digit currency → 125050. Digits, at most one point, at most
/// `exponent` digits after it; commas and spaces between digits are ignored.
pub fn parse_amount(text: &str, exponent: u32) -> Result<i64, String> {
    let cleaned: String = text
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != ' ')
        .collect();
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !digits(whole) || !digits(fraction) {
        return Err("enter an amount such as 120 or 120.50".into());
    }
    if fraction.len() > exponent as usize {
        return Err(format!(
            "at most {exponent} digits after the point for this currency"
        ));
    }
    let scale = 10i64.pow(exponent);
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| "too large".to_string())?
    };
    let padded = format!("{fraction:0<width$}", width = exponent as usize);
    let fraction: i64 = if padded.is_empty() {
        0
    } else {
        padded.parse().map_err(|_| "too large".to_string())?
    };
    whole
        .checked_mul(scale)
        .and_then(|w| w.checked_add(fraction))
        .filter(|v| *v <= PRICE_MAX_MINOR)
        .ok_or_else(|| "too large".to_string())
}

/// A stored amount as the form shows it: `125050` → `"1250.50"`.
pub fn amount_text(minor: i64, exponent: u32) -> String {
    if exponent == 0 {
        return minor.to_string();
    }
    let scale = 10i64.pow(exponent);
    format!(
        "{}.{:0width$}",
        minor / scale,
        (minor % scale).abs(),
        width = exponent as usize
    )
}

/// `"5"` → 500, `"12.5"` → 1250 (basis points), 0 to 100.
pub fn parse_percent(text: &str) -> Result<i64, String> {
    let t = text.trim().trim_end_matches('%').trim();
    if t.is_empty() {
        return Ok(0);
    }
    let bp =
        parse_amount(t, 2).map_err(|_| "a percentage from 0 to 100, e.g. 5 or 7.5".to_string())?;
    if bp > 10_000 {
        return Err("a percentage from 0 to 100, e.g. 5 or 7.5".into());
    }
    Ok(bp)
}

/// Basis points as the form shows them: 500 → `"5"`, 1250 → `"12.5"`.
pub fn percent_text(bp: i64) -> String {
    let text = amount_text(bp, 2);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The checks shared by the form and the API, once price and tax are numbers.
#[allow(clippy::too_many_arguments)]
pub fn check(
    kind: &str,
    name: &str,
    description: &str,
    unit: &str,
    currency: &str,
    price_minor: Result<i64, FieldError>,
    tax_rate_bp: Result<i64, FieldError>,
    visible_in_portal: bool,
) -> Result<ValidProduct, Vec<FieldError>> {
    let mut errors = Vec::new();
    let kind = match kind.trim() {
        "product" => "product",
        "service" | "" => "service",
        _ => {
            errors.push(err("kind", "Kind: product or service."));
            "service"
        }
    };
    let name = name.trim().to_string();
    if name.is_empty() {
        errors.push(err("name", "Name: cannot be empty."));
    } else if name.chars().count() > NAME_MAX {
        errors.push(err("name", format!("Name: at most {NAME_MAX} characters.")));
    }
    errors.extend(check_visible(&name, false, "name", "Name"));
    let description = description.trim().replace("\r\n", "\n");
    if description.chars().count() > DESCRIPTION_MAX {
        errors.push(err(
            "description",
            format!("Description: at most {DESCRIPTION_MAX} characters."),
        ));
    }
    errors.extend(check_visible(
        &description,
        true,
        "description",
        "Description",
    ));
    let unit = unit.trim().to_string();
    if unit.chars().count() > UNIT_MAX {
        errors.push(err("unit", format!("Unit: at most {UNIT_MAX} characters.")));
    }
    errors.extend(check_visible(&unit, false, "unit", "Unit"));
    let currency = Currency::parse(currency)
        .map(Currency::code)
        .unwrap_or_else(|_| {
            errors.push(err(
                "currency",
                "Currency: an ISO 4217 code this product supports, e.g. AED, USD, EUR.",
            ));
            ""
        });
    let price_minor = price_minor.unwrap_or_else(|e| {
        errors.push(e);
        0
    });
    let tax_rate_bp = tax_rate_bp.unwrap_or_else(|e| {
        errors.push(e);
        0
    });
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ValidProduct {
        kind,
        name,
        description,
        unit,
        price_minor,
        currency,
        tax_rate_bp,
        visible_in_portal,
    })
}

/// The back office form: price and tax as typed text.
pub fn validate(input: &ProductInput) -> Result<ValidProduct, Vec<FieldError>> {
    let exponent = Currency::parse(&input.currency).map_or(2, Currency::exponent);
    let price =
        parse_amount(&input.price, exponent).map_err(|m| err("price", format!("Price: {m}.")));
    let tax =
        parse_percent(&input.tax_rate).map_err(|m| err("tax_rate", format!("Tax rate: {m}.")));
    check(
        &input.kind,
        &input.name,
        &input.description,
        &input.unit,
        &input.currency,
        price,
        tax,
        input.visible_in_portal,
    )
}

/// Integer fields as the API sends them.
pub fn price_in_range(minor: i64) -> Result<i64, FieldError> {
    if (0..=PRICE_MAX_MINOR).contains(&minor) {
        Ok(minor)
    } else {
        Err(err(
            "price_minor",
            "price_minor: from 0 up, in minor units of the currency.",
        ))
    }
}

pub fn tax_in_range(bp: i64) -> Result<i64, FieldError> {
    if (0..=10_000).contains(&bp) {
        Ok(bp)
    } else {
        Err(err(
            "tax_rate_bp",
            "tax_rate_bp: from 0 to 10000 (basis points; 500 = 5%).",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_use_the_currencys_digits() {
        assert_eq!(parse_amount("1,250.50", 2), Ok(125_050));
        assert_eq!(parse_amount("12.5", 3), Ok(12_500));
        assert_eq!(parse_amount("500", 0), Ok(500));
        assert_eq!(parse_amount(".5", 2), Ok(50));
        assert!(parse_amount("1.234", 2).is_err());
        assert!(parse_amount("5.5", 0).is_err());
        assert!(parse_amount("-3", 2).is_err());
        assert!(parse_amount("1e3", 2).is_err());
        assert!(parse_amount("", 2).is_err());
        assert!(parse_amount(".", 2).is_err());
        assert!(parse_amount("99999999999999999999", 2).is_err());
        assert_eq!(amount_text(125_050, 2), "1250.50");
        assert_eq!(amount_text(5, 3), "0.005");
        assert_eq!(amount_text(500, 0), "500");
    }

    #[test]
    fn tax_rates_are_percentages_in_basis_points() {
        assert_eq!(parse_percent("5"), Ok(500));
        assert_eq!(parse_percent("7.5%"), Ok(750));
        assert_eq!(parse_percent(""), Ok(0));
        assert!(parse_percent("100.01").is_err());
        assert!(parse_percent("abc").is_err());
        assert_eq!(percent_text(500), "5");
        assert_eq!(percent_text(1250), "12.5");
        assert_eq!(percent_text(0), "0");
    }

    #[test]
    fn each_bad_field_is_named() {
        let good = ProductInput {
            kind: "service".into(),
            name: "Boiler service".into(),
            price: "120".into(),
            currency: "aed".into(),
            tax_rate: "5".into(),
            ..Default::default()
        };
        let v = validate(&good).unwrap();
        assert_eq!(
            (v.price_minor, v.currency, v.tax_rate_bp),
            (12_000, "AED", 500)
        );
        for (field, change) in [
            (
                "name",
                (|i: &mut ProductInput| i.name = " ".into()) as fn(&mut ProductInput),
            ),
            ("price", |i| i.price = "twelve".into()),
            ("currency", |i| i.currency = "ZZZ".into()),
            ("tax_rate", |i| i.tax_rate = "120".into()),
            ("kind", |i| i.kind = "gift".into()),
            ("name", |i| i.name = "a\u{202E}b".into()),
        ] {
            let mut input = good.clone();
            change(&mut input);
            let errors = validate(&input).unwrap_err();
            assert!(
                errors.iter().any(|e| e.field == field),
                "{field}: {errors:?}"
            );
        }
    }
}

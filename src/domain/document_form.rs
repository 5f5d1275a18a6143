//! A quote or invoice as staff type it (the back-office form and the API take the same
//! fields): decimals as text, a currency per document, lines from the catalogue or free
//! text. [`validate`] turns it into whole numbers (thousandths of a unit, minor units of
//! the currency, basis points) and the totals of [`super::lines::compute`], or answers
//! every problem naming its field: `currency`, `lines[2].quantity`. Nothing is rounded
//! silently: `12.345` in a two-decimal currency is refused, not made `12.35`.

use super::lines::{self, Amounts, LineError, LineInput, MAX_BP};
use super::money::Currency;
use super::records::parse_date;
use super::text::first_hidden;

pub const TITLE_MAX: usize = 200;
pub const NOTES_MAX: usize = 5_000;
pub const DESCRIPTION_MAX: usize = 2_000;
pub const LINES_MAX: usize = 200;

/// A problem with one field; `field` is the API's name for it (`lines[0].unit_price`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocError {
    pub field: String,
    pub message: String,
}

impl DocError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }

    /// For people: `Line 3, quantity: cannot be negative.`
    pub fn label(&self) -> String {
        if let Some(rest) = self.field.strip_prefix("lines[") {
            if let Some((n, name)) = rest.split_once("].") {
                if let Ok(i) = n.parse::<usize>() {
                    return format!(
                        "Line {}, {}: {}",
                        i + 1,
                        name.replace('_', " "),
                        self.message
                    );
                }
            }
        }
        format!("{}: {}", self.field.replace('_', " "), self.message)
    }
}

/// One line as typed. All empty means "no line" (the form offers spare rows).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineFields {
    pub product_id: String,
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub discount_percent: String,
    pub tax_rate_percent: String,
}

impl LineFields {
    pub fn is_blank(&self) -> bool {
        [
            &self.product_id,
            &self.description,
            &self.quantity,
            &self.unit_price,
            &self.discount_percent,
            &self.tax_rate_percent,
        ]
        .iter()
        .all(|f| f.trim().is_empty())
    }
}

/// A document as typed. `end_date` is the due date of an invoice, the valid-until date
/// of a quote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentFields {
    pub title: String,
    pub issue_date: String,
    pub end_date: String,
    pub currency: String,
    pub client_notes: String,
    pub internal_notes: String,
    pub lines: Vec<LineFields>,
}

/// A catalogue item a line may name; its name, price and tax fill what is left blank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueItem {
    pub id: i64,
    pub name: String,
    pub price_minor: i64,
    pub currency: String,
    pub tax_rate_bp: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidLine {
    pub product_id: Option<i64>,
    pub description: String,
    pub quantity_milli: i64,
    pub unit_price_minor: i64,
    pub discount_bp: i64,
    pub tax_rate_bp: i64,
    pub amounts: Amounts,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidDocument {
    pub title: String,
    pub issue_date: String,
    pub end_date: String,
    pub currency: Currency,
    pub client_notes: String,
    pub internal_notes: String,
    pub lines: Vec<ValidLine>,
    pub totals: Amounts,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecimalError {
    #[error("is required")]
    Empty,
    #[error("cannot be negative")]
    Negative,
    #[error("is not a number (use digits and a point, e.g. 12.50)")]
    NotANumber,
    #[error("has more decimal places than allowed")]
    TooManyPlaces,
    #[error("is too large")]
    TooLarge,
}

/// `"12.5"` with `places = 2` is `1250`. Digits, at most one point, optional thousands
/// commas before it; never negative, never rounded.
pub fn parse_decimal(text: &str, places: u32) -> Result<i64, DecimalError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(DecimalError::Empty);
    }
    if t.starts_with('-') {
        return Err(DecimalError::Negative);
    }
    let t = t.strip_prefix('+').unwrap_or(t);
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    let whole: String = whole.chars().filter(|c| *c != ',').collect();
    if (whole.is_empty() && frac.is_empty())
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return Err(DecimalError::NotANumber);
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() > places as usize {
        return Err(DecimalError::TooManyPlaces);
    }
    let whole = whole.trim_start_matches('0');
    if whole.len() > 15 {
        return Err(DecimalError::TooLarge);
    }
    let scale = 10i64.pow(places);
    let w: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| DecimalError::TooLarge)?
    };
    let f: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<width$}", width = places as usize)
            .parse()
            .map_err(|_| DecimalError::NotANumber)?
    };
    w.checked_mul(scale)
        .and_then(|v| v.checked_add(f))
        .ok_or(DecimalError::TooLarge)
}

/// The inverse of [`parse_decimal`], without grouping and without trailing zeros beyond
/// `min_places`: `(1250, 2, 2)` is `12.50`, `(2500, 3, 0)` is `2.5`.
pub fn format_decimal(value: i64, places: u32, min_places: u32) -> String {
    let scale = 10u64.pow(places);
    let abs = value.unsigned_abs();
    let sign = if value < 0 { "-" } else { "" };
    let whole = abs / scale;
    if places == 0 {
        return format!("{sign}{whole}");
    }
    let frac = format!("{:0width$}", abs % scale, width = places as usize);
    let mut frac = frac.trim_end_matches('0').to_string();
    while frac.len() < min_places as usize {
        frac.push('0');
    }
    if frac.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{frac}")
    }
}

fn decimal_message(e: DecimalError, places: u32, what: &str) -> String {
    match e {
        DecimalError::TooManyPlaces if places == 0 => {
            format!("{what} takes whole numbers only (no decimal places).")
        }
        DecimalError::TooManyPlaces => {
            format!("{what} takes at most {places} decimal places.")
        }
        other => format!("{other}."),
    }
}

fn text_field(
    errors: &mut Vec<DocError>,
    field: &str,
    value: &str,
    max: usize,
    multi_line: bool,
) -> String {
    let v = value.trim().replace("\r\n", "\n");
    if v.chars().count() > max {
        errors.push(DocError::new(field, format!("at most {max} characters.")));
    } else if first_hidden(&v, multi_line).is_some() {
        errors.push(DocError::new(
            field,
            "contains a control or invisible formatting character.",
        ));
    }
    v
}

fn percent(errors: &mut Vec<DocError>, field: &str, value: &str, default_bp: i64) -> i64 {
    if value.trim().is_empty() {
        return default_bp;
    }
    match parse_decimal(value, 2) {
        Ok(bp) if bp <= MAX_BP => bp,
        Ok(_) => {
            errors.push(DocError::new(field, "must be between 0 and 100 (%)."));
            0
        }
        Err(e) => {
            errors.push(DocError::new(field, decimal_message(e, 2, "A percentage")));
            0
        }
    }
}

fn line(
    errors: &mut Vec<DocError>,
    i: usize,
    f: &LineFields,
    currency: Option<Currency>,
    catalogue: &[CatalogueItem],
) -> Option<ValidLine> {
    let name = |n: &str| format!("lines[{i}].{n}");
    let before = errors.len();
    let product = match f.product_id.trim() {
        "" => None,
        raw => match catalogue.iter().find(|p| p.id.to_string() == raw) {
            Some(p) => Some(p),
            None => {
                errors.push(DocError::new(
                    name("product_id"),
                    "is not a product or service of this workspace's catalogue.",
                ));
                None
            }
        },
    };
    let mut description = text_field(
        errors,
        &name("description"),
        &f.description,
        DESCRIPTION_MAX,
        true,
    );
    // An unknown catalogue item is the one problem to report; what it would have
    // filled in is not also "required".
    let bad_product = !f.product_id.trim().is_empty() && product.is_none();
    if description.is_empty() {
        match product {
            Some(p) => description = p.name.clone(),
            None if bad_product => {}
            None => errors.push(DocError::new(
                name("description"),
                "is required (or choose a catalogue item).",
            )),
        }
    }
    let quantity_milli = if f.quantity.trim().is_empty() {
        1000
    } else {
        match parse_decimal(&f.quantity, 3) {
            Ok(q) => q,
            Err(e) => {
                errors.push(DocError::new(
                    name("quantity"),
                    decimal_message(e, 3, "A quantity"),
                ));
                0
            }
        }
    };
    let unit_price_minor = match (f.unit_price.trim().is_empty(), product, currency) {
        (true, Some(p), Some(c)) if p.currency.eq_ignore_ascii_case(c.code()) => p.price_minor,
        (true, Some(p), Some(c)) => {
            errors.push(DocError::new(
                name("unit_price"),
                format!(
                    "the catalogue price is in {}; type a price in {}.",
                    p.currency,
                    c.code()
                ),
            ));
            0
        }
        (true, None, _) if bad_product => 0,
        (true, _, _) => {
            errors.push(DocError::new(name("unit_price"), "is required."));
            0
        }
        (false, _, Some(c)) => match parse_decimal(&f.unit_price, c.exponent()) {
            Ok(v) => v,
            Err(e) => {
                errors.push(DocError::new(
                    name("unit_price"),
                    decimal_message(e, c.exponent(), &format!("A price in {}", c.code())),
                ));
                0
            }
        },
        // Without a valid currency the price cannot be read; the currency error says why.
        (false, _, None) => 0,
    };
    let discount_bp = percent(errors, &name("discount_percent"), &f.discount_percent, 0);
    let tax_rate_bp = percent(
        errors,
        &name("tax_rate_percent"),
        &f.tax_rate_percent,
        product.map_or(0, |p| p.tax_rate_bp),
    );
    if errors.len() > before {
        return None;
    }
    let input = LineInput {
        quantity_milli,
        unit_price_minor,
        discount_bp,
        tax_rate_bp,
    };
    match lines::line_amounts(&input) {
        Ok(amounts) => Some(ValidLine {
            product_id: product.map(|p| p.id),
            description,
            quantity_milli,
            unit_price_minor,
            discount_bp,
            tax_rate_bp,
            amounts,
        }),
        Err(e) => {
            let field = match e {
                LineError::NegativeQuantity => "quantity",
                LineError::NegativePrice => "unit_price",
                LineError::DiscountOutOfRange => "discount_percent",
                LineError::TaxRateOutOfRange => "tax_rate_percent",
                LineError::Overflow => "quantity",
            };
            errors.push(DocError::new(name(field), format!("{e}.")));
            None
        }
    }
}

/// Checks a document as typed, against the workspace's catalogue.
pub fn validate(
    f: &DocumentFields,
    catalogue: &[CatalogueItem],
) -> Result<ValidDocument, Vec<DocError>> {
    let mut errors = Vec::new();
    let title = text_field(&mut errors, "title", &f.title, TITLE_MAX, false);
    let client_notes = text_field(
        &mut errors,
        "client_notes",
        &f.client_notes,
        NOTES_MAX,
        true,
    );
    let internal_notes = text_field(
        &mut errors,
        "internal_notes",
        &f.internal_notes,
        NOTES_MAX,
        true,
    );
    let currency = match Currency::parse(&f.currency) {
        Ok(c) => Some(c),
        Err(_) if f.currency.trim().is_empty() => {
            errors.push(DocError::new("currency", "is required."));
            None
        }
        Err(_) => {
            errors.push(DocError::new(
                "currency",
                "is not a supported ISO 4217 currency code (e.g. AED, USD, KWD).",
            ));
            None
        }
    };
    let mut dates = [("issue_date", &f.issue_date), ("end_date", &f.end_date)]
        .into_iter()
        .map(|(field, v)| {
            let v = v.trim();
            match parse_date(v) {
                Some(d) if d.to_string() == v => Some(d),
                _ => {
                    errors.push(DocError::new(field, "is not a date (YYYY-MM-DD)."));
                    None
                }
            }
        })
        .collect::<Vec<_>>();
    if let (Some(Some(issue)), Some(Some(end))) = (dates.first(), dates.get(1)) {
        if end < issue {
            errors.push(DocError::new(
                "end_date",
                "cannot be before the issue date.",
            ));
        }
    }
    let end_date = dates.pop().flatten().map(|d| d.to_string());
    let issue_date = dates.pop().flatten().map(|d| d.to_string());
    let typed: Vec<(usize, &LineFields)> = f
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.is_blank())
        .collect();
    if typed.len() > LINES_MAX {
        errors.push(DocError::new(
            "lines",
            format!("at most {LINES_MAX} lines."),
        ));
    }
    let valid_lines: Vec<Option<ValidLine>> = typed
        .iter()
        .map(|(i, l)| line(&mut errors, *i, l, currency, catalogue))
        .collect();
    let amounts: Vec<Amounts> = valid_lines.iter().flatten().map(|l| l.amounts).collect();
    let totals = match lines::document_amounts(&amounts) {
        Ok(t) => t,
        Err(e) => {
            errors.push(DocError::new("lines", format!("{e}.")));
            Amounts::default()
        }
    };
    match (currency, issue_date, end_date) {
        (Some(currency), Some(issue_date), Some(end_date)) if errors.is_empty() => {
            Ok(ValidDocument {
                title,
                issue_date,
                end_date,
                currency,
                client_notes,
                internal_notes,
                lines: valid_lines.into_iter().flatten().collect(),
                totals,
            })
        }
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(q: &str, p: &str) -> LineFields {
        LineFields {
            description: "Work".into(),
            quantity: q.into(),
            unit_price: p.into(),
            ..LineFields::default()
        }
    }

    fn doc(currency: &str, lines: Vec<LineFields>) -> DocumentFields {
        DocumentFields {
            title: "Service".into(),
            issue_date: "2026-03-01".into(),
            end_date: "2026-03-31".into(),
            currency: currency.into(),
            lines,
            ..DocumentFields::default()
        }
    }

    fn fields(r: Result<ValidDocument, Vec<DocError>>) -> Vec<String> {
        r.unwrap_err().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn decimals_parse_exactly_or_are_refused() {
        assert_eq!(parse_decimal("12.5", 2), Ok(1250));
        assert_eq!(parse_decimal(" 1,250.50 ", 2), Ok(125_050));
        assert_eq!(parse_decimal("0.001", 3), Ok(1));
        assert_eq!(parse_decimal("12.340", 2), Ok(1234));
        assert_eq!(parse_decimal(".5", 1), Ok(5));
        assert_eq!(parse_decimal("7", 0), Ok(7));
        assert_eq!(parse_decimal("12.345", 2), Err(DecimalError::TooManyPlaces));
        assert_eq!(parse_decimal("1.5", 0), Err(DecimalError::TooManyPlaces));
        assert_eq!(parse_decimal("-1", 2), Err(DecimalError::Negative));
        assert_eq!(parse_decimal("1e3", 2), Err(DecimalError::NotANumber));
        assert_eq!(parse_decimal("1.2.3", 2), Err(DecimalError::NotANumber));
        assert_eq!(parse_decimal(".", 2), Err(DecimalError::NotANumber));
        assert_eq!(parse_decimal("", 2), Err(DecimalError::Empty));
        assert_eq!(
            parse_decimal("99999999999999999999", 2),
            Err(DecimalError::TooLarge)
        );
        assert_eq!(format_decimal(1250, 2, 2), "12.50");
        assert_eq!(format_decimal(2500, 3, 0), "2.5");
        assert_eq!(format_decimal(500, 2, 0), "5");
        assert_eq!(format_decimal(7, 0, 0), "7");
    }

    #[test]
    fn a_good_document_gets_its_totals_from_the_line_math() {
        let mut l = line("2.5", "100.00");
        l.tax_rate_percent = "5".into();
        let v = validate(&doc("aed", vec![l, LineFields::default()]), &[]).unwrap();
        assert_eq!(v.currency.code(), "AED");
        assert_eq!(v.lines.len(), 1, "blank rows are not lines");
        assert_eq!(v.lines[0].quantity_milli, 2500);
        assert_eq!(v.lines[0].unit_price_minor, 10_000);
        assert_eq!(v.totals.subtotal_minor, 25_000);
        assert_eq!(v.totals.tax_minor, 1_250);
        assert_eq!(v.totals.total_minor, 26_250);
    }

    #[test]
    fn every_bad_field_is_named() {
        assert_eq!(fields(validate(&doc("XYZ", vec![]), &[])), ["currency"]);
        assert_eq!(
            fields(validate(
                &doc("USD", vec![line("1", "1"), line("-2", "12.345")]),
                &[]
            )),
            ["lines[1].quantity", "lines[1].unit_price"]
        );
        assert_eq!(
            fields(validate(&doc("KWD", vec![line("1", "1.2345")]), &[])),
            ["lines[0].unit_price"]
        );
        assert!(validate(&doc("KWD", vec![line("1", "1.234")]), &[]).is_ok());
        assert_eq!(
            fields(validate(&doc("JPY", vec![line("1", "10.5")]), &[])),
            ["lines[0].unit_price"]
        );
        let mut d = doc("USD", vec![line("1", "1")]);
        d.end_date = "2026-02-01".into();
        assert_eq!(fields(validate(&d, &[])), ["end_date"]);
        d.issue_date = "yesterday".into();
        assert_eq!(fields(validate(&d, &[])), ["issue_date"]);
        let mut l = line("1", "1");
        l.discount_percent = "101".into();
        l.tax_rate_percent = "5.555".into();
        assert_eq!(
            fields(validate(&doc("USD", vec![l]), &[])),
            ["lines[0].discount_percent", "lines[0].tax_rate_percent"]
        );
        let mut l = line("1", "1");
        l.description = "a\u{202E}b".into();
        assert_eq!(
            fields(validate(&doc("USD", vec![l]), &[])),
            ["lines[0].description"]
        );
        let err = validate(&doc("USD", vec![line("x", "1")]), &[]).unwrap_err();
        assert_eq!(
            err[0].label(),
            format!("Line 1, quantity: {}", err[0].message)
        );
    }

    #[test]
    fn a_catalogue_item_fills_what_is_left_blank() {
        let cat = [CatalogueItem {
            id: 42,
            name: "Deep clean".into(),
            price_minor: 45_000,
            currency: "AED".into(),
            tax_rate_bp: 500,
        }];
        let l = LineFields {
            product_id: "42".into(),
            quantity: "2".into(),
            ..LineFields::default()
        };
        let v = validate(&doc("AED", vec![l.clone()]), &cat).unwrap();
        assert_eq!(v.lines[0].description, "Deep clean");
        assert_eq!(v.lines[0].product_id, Some(42));
        assert_eq!(v.lines[0].unit_price_minor, 45_000);
        assert_eq!(v.lines[0].tax_rate_bp, 500);
        assert_eq!(v.totals.total_minor, 94_500);
        assert_eq!(
            fields(validate(&doc("USD", vec![l.clone()]), &cat)),
            ["lines[0].unit_price"],
            "a price in another currency is not taken over"
        );
        let mut other = l;
        other.product_id = "43".into();
        assert_eq!(
            fields(validate(&doc("AED", vec![other]), &cat)),
            ["lines[0].product_id"]
        );
    }

    proptest! {
        #[test]
        fn formatting_then_parsing_gives_the_same_number(v in 0i64..1_000_000_000_000, places in 0u32..4) {
            prop_assert_eq!(parse_decimal(&format_decimal(v, places, 0), places), Ok(v));
        }

        #[test]
        fn any_text_is_a_number_or_an_error_never_a_panic(s in ".{0,30}", places in 0u32..4) {
            let _ = parse_decimal(&s, places);
        }
    }
}

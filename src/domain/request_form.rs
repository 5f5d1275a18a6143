//! The portal's New request form: what is accepted, and a message naming the field for
//! anything that is not.

use jiff::civil::Date;

use super::records::parse_date;
use super::text::check_visible;

pub const SUBJECT_MAX: usize = 200;
pub const DETAILS_MAX: usize = 10_000;
pub const ADDRESS_MAX: usize = 500;

#[derive(Debug, Clone, Default)]
pub struct RequestInput {
    pub subject: String,
    pub details: String,
    pub preferred_date: String,
    pub site_address: String,
}

/// A field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRequest {
    pub subject: String,
    pub details: String,
    pub preferred_date: Option<String>,
    pub site_address: String,
}

/// Line endings become `\n`; other control characters (which no keyboard types) go.
fn clean(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect()
}

pub fn validate(input: &RequestInput, today: Date) -> Result<ValidRequest, Vec<FieldError>> {
    let mut errors: Vec<FieldError> = [
        check_visible(&input.subject, false, "subject", "Subject"),
        check_visible(&input.details, true, "details", "Details"),
        check_visible(
            &input.preferred_date,
            false,
            "preferred_date",
            "Preferred date",
        ),
        check_visible(&input.site_address, true, "site_address", "Site address"),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut err = |field, message: String| {
        if !errors.iter().any(|e: &FieldError| e.field == field) {
            errors.push(FieldError { field, message })
        }
    };
    let subject = clean(input.subject.trim()).replace('\n', " ");
    let details = clean(input.details.trim());
    let site_address = clean(input.site_address.trim());
    if subject.is_empty() {
        err(
            "subject",
            "Subject: please say in a few words what the request is about.".into(),
        );
    } else if subject.chars().count() > SUBJECT_MAX {
        err(
            "subject",
            format!(
                "Subject: at most {SUBJECT_MAX} characters (this one has {}).",
                subject.chars().count()
            ),
        );
    }
    if details.is_empty() {
        err("details", "Details: please describe what you need.".into());
    } else if details.chars().count() > DETAILS_MAX {
        err(
            "details",
            format!(
                "Details: at most {DETAILS_MAX} characters (this text has {}).",
                details.chars().count()
            ),
        );
    }
    if site_address.chars().count() > ADDRESS_MAX {
        err(
            "site_address",
            format!("Site address: at most {ADDRESS_MAX} characters."),
        );
    }
    let date = input.preferred_date.trim();
    let preferred_date = if date.is_empty() {
        None
    } else {
        match parse_date(date) {
            Some(d) if date.len() == 10 && d >= today => Some(d.to_string()),
            Some(d) if date.len() == 10 && d < today => {
                err(
                    "preferred_date",
                    "Preferred date: choose today or a later date.".into(),
                );
                None
            }
            _ => {
                err(
                    "preferred_date",
                    "Preferred date: use the form YYYY-MM-DD, for example 2026-03-14.".into(),
                );
                None
            }
        }
    };
    if errors.is_empty() {
        Ok(ValidRequest {
            subject,
            details,
            preferred_date,
            site_address,
        })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn input(subject: &str, details: &str) -> RequestInput {
        RequestInput {
            subject: subject.into(),
            details: details.into(),
            ..Default::default()
        }
    }

    #[test]
    fn any_script_is_welcome() {
        let text = "مرحبا 👋 你好 — Привет\nline two";
        let ok = validate(&input("Leak ☔", text), date(2026, 1, 1)).unwrap();
        assert_eq!(ok.details, text);
    }

    #[test]
    fn ten_thousand_characters_fit_and_one_more_does_not() {
        let max = "é".repeat(DETAILS_MAX);
        assert!(validate(&input("s", &max), date(2026, 1, 1)).is_ok());
        let over = "é".repeat(DETAILS_MAX + 1);
        let errs = validate(&input("s", &over), date(2026, 1, 1)).unwrap_err();
        assert_eq!(errs[0].field, "details");
    }

    #[test]
    fn required_fields_and_dates_are_named() {
        let errs = validate(
            &RequestInput {
                preferred_date: "14/03/2026".into(),
                ..Default::default()
            },
            date(2026, 1, 1),
        )
        .unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["subject", "details", "preferred_date"]);
        let past = RequestInput {
            preferred_date: "2025-12-31".into(),
            ..input("s", "d")
        };
        assert_eq!(
            validate(&past, date(2026, 1, 1)).unwrap_err()[0].field,
            "preferred_date"
        );
    }

    #[test]
    fn line_endings_are_normalised_and_control_characters_refused_by_field() {
        let ok = validate(&input("ab", "x\r\ny\tz"), date(2026, 1, 1)).unwrap();
        assert_eq!(ok.details, "x\ny\tz");
        let errs = validate(&input("a\u{7}b", "x\r\ny\u{1b}z"), date(2026, 1, 1)).unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["subject", "details"]);
        let errs = validate(&input("a\u{202E}b", "x\u{2066}y"), date(2026, 1, 1)).unwrap_err();
        assert!(
            errs[0].message.starts_with("Subject: ") && errs[1].message.starts_with("Details: ")
        );
    }
}

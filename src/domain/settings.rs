//! The workspace's settings as typed on the settings page, checked: business profile,
//! accent colour, time zone, default currency, portal session lengths, and the logo's
//! type (read from its bytes, never from its name).

use crate::domain::money::Currency;
use crate::domain::request_form::FieldError;

/// Largest logo accepted.
pub const LOGO_MAX_BYTES: usize = 512 * 1024;

/// What the settings form sends, as typed.
#[derive(Debug, Clone, Default)]
pub struct SettingsInput {
    pub display_name: String,
    pub about_us: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub website: String,
    pub hours: String,
    pub accent_colour: String,
    pub time_zone: String,
    pub default_currency: String,
    pub portal_idle_minutes: String,
    pub portal_absolute_minutes: String,
}

/// Settings that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSettings {
    pub display_name: String,
    pub about_us: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub website: String,
    pub hours: String,
    pub accent_colour: String,
    pub time_zone: String,
    pub default_currency: String,
    pub portal_idle_minutes: i64,
    pub portal_absolute_minutes: i64,
}

/// Portal session bounds: idle 5 minutes to 1 day; absolute up to 30 days.
pub const PORTAL_IDLE_RANGE: (i64, i64) = (5, 24 * 60);
pub const PORTAL_ABSOLUTE_RANGE: (i64, i64) = (15, 30 * 24 * 60);

fn err(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field,
        message: message.into(),
    }
}

/// `#rrggbb`, stored lower-case.
pub fn accent_colour(raw: &str) -> Result<String, String> {
    let s = raw.trim();
    let ok = s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit());
    if ok {
        Ok(s.to_ascii_lowercase())
    } else {
        Err("Accent colour: use the form #rrggbb, e.g. #1f6f5c.".into())
    }
}

/// The IANA zone names this server knows, sorted, for the form's suggestions.
pub fn zone_names() -> Vec<String> {
    let mut names: Vec<String> = jiff::tz::db()
        .available()
        .map(|n| n.as_str().to_string())
        .filter(|n| {
            n.contains('/')
                && !n.starts_with("Etc/")
                && !n.starts_with("posix")
                && !n.starts_with("right/")
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// An IANA time zone name that this server knows, e.g. `Asia/Dubai`.
pub fn time_zone(raw: &str) -> Result<String, String> {
    let s = raw.trim();
    if s.is_empty() || s.len() > 64 {
        return Err("Time zone: enter an IANA time zone name, e.g. Asia/Dubai.".into());
    }
    match jiff::tz::TimeZone::get(s) {
        Ok(_) => Ok(s.to_string()),
        Err(_) => Err(format!(
            "Time zone: “{}” is not a known IANA time zone name (e.g. Europe/London).",
            s.chars().take(64).collect::<String>()
        )),
    }
}

fn text(
    field: &'static str,
    label: &str,
    raw: &str,
    max: usize,
    multi_line: bool,
    errors: &mut Vec<FieldError>,
) -> String {
    let value = raw.trim().replace("\r\n", "\n");
    if value.chars().count() > max {
        errors.push(err(field, format!("{label}: at most {max} characters.")));
    } else if let Some(c) = crate::domain::text::first_hidden(&value, multi_line) {
        errors.push(err(
            field,
            format!(
                "{label}: contains an invisible or control character (U+{:04X}); remove it.",
                c as u32
            ),
        ));
    }
    value
}

fn minutes(
    field: &'static str,
    label: &str,
    raw: &str,
    (lo, hi): (i64, i64),
    errors: &mut Vec<FieldError>,
) -> i64 {
    match raw.trim().parse::<i64>() {
        Ok(n) if (lo..=hi).contains(&n) => n,
        _ => {
            errors.push(err(
                field,
                format!("{label}: a whole number of minutes from {lo} to {hi}."),
            ));
            0
        }
    }
}

pub fn validate(input: &SettingsInput) -> Result<ValidSettings, Vec<FieldError>> {
    let mut errors = Vec::new();
    let display_name = text(
        "display_name",
        "Business name",
        &input.display_name,
        200,
        false,
        &mut errors,
    );
    if display_name.is_empty() {
        errors.push(err("display_name", "Business name: cannot be empty."));
    }
    let about_us = text(
        "about_us",
        "About us",
        &input.about_us,
        5000,
        true,
        &mut errors,
    );
    let address = text("address", "Address", &input.address, 500, true, &mut errors);
    let phone = text("phone", "Phone", &input.phone, 40, false, &mut errors);
    if !errors.iter().any(|e| e.field == "phone") {
        crate::domain::client_form::check_phone(&phone, &mut errors, "phone");
    }
    let email_raw = text("email", "Email", &input.email, 254, false, &mut errors);
    let email = if email_raw.is_empty() {
        String::new()
    } else {
        match crate::domain::email::EmailAddress::parse(&email_raw) {
            Ok(e) => e.as_str().to_string(),
            Err(e) => {
                errors.push(err("email", format!("Email: {e}.")));
                email_raw
            }
        }
    };
    let website = text(
        "website",
        "Website",
        &input.website,
        200,
        false,
        &mut errors,
    );
    let web_ok =
        website.is_empty() || website.starts_with("https://") || website.starts_with("http://");
    if !web_ok {
        errors.push(err(
            "website",
            "Website: start with https:// (or leave it empty).",
        ));
    }
    let hours = text(
        "hours",
        "Opening hours",
        &input.hours,
        1000,
        true,
        &mut errors,
    );
    let accent = accent_colour(&input.accent_colour).unwrap_or_else(|m| {
        errors.push(err("accent_colour", m));
        String::new()
    });
    let tz = time_zone(&input.time_zone).unwrap_or_else(|m| {
        errors.push(err("time_zone", m));
        String::new()
    });
    let currency = match Currency::parse(&input.default_currency) {
        Ok(c) => c.code().to_string(),
        Err(_) => {
            errors.push(err(
                "default_currency",
                "Default currency: an ISO 4217 code this product supports, e.g. AED, USD, EUR.",
            ));
            String::new()
        }
    };
    let idle = minutes(
        "portal_idle_minutes",
        "Portal idle timeout",
        &input.portal_idle_minutes,
        PORTAL_IDLE_RANGE,
        &mut errors,
    );
    let absolute = minutes(
        "portal_absolute_minutes",
        "Portal session lifetime",
        &input.portal_absolute_minutes,
        PORTAL_ABSOLUTE_RANGE,
        &mut errors,
    );
    if idle > 0 && absolute > 0 && absolute < idle {
        errors.push(err(
            "portal_absolute_minutes",
            "Portal session lifetime: cannot be shorter than the idle timeout.",
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ValidSettings {
        display_name,
        about_us,
        address,
        phone,
        email,
        website,
        hours,
        accent_colour: accent,
        time_zone: tz,
        default_currency: currency,
        portal_idle_minutes: idle,
        portal_absolute_minutes: absolute,
    })
}

/// The logo's content type, from its first bytes: PNG, JPEG, GIF or WebP. Anything else
/// (SVG above all, which can carry script) is refused.
pub fn logo_type(bytes: &[u8]) -> Result<&'static str, String> {
    if bytes.is_empty() {
        return Err("Logo: choose an image file.".into());
    }
    if bytes.len() > LOGO_MAX_BYTES {
        return Err(format!(
            "Logo: at most {} KiB; this file is larger.",
            LOGO_MAX_BYTES / 1024
        ));
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Ok("image/gif")
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Ok("image/webp")
    } else {
        Err("Logo: use a PNG, JPEG, GIF or WebP image.".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> SettingsInput {
        SettingsInput {
            display_name: " Cedar & Stone ".into(),
            about_us: "We fix things.\r\nFast.".into(),
            address: "1 Test Street".into(),
            phone: "+971 4 000 0000".into(),
            email: "Hello@Cedar.test".into(),
            website: "https://cedar.test".into(),
            hours: "Sun–Thu 8–17".into(),
            accent_colour: "#1F6F5C".into(),
            time_zone: "Asia/Dubai".into(),
            default_currency: "aed".into(),
            portal_idle_minutes: "30".into(),
            portal_absolute_minutes: "720".into(),
        }
    }

    #[test]
    fn good_settings_are_normalised() {
        let v = validate(&good()).unwrap();
        assert_eq!(v.display_name, "Cedar & Stone");
        assert_eq!(v.about_us, "We fix things.\nFast.");
        assert_eq!(v.accent_colour, "#1f6f5c");
        assert_eq!(v.default_currency, "AED");
        assert_eq!(v.portal_idle_minutes, 30);
    }

    #[test]
    fn each_bad_field_is_named() {
        for (field, set) in [
            (
                "accent_colour",
                (|i: &mut SettingsInput| i.accent_colour = "red".into()) as fn(&mut SettingsInput),
            ),
            ("accent_colour", |i| i.accent_colour = "#12345g".into()),
            ("time_zone", |i| i.time_zone = "Mars/Olympus".into()),
            ("default_currency", |i| i.default_currency = "XXX".into()),
            ("portal_idle_minutes", |i| {
                i.portal_idle_minutes = "1".into()
            }),
            ("portal_absolute_minutes", |i| {
                i.portal_absolute_minutes = "10".into()
            }),
            ("display_name", |i| i.display_name = " ".into()),
            ("email", |i| i.email = "not-an-email".into()),
            ("website", |i| i.website = "javascript:alert(1)".into()),
            ("phone", |i| i.phone = "call us".into()),
            ("phone", |i| i.phone = "()".into()),
        ] {
            let mut input = good();
            set(&mut input);
            let errors = validate(&input).unwrap_err();
            assert!(
                errors.iter().any(|e| e.field == field),
                "{field}: {errors:?}"
            );
        }
    }

    #[test]
    fn zone_suggestions_are_real_zones() {
        let names = zone_names();
        assert!(names.iter().any(|n| n == "Asia/Dubai"));
        assert!(names.iter().all(|n| time_zone(n).is_ok()));
    }

    #[test]
    fn logos_are_known_image_types_within_the_limit() {
        assert_eq!(logo_type(b"\x89PNG\r\n\x1a\nrest"), Ok("image/png"));
        assert_eq!(logo_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Ok("image/jpeg"));
        assert_eq!(logo_type(b"RIFF\0\0\0\0WEBPVP8 "), Ok("image/webp"));
        assert!(logo_type(b"<svg onload=alert(1)>").is_err());
        assert!(logo_type(b"").is_err());
        let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
        big.resize(LOGO_MAX_BYTES + 1, 0);
        assert!(logo_type(&big).unwrap_err().contains("KiB"));
    }
}

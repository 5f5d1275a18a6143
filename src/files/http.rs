//! The HTTP rules of a download, as pure functions: which part of the file a `Range`
//! header asks for (RFC 9110 §14), and the `Content-Disposition` that brings any file
//! name to the user's disk intact (RFC 6266 with an RFC 5987/8187 `filename*`).
//!
//! Only one `bytes` range is served. A header Portico does not honour (another unit,
//! several ranges, bad syntax, a last position before the first) is ignored and the
//! whole file sent, which RFC 9110 allows; a well-formed range that starts past the end
//! is unsatisfiable (416).

use std::ops::Range;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// What to send for a request's `Range` header, given the file's length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeAnswer {
    /// 200 with the whole file.
    Whole,
    /// 206 with these bytes (`start..end`, end exclusive, never empty).
    Part(Range<u64>),
    /// 416 with `Content-Range: bytes */<len>`.
    Unsatisfiable,
}

/// Reads a `Range` header value for a file of `len` bytes.
pub fn parse_range(header: Option<&str>, len: u64) -> RangeAnswer {
    let Some(value) = header else {
        return RangeAnswer::Whole;
    };
    let value = value.trim();
    let Some((unit, set)) = value.split_once('=') else {
        return RangeAnswer::Whole;
    };
    if !unit.trim().eq_ignore_ascii_case("bytes") {
        return RangeAnswer::Whole;
    }
    // The list syntax allows empty elements (`bytes=0-5,`); only a single range counts.
    let mut specs = set.split(',').map(str::trim).filter(|s| !s.is_empty());
    let (Some(spec), None) = (specs.next(), specs.next()) else {
        return RangeAnswer::Whole;
    };
    let Some((first, last)) = spec.split_once('-') else {
        return RangeAnswer::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    match (first.is_empty(), last.is_empty()) {
        // `-n`: the last n bytes.
        (true, false) => match digits(last) {
            None => RangeAnswer::Whole,
            Some(Number::Value(0)) => RangeAnswer::Unsatisfiable,
            Some(_) if len == 0 => RangeAnswer::Unsatisfiable,
            Some(Number::Value(n)) => RangeAnswer::Part(len.saturating_sub(n)..len),
            Some(Number::Overflow) => RangeAnswer::Part(0..len),
        },
        // `a-` and `a-b`.
        (false, _) => {
            let start = match digits(first) {
                Some(Number::Value(a)) => a,
                // A position past u64 is past the end of any file.
                Some(Number::Overflow) => return past_any_end(first, last),
                None => return RangeAnswer::Whole,
            };
            let end_inclusive = if last.is_empty() {
                u64::MAX
            } else {
                match digits(last) {
                    Some(Number::Value(b)) if b < start => return RangeAnswer::Whole,
                    Some(Number::Value(b)) => b,
                    Some(Number::Overflow) => u64::MAX,
                    None => return RangeAnswer::Whole,
                }
            };
            if start >= len {
                return RangeAnswer::Unsatisfiable;
            }
            RangeAnswer::Part(start..end_inclusive.min(len - 1) + 1)
        }
        (true, true) => RangeAnswer::Whole,
    }
}

/// A first position too large for u64: unsatisfiable, unless the range is invalid
/// (bad syntax, or a last position before it).
fn past_any_end(first: &str, last: &str) -> RangeAnswer {
    let significant = |t: &str| t.trim_start_matches('0').to_string();
    let (a, b) = (significant(first), significant(last));
    let last_before_first = (b.len(), b.as_str()) < (a.len(), a.as_str());
    match digits(last) {
        _ if last.is_empty() => RangeAnswer::Unsatisfiable,
        Some(_) if !last_before_first => RangeAnswer::Unsatisfiable,
        _ => RangeAnswer::Whole,
    }
}

enum Number {
    Value(u64),
    Overflow,
}

/// 1*DIGIT, as RFC 9110 writes positions (no sign, no spaces inside).
fn digits(text: &str) -> Option<Number> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(text.parse().map_or(Number::Overflow, Number::Value))
}

/// `bytes a-b/len` for a 206.
pub fn content_range(part: &Range<u64>, len: u64) -> String {
    format!("bytes {}-{}/{len}", part.start, part.end.saturating_sub(1))
}

/// `bytes */len` for a 416.
pub fn unsatisfied_range(len: u64) -> String {
    format!("bytes */{len}")
}

/// Whether a `Range` should be honoured given `If-Range`: only when the validator the
/// client holds is our strong entity tag (we send no `Last-Modified`, so a date never
/// matches and the whole file is sent, as RFC 9110 §13.1.5 requires).
pub fn if_range_allows(if_range: Option<&str>, etag: Option<&str>) -> bool {
    match (if_range.map(str::trim), etag) {
        (None, _) => true,
        (Some(given), Some(ours)) => !given.starts_with("W/") && given == ours,
        (Some(_), None) => false,
    }
}

/// A strong entity tag from the file's SHA-256 (the content never changes under an id).
pub fn etag(sha256_hex: &str) -> Option<String> {
    let ok = sha256_hex.len() == 64 && sha256_hex.bytes().all(|b| b.is_ascii_hexdigit());
    ok.then(|| format!("\"{}\"", sha256_hex.to_ascii_lowercase()))
}

/// RFC 8187 `attr-char`: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" /
/// "_" / "`" / "|" / "~"; every other byte of the UTF-8 name is percent-encoded.
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<encoded name>`.
///
/// The name is made safe first (no path separators, control characters or quotes), so
/// neither parameter can carry a path or break out of the header.
pub fn content_disposition(name: &str) -> String {
    let safe = safe_name(name);
    format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        ascii_fallback(&safe),
        utf8_percent_encode(&safe, ATTR_CHAR)
    )
}

/// The name with separators, controls and characters that could confuse a header or a
/// file system replaced by `_`; `download` when nothing usable is left.
fn safe_name(name: &str) -> String {
    let replaced: String = name
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | '"' | ':' | '*' | '?' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = replaced.trim().trim_start_matches('.');
    if trimmed.is_empty() {
        "download".to_string()
    } else {
        trimmed.to_string()
    }
}

/// For clients without `filename*`: printable ASCII only, each run of other characters
/// becoming one `_`, and `download` for a stem with nothing readable left.
fn ascii_fallback(safe: &str) -> String {
    let mut out = String::with_capacity(safe.len());
    for c in safe.chars() {
        let keep = (c.is_ascii_graphic() || c == ' ') && !matches!(c, '%' | ';' | '\\' | '"');
        if keep {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let (stem, ext) = match out.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() && e.bytes().all(|b| b.is_ascii_alphanumeric()) => {
            (s.to_string(), format!(".{e}"))
        }
        _ => (out.clone(), String::new()),
    };
    if stem.chars().any(|c| c.is_ascii_alphabetic()) {
        format!("{}{ext}", stem.trim())
    } else {
        format!("download{ext}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn part(r: Range<u64>) -> RangeAnswer {
        RangeAnswer::Part(r)
    }

    #[test]
    fn a_single_byte_range_is_served_in_its_three_forms() {
        assert_eq!(parse_range(None, 100), RangeAnswer::Whole);
        assert_eq!(parse_range(Some("bytes=0-9"), 100), part(0..10));
        assert_eq!(parse_range(Some("bytes=10-"), 100), part(10..100));
        assert_eq!(parse_range(Some("bytes=-5"), 100), part(95..100));
        assert_eq!(parse_range(Some("bytes=-500"), 100), part(0..100));
        assert_eq!(parse_range(Some("bytes=90-500"), 100), part(90..100));
        assert_eq!(parse_range(Some("bytes=99-99"), 100), part(99..100));
        assert_eq!(parse_range(Some("Bytes = 1-2"), 100), part(1..3));
        assert_eq!(parse_range(Some("bytes=0-5,"), 100), part(0..6));
        assert_eq!(
            parse_range(Some("bytes=0-99999999999999999999999"), 100),
            part(0..100)
        );
        assert_eq!(
            parse_range(Some("bytes=-99999999999999999999999"), 100),
            part(0..100)
        );
    }

    #[test]
    fn a_range_past_the_end_is_unsatisfiable() {
        assert_eq!(
            parse_range(Some("bytes=100-"), 100),
            RangeAnswer::Unsatisfiable
        );
        assert_eq!(
            parse_range(Some("bytes=100-200"), 100),
            RangeAnswer::Unsatisfiable
        );
        assert_eq!(
            parse_range(Some("bytes=-0"), 100),
            RangeAnswer::Unsatisfiable
        );
        assert_eq!(parse_range(Some("bytes=0-"), 0), RangeAnswer::Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=-5"), 0), RangeAnswer::Unsatisfiable);
        for header in [
            "bytes=99999999999999999999999-",
            "bytes=99999999999999999999999-99999999999999999999999",
            "bytes=99999999999999999999999-199999999999999999999999",
        ] {
            assert_eq!(
                parse_range(Some(header), 100),
                RangeAnswer::Unsatisfiable,
                "{header}"
            );
        }
        assert_eq!(
            parse_range(Some("bytes=99999999999999999999999-5"), 100),
            RangeAnswer::Whole
        );
        assert_eq!(
            parse_range(Some("bytes=99999999999999999999999-x"), 100),
            RangeAnswer::Whole
        );
    }

    #[test]
    fn anything_else_is_ignored_and_the_whole_file_sent() {
        for header in [
            "",
            "bytes",
            "bytes=",
            "bytes=-",
            "bytes=abc",
            "bytes=5-2",
            "bytes=0-1,3-4",
            "bytes=1-2, 4-",
            "items=0-5",
            "bytes=+1-2",
            "bytes=1 0-20",
            "bytes=0x10-",
            "bytes=--5",
            "bytes=1-2-3",
            "bytes=-a",
            "bytes=١-٢",
        ] {
            assert_eq!(
                parse_range(Some(header), 100),
                RangeAnswer::Whole,
                "{header:?}"
            );
        }
    }

    #[test]
    fn content_range_headers_follow_the_rfc() {
        assert_eq!(content_range(&(0..10), 100), "bytes 0-9/100");
        assert_eq!(content_range(&(95..100), 100), "bytes 95-99/100");
        assert_eq!(unsatisfied_range(100), "bytes */100");
    }

    #[test]
    fn if_range_only_matches_our_strong_tag() {
        let tag = etag(&"ab".repeat(32)).unwrap();
        assert!(if_range_allows(None, Some(&tag)));
        assert!(if_range_allows(Some(&tag), Some(&tag)));
        assert!(!if_range_allows(Some(&format!("W/{tag}")), Some(&tag)));
        assert!(!if_range_allows(Some("\"other\""), Some(&tag)));
        assert!(!if_range_allows(
            Some("Tue, 15 Nov 1994 08:12:31 GMT"),
            Some(&tag)
        ));
        assert!(!if_range_allows(Some(&tag), None));
        assert_eq!(etag("not hex"), None);
    }

    /// Decodes `filename*=UTF-8''…` back to the name, as a browser does.
    fn decoded_star(header: &str) -> String {
        let enc = header.split("filename*=UTF-8''").nth(1).unwrap();
        percent_encoding::percent_decode_str(enc)
            .decode_utf8()
            .unwrap()
            .into_owned()
    }

    fn fallback(header: &str) -> String {
        header
            .split("filename=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string()
    }

    #[test]
    fn non_ascii_names_survive_in_filename_star_with_a_readable_fallback() {
        let cyrillic = content_disposition("Угода №5 — план.pdf");
        assert!(cyrillic.starts_with("attachment; filename=\""));
        assert_eq!(decoded_star(&cyrillic), "Угода №5 — план.pdf");
        assert_eq!(fallback(&cyrillic), "download.pdf");
        assert!(
            cyrillic.contains("filename*=UTF-8''%D0%A3%D0%B3%D0%BE%D0%B4%D0%B0%20%E2%84%965%20")
        );

        let arabic = content_disposition("فاتورة.pdf");
        assert_eq!(decoded_star(&arabic), "فاتورة.pdf");
        assert_eq!(fallback(&arabic), "download.pdf");

        let plain = content_disposition("Site photos (before).png");
        assert_eq!(fallback(&plain), "Site photos (before).png");
        assert_eq!(decoded_star(&plain), "Site photos (before).png");

        let mixed = content_disposition("Résumé 2026.docx");
        assert_eq!(fallback(&mixed), "R_sum_ 2026.docx");
    }

    #[test]
    fn hostile_names_cannot_carry_a_path_or_break_the_header() {
        for (name, want) in [
            ("../../etc/passwd", "_.._etc_passwd"),
            ("a\"; filename=evil.html", "a_; filename=evil.html"),
            ("C:\\x.pdf", "C__x.pdf"),
            ("line\r\nSet-Cookie: x=1", "line__Set-Cookie_ x=1"),
            ("...", "download"),
            ("", "download"),
        ] {
            let h = content_disposition(name);
            assert_eq!(decoded_star(&h), want, "{name:?}");
            assert!(!h.contains('\r') && !h.contains('\n'));
            assert_eq!(h.matches('"').count(), 2, "{h}");
            assert!(axum::http::HeaderValue::from_str(&h).is_ok(), "{h}");
        }
    }

    proptest! {
        #[test]
        fn the_range_parser_never_panics_and_stays_inside_the_file(header in "\\PC{0,40}", len in 0u64..10_000) {
            match parse_range(Some(&header), len) {
                RangeAnswer::Part(r) => prop_assert!(r.start < r.end && r.end <= len),
                RangeAnswer::Whole | RangeAnswer::Unsatisfiable => {}
            }
        }

        #[test]
        fn byte_ranges_always_parse_inside_the_file(a in 0u64..20_000, b in 0u64..20_000, len in 0u64..10_000) {
            let header = format!("bytes={a}-{b}");
            let got = parse_range(Some(&header), len);
            match got {
                RangeAnswer::Part(r) => prop_assert_eq!(r, a..b.min(len - 1) + 1),
                RangeAnswer::Unsatisfiable => prop_assert!(a >= len && b >= a),
                RangeAnswer::Whole => prop_assert!(b < a),
            }
        }

        #[test]
        fn every_name_gives_a_valid_header_that_decodes_to_its_safe_form(name in "\\PC{0,60}") {
            let h = content_disposition(&name);
            prop_assert!(axum::http::HeaderValue::from_str(&h).is_ok());
            prop_assert!(h.is_ascii());
            let decoded = decoded_star(&h);
            prop_assert!(!decoded.contains('/') && !decoded.contains('\\') && !decoded.is_empty());
        }
    }
}

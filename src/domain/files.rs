//! Rules about attached files that know nothing of HTTP or storage: what a file's name
//! may be, which content types Portico will ever send, and how a size reads.
//!
//! The content type is chosen from the name's extension against a short allow-list when
//! a file is recorded, never taken from the uploader's `Content-Type`. Types a browser
//! would render as a page or run (HTML, SVG, XML, JavaScript) are not on the list, so
//! they are served as `application/octet-stream` like anything unknown.

/// What every unknown or refused type becomes.
pub const OCTET_STREAM: &str = "application/octet-stream";

/// Longest file name kept, in characters.
pub const NAME_MAX_CHARS: usize = 200;

/// Extension (lower case) → content type.
const TYPES: [(&str, &str); 21] = [
    ("pdf", "application/pdf"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
    ("heic", "image/heic"),
    ("txt", "text/plain; charset=utf-8"),
    ("csv", "text/csv; charset=utf-8"),
    ("doc", "application/msword"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("xls", "application/vnd.ms-excel"),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("ppt", "application/vnd.ms-powerpoint"),
    (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("odt", "application/vnd.oasis.opendocument.text"),
    ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ("rtf", "application/rtf"),
    ("zip", "application/zip"),
    ("dwg", "image/vnd.dwg"),
    ("mp4", "video/mp4"),
];

/// The content type Portico records and sends for a file called `name`.
pub fn content_type_for(name: &str) -> &'static str {
    let Some((_, ext)) = name.rsplit_once('.') else {
        return OCTET_STREAM;
    };
    let ext = ext.to_ascii_lowercase();
    TYPES
        .iter()
        .find(|(e, _)| *e == ext)
        .map(|(_, t)| *t)
        .unwrap_or(OCTET_STREAM)
}

/// `stored` if it is one of the allowed types, otherwise `application/octet-stream`:
/// whatever is in the database, nothing outside the list is ever sent.
pub fn allowed_content_type(stored: &str) -> &'static str {
    TYPES
        .iter()
        .find(|(_, t)| *t == stored)
        .map(|(_, t)| *t)
        .unwrap_or(OCTET_STREAM)
}

/// A name fit to keep and show: only the last path component (uploads from some
/// browsers carry `C:\…\name`), no control or bidirectional-override characters,
/// trimmed and at most [`NAME_MAX_CHARS`]. `None` when nothing is left.
pub fn clean_name(raw: &str) -> Option<String> {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let kept: String = last
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .collect();
    let trimmed = kept.trim();
    if trimmed.is_empty() || trimmed.chars().all(|c| c == '.') {
        return None;
    }
    Some(trimmed.chars().take(NAME_MAX_CHARS).collect())
}

/// Characters that reorder text (and can make `fdp.exe` look like `exe.pdf`).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A size as people read it: `512 B`, `1.5 KB`, `12 KB`, `3.4 MB` (1 KB = 1024 B).
pub fn human_size(bytes: i64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    let bytes = bytes.max(0) as u128;
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut unit = 1024u128;
    let mut i = 0;
    while i + 1 < UNITS.len() && bytes >= unit * 1024 {
        unit *= 1024;
        i += 1;
    }
    // Tenths, rounded half up, in integers.
    let tenths = (bytes * 10 + unit / 2) / unit;
    if tenths < 100 {
        format!("{}.{} {}", tenths / 10, tenths % 10, UNITS[i])
    } else {
        format!("{} {}", (tenths + 5) / 10, UNITS[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_extension_and_unknown_or_active_types_are_octet_streams() {
        assert_eq!(content_type_for("Угода №5 — план.PDF"), "application/pdf");
        assert_eq!(content_type_for("Site photos (before).png"), "image/png");
        assert_eq!(content_type_for("readings.csv"), "text/csv; charset=utf-8");
        for name in [
            "x.html", "x.htm", "x.svg", "x.js", "x.xml", "noext", "x.exe", "x.",
        ] {
            assert_eq!(content_type_for(name), OCTET_STREAM, "{name}");
        }
        assert_eq!(allowed_content_type("application/pdf"), "application/pdf");
        assert_eq!(allowed_content_type("text/html"), OCTET_STREAM);
        assert_eq!(allowed_content_type("image/svg+xml"), OCTET_STREAM);
    }

    #[test]
    fn names_keep_their_last_component_without_control_characters() {
        assert_eq!(clean_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(
            clean_name("C:\\Users\\me\\plan.pdf").as_deref(),
            Some("plan.pdf")
        );
        assert_eq!(clean_name("a\u{0}b\r\n.txt").as_deref(), Some("ab.txt"));
        assert_eq!(
            clean_name("inv\u{202e}fdp.exe").as_deref(),
            Some("invfdp.exe")
        );
        assert_eq!(clean_name("  فاتورة.pdf ").as_deref(), Some("فاتورة.pdf"));
        assert_eq!(
            clean_name("Угода №5 — план.pdf").as_deref(),
            Some("Угода №5 — план.pdf")
        );
        for bad in ["", "   ", "..", "dir/", "\u{0}"] {
            assert_eq!(clean_name(bad), None, "{bad:?}");
        }
        assert_eq!(
            clean_name(&"x".repeat(500)).map(|n| n.chars().count()),
            Some(NAME_MAX_CHARS)
        );
    }

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(1024), "1.0 KB");
        assert_eq!(human_size(1536), "1.5 KB");
        assert_eq!(human_size(12 * 1024 + 300), "12 KB");
        assert_eq!(human_size(1024 * 1024 - 1), "1024 KB");
        assert_eq!(human_size(3_565_158), "3.4 MB");
        assert_eq!(human_size(50 * 1024 * 1024), "50 MB");
        assert_eq!(human_size(-5), "0 B");
        assert_eq!(human_size(i64::MAX), "8388608 TB");
    }
}

//! Checks on an uploaded file's first bytes: a file whose name promises a type Portico
//! serves as that type (a PDF, a PNG…) must start the way such a file starts, so that a
//! page or a program renamed `invoice.pdf` is refused instead of sent to a client's
//! browser as a PDF. Names with an unknown extension are kept as
//! `application/octet-stream` (always downloaded, never shown inline), whatever they hold.

use super::files::{content_type_for, OCTET_STREAM};

/// How many leading bytes the check needs at most.
pub const SNIFF_LEN: usize = 512;

/// Why an upload's contents do not fit its name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the file's contents are not {expected}, as its name says; check you chose the right file")]
pub struct ContentMismatch {
    /// A readable name of the type the extension promised ("a PDF document").
    pub expected: &'static str,
}

/// What `head` (the first up to [`SNIFF_LEN`] bytes, all of them for a shorter file)
/// must look like for a file called `name`; `Ok(content type)` when it fits.
pub fn check_contents(name: &str, head: &[u8]) -> Result<&'static str, ContentMismatch> {
    let content_type = content_type_for(name);
    let fits = |expected: &'static str, ok: bool| {
        if ok {
            Ok(content_type)
        } else {
            Err(ContentMismatch { expected })
        }
    };
    let ftyp = head.len() >= 12 && &head[4..8] == b"ftyp";
    match content_type {
        OCTET_STREAM => Ok(OCTET_STREAM),
        "application/pdf" => fits("a PDF document", head.starts_with(b"%PDF-")),
        "image/png" => fits("a PNG image", head.starts_with(b"\x89PNG\r\n\x1a\n")),
        "image/jpeg" => fits("a JPEG image", head.starts_with(b"\xff\xd8\xff")),
        "image/gif" => fits(
            "a GIF image",
            head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a"),
        ),
        "image/webp" => fits(
            "a WebP image",
            head.len() >= 12 && head.starts_with(b"RIFF") && &head[8..12] == b"WEBP",
        ),
        "image/heic" => fits("a HEIC image", ftyp),
        "video/mp4" => fits("an MP4 video", ftyp),
        "application/rtf" => fits("an RTF document", head.starts_with(b"{\\rtf")),
        "image/vnd.dwg" => fits("a DWG drawing", head.starts_with(b"AC10")),
        "application/msword" | "application/vnd.ms-excel" | "application/vnd.ms-powerpoint" => {
            fits(
                "an Office document",
                head.starts_with(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
            )
        }
        t if t.starts_with("text/") => fits("plain text", is_text(head)),
        // zip, and the zip-based formats (docx, xlsx, pptx, odt, ods)
        _ => fits(
            "a ZIP-based document",
            head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06"),
        ),
    }
}

/// UTF-8 text without NUL bytes (a multi-byte character may be cut at the end of `head`),
/// and not a page a browser would render.
fn is_text(head: &[u8]) -> bool {
    if head.contains(&0) {
        return false;
    }
    let valid = match std::str::from_utf8(head) {
        Ok(s) => s,
        // Cut inside a character at the very end: the rest is still fine.
        Err(e) if e.error_len().is_none() => match std::str::from_utf8(&head[..e.valid_up_to()]) {
            Ok(s) => s,
            Err(_) => return false,
        },
        Err(_) => return false,
    };
    let start = valid.trim_start().to_ascii_lowercase();
    !(start.starts_with("<!doctype html")
        || start.starts_with("<html")
        || start.starts_with("<script"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_types_must_start_the_way_their_format_starts() {
        assert_eq!(
            check_contents("plan.PDF", b"%PDF-1.7\n..."),
            Ok("application/pdf")
        );
        assert_eq!(
            check_contents("photo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Ok("image/png")
        );
        assert_eq!(
            check_contents("x.jpg", b"\xff\xd8\xff\xe0"),
            Ok("image/jpeg")
        );
        assert_eq!(
            check_contents("report.docx", b"PK\x03\x04rest"),
            Ok("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        );
        let refused = check_contents("invoice.pdf", b"<html><script>alert(1)</script>");
        assert_eq!(
            refused,
            Err(ContentMismatch {
                expected: "a PDF document"
            })
        );
        assert!(check_contents("a.png", b"").is_err(), "empty is no PNG");
        assert!(check_contents("a.webp", b"RIFF\0\0\0\0WAVE").is_err());
        assert!(check_contents("a.zip", b"MZ\x90\0").is_err());
    }

    #[test]
    fn text_must_be_utf8_without_nul_and_not_a_page() {
        assert!(check_contents("notes.txt", "Ünïcode notes\n".as_bytes()).is_ok());
        assert!(check_contents("r.csv", b"a,b\n1,2\n").is_ok());
        // cut in the middle of a two-byte character at the end of the sniffed head
        assert!(check_contents("n.txt", &"é".as_bytes()[..1]).is_ok());
        assert!(check_contents("n.txt", b"a\0b").is_err());
        assert!(check_contents("n.txt", b"\xff\xfe\xfa").is_err());
        assert!(check_contents("n.txt", b"  <!DOCTYPE html><p>").is_err());
    }

    #[test]
    fn unknown_extensions_are_kept_as_octet_streams_whatever_they_hold() {
        for name in ["page.html", "tool.exe", "noext", "drawing.svg"] {
            assert_eq!(check_contents(name, b"<html>"), Ok(OCTET_STREAM), "{name}");
        }
    }
}

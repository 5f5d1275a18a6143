//! Characters no one types on purpose in names, subjects and addresses: control
//! characters, and the invisible formatting marks that hide text or reverse its direction
//! (so a name holding U+202E reads differently in a list than it is stored).

use super::request_form::FieldError;

/// Zero-width, direction-changing and other invisible formatting characters.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}' | '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
        | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF9}'..='\u{FFFB}')
}

/// The joiners and variation selectors that emoji ("❤️", family sequences) and several
/// scripts (Persian, the Indic scripts) need next to visible characters; they change no
/// direction and hide nothing on their own.
fn is_needed_joiner(c: char) -> bool {
    matches!(c, '\u{200C}' | '\u{200D}' | '\u{FE00}'..='\u{FE0F}')
}

/// The first character of `text` that is not allowed: any control character (newlines
/// and tabs excepted when `multi_line`) or invisible formatting mark.
pub fn first_hidden(text: &str, multi_line: bool) -> Option<char> {
    text.chars().find(|&c| {
        if multi_line && matches!(c, '\n' | '\r' | '\t') {
            return false;
        }
        c.is_control() || (is_invisible(c) && !is_needed_joiner(c))
    })
}

/// A field error naming the field when `text` holds a hidden or control character.
pub fn check_visible(
    text: &str,
    multi_line: bool,
    field: &'static str,
    label: &str,
) -> Option<FieldError> {
    first_hidden(text, multi_line).map(|c| FieldError {
        field,
        message: format!(
            "{label}: contains an invisible or control character (U+{:04X}) that can hide or reverse text. Type it again without that character.",
            c as u32
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_and_control_characters_are_found_and_ordinary_text_is_not() {
        for bad in [
            "\u{202A}", "\u{202B}", "\u{202C}", "\u{202D}", "\u{202E}", "\u{2066}", "\u{2067}",
            "\u{2068}", "\u{2069}", "\u{200B}", "\u{FEFF}", "\u{0}", "\u{7}", "\u{1B}", "\u{85}",
        ] {
            assert!(first_hidden(&format!("a{bad}b"), true).is_some(), "{bad:?}");
            assert!(
                first_hidden(&format!("a{bad}b"), false).is_some(),
                "{bad:?}"
            );
        }
        assert!(first_hidden("line one\nline two\tand a tab\r\n", true).is_none());
        assert!(first_hidden("line one\nline two", false).is_some());
        for good in [
            "José Müller",
            "مرحبا",
            "你好",
            "👨\u{200D}👩\u{200D}👧",
            "❤\u{FE0F}",
            "می\u{200C}خواهم",
        ] {
            assert!(first_hidden(good, false).is_none(), "{good}");
        }
        let e = check_visible("Acme\u{202E}", false, "name", "Name").unwrap();
        assert_eq!(e.field, "name");
        assert!(e.message.starts_with("Name: "));
        assert!(e.message.contains("U+202E"));
    }
}

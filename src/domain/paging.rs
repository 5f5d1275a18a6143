//! Keyset cursors for portal lists: the last row's sort key (a date, or nothing when the
//! list is ordered by id alone) and its id, written `2026-03-01~1234` in links. Anything
//! else is refused, so a tampered link gets a clear error rather than a strange page.

use std::fmt;

use super::records::parse_date;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub sort: String,
    pub id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("this page link is not valid")]
pub struct BadCursor;

impl Cursor {
    pub fn new(sort: String, id: i64) -> Self {
        Self { sort, id }
    }

    pub fn parse(text: &str) -> Result<Self, BadCursor> {
        let (sort, id) = text.split_once('~').ok_or(BadCursor)?;
        if !sort.is_empty() && (sort.len() != 10 || parse_date(sort).is_none()) {
            return Err(BadCursor);
        }
        if id.is_empty() || id.len() > 19 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(BadCursor);
        }
        let id: i64 = id.parse().map_err(|_| BadCursor)?;
        if id <= 0 {
            return Err(BadCursor);
        }
        Ok(Self {
            sort: sort.to_string(),
            id,
        })
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}~{}", self.sort, self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        for c in [
            Cursor::new("2026-03-01".into(), 42),
            Cursor::new(String::new(), 7),
        ] {
            assert_eq!(Cursor::parse(&c.to_string()), Ok(c));
        }
    }

    #[test]
    fn tampered_cursors_are_refused() {
        for bad in [
            "",
            "~",
            "~0",
            "~-1",
            "2026-13-01~5",
            "x~5",
            "2026-03-01",
            "~1e3",
            "~99999999999999999999",
            "2026-03-01~5~6",
            "' OR 1=1 --~5",
        ] {
            assert_eq!(Cursor::parse(bad), Err(BadCursor), "{bad:?}");
        }
    }
}

//! Cursor pagination for every API list: `?limit=` (1–200, default 50) and `?cursor=`,
//! an opaque string from the previous page's `next_cursor`. Inside, it is the keyset
//! cursor of [`crate::domain::paging`] (the last row's id) in URL-safe base64, so a
//! tampered cursor is refused with a clear error rather than giving a strange page.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::ApiError;
use crate::domain::paging::Cursor;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// `limit` and `cursor`, read as text so a bad value gets an error naming it.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// How many records per page, 1 to 200 (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page; omit for the first page.
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: i64,
    /// The id of the last record of the previous page.
    pub after: Option<i64>,
}

pub fn encode(last_id: i64) -> String {
    URL_SAFE_NO_PAD.encode(Cursor::new(String::new(), last_id).to_string())
}

fn decode(text: &str) -> Option<i64> {
    if text.len() > 64 {
        return None;
    }
    let raw = URL_SAFE_NO_PAD.decode(text).ok()?;
    let cursor = Cursor::parse(std::str::from_utf8(&raw).ok()?).ok()?;
    cursor.sort.is_empty().then_some(cursor.id)
}

impl PageParams {
    pub fn page(&self) -> Result<Page, ApiError> {
        let limit = match self.limit.as_deref().map(str::trim) {
            None | Some("") => DEFAULT_LIMIT,
            Some(raw) => raw
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| {
                    ApiError::invalid(
                        "limit",
                        format!("limit: a whole number from 1 to {MAX_LIMIT}."),
                    )
                })?,
        };
        let after = match self.cursor.as_deref() {
            None | Some("") => None,
            Some(raw) => Some(decode(raw).ok_or_else(|| {
                ApiError::invalid(
                    "cursor",
                    "cursor: not a cursor this API gave out; start again without it.",
                )
            })?),
        };
        Ok(Page { limit, after })
    }
}

/// Cuts the one extra row a page query fetched and gives the cursor to the next page.
pub fn finish<T>(
    mut rows: Vec<T>,
    page: Page,
    id_of: impl Fn(&T) -> i64,
) -> (Vec<T>, Option<String>) {
    let more = rows.len() as i64 > page.limit;
    rows.truncate(page.limit as usize);
    let next = if more {
        rows.last().map(|r| encode(id_of(r)))
    } else {
        None
    };
    (rows, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(limit: Option<&str>, cursor: Option<&str>) -> PageParams {
        PageParams {
            limit: limit.map(String::from),
            cursor: cursor.map(String::from),
        }
    }

    #[test]
    fn cursors_round_trip_and_look_opaque() {
        let c = encode(1234567);
        assert!(!c.contains("1234567"));
        assert_eq!(params(None, Some(&c)).page().unwrap().after, Some(1234567));
    }

    #[test]
    fn bad_limits_and_cursors_name_their_field() {
        for bad in ["0", "201", "-1", "ten", "1.5"] {
            let e = params(Some(bad), None).page().unwrap_err();
            assert_eq!(e.into_body().field.as_deref(), Some("limit"), "{bad}");
        }
        let dated = URL_SAFE_NO_PAD.encode("2026-01-01~5");
        for bad in ["x", "~5", "!!", dated.as_str()] {
            let e = params(None, Some(bad)).page().unwrap_err();
            assert_eq!(e.into_body().field.as_deref(), Some("cursor"), "{bad}");
        }
        assert_eq!(
            params(None, None).page().unwrap(),
            Page {
                limit: DEFAULT_LIMIT,
                after: None
            }
        );
    }

    #[test]
    fn a_page_keeps_limit_rows_and_points_past_the_last() {
        let page = Page {
            limit: 2,
            after: None,
        };
        let (rows, next) = finish(vec![5, 4, 3], page, |r| *r);
        assert_eq!(rows, [5, 4]);
        assert_eq!(next, Some(encode(4)));
        assert_eq!(finish(vec![5, 4], page, |r| *r).1, None);
    }
}

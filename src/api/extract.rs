//! Request readers for the API: a JSON body (right content type, well-formed, no unknown
//! fields) and query/path readers whose refusals are JSON errors, never framework text.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// A JSON body. Wrong content type, malformed JSON, an unknown or missing field, or a
/// value of the wrong type is a 400 naming the field where one is known; a body over the
/// size limit is a 413 (`payload_too_large`).
pub struct ApiJson<T>(pub T);

fn is_json(content_type: Option<&str>) -> bool {
    let Some(ct) = content_type else {
        return false;
    };
    let mime = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// The name between the first pair of backticks in a serde message (`unknown field `x``).
fn backticked(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(message[start..start + len].to_string())
}

fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let inner = e.inner();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::bad_request(format!(
                "The body is not valid JSON (line {}, column {}).",
                inner.line(),
                inner.column()
            ));
        }
        let text = inner.to_string();
        let path = e.path().to_string();
        let field = if text.starts_with("unknown field") || text.starts_with("missing field") {
            backticked(&text).map(|name| {
                if path == "." || path.is_empty() {
                    name
                } else if text.starts_with("unknown field") {
                    path.clone()
                } else {
                    format!("{path}.{name}")
                }
            })
        } else if path != "." && !path.is_empty() {
            Some(path.clone())
        } else {
            None
        };
        // serde's message without its "at line x column y" suffix.
        let message = text
            .rsplit_once(" at line ")
            .map_or(text.as_str(), |(m, _)| m)
            .to_string();
        let err = ApiError::bad_request(match &field {
            Some(f) => format!("{f}: {message}."),
            None => format!("The body does not have the expected shape: {message}."),
        });
        match field {
            Some(f) => err.with_field(f),
            None => err,
        }
    })?;
    de.end()
        .map_err(|_| ApiError::bad_request("The body has text after its JSON value."))?;
    if let Some(field) = nul_field(bytes) {
        return Err(ApiError::bad_request(format!(
            "{field}: contains a NUL character, which is not allowed."
        ))
        .with_field(field));
    }
    Ok(value)
}

/// Where a string of the body holds a NUL (`\u0000`), which PostgreSQL refuses in text:
/// the body is refused up front, naming the field, like a form carrying one.
fn nul_field(bytes: &[u8]) -> Option<String> {
    if !bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    nul_at(&value, "")
}

fn nul_at(value: &serde_json::Value, path: &str) -> Option<String> {
    use serde_json::Value;
    let name = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        Value::String(s) if s.contains('\0') => Some(if path.is_empty() {
            ".".into()
        } else {
            path.to_string()
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| nul_at(v, &name(&i.to_string()))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            if k.contains('\0') {
                Some(name(&k.replace('\0', "")))
            } else {
                nul_at(v, &name(k))
            }
        }),
        _ => None,
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        if !is_json(content_type) {
            return Err(ApiError::bad_request(
                "Send the body as JSON, with Content-Type: application/json.",
            )
            .with_field("Content-Type"));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::too_large("The body is larger than the API accepts.")
            } else {
                ApiError::bad_request("The body could not be read.")
            }
        })?;
        parse(&bytes).map(ApiJson)
    }
}

/// The query string; one that cannot be read is a 400.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// Path parameters; one that cannot be read names nothing that exists (404).
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        #[serde(default)]
        phone: Option<String>,
    }

    fn field_of(json: &str) -> Option<String> {
        let err = parse::<Body>(json.as_bytes()).unwrap_err();
        assert_eq!(err.code(), "bad_request", "{json}");
        err.into_body().field
    }

    #[test]
    fn bad_bodies_are_refused_naming_the_field() {
        assert_eq!(
            field_of(r#"{"name":"a","colour":1}"#).as_deref(),
            Some("colour")
        );
        assert_eq!(field_of(r#"{"phone":"1"}"#).as_deref(), Some("name"));
        assert_eq!(field_of(r#"{"name":5}"#).as_deref(), Some("name"));
        assert_eq!(field_of(r#"{"name":"a""#), None);
        assert_eq!(field_of(r#"{"name":"a"} trailing"#), None);
        assert_eq!(field_of("[]"), None);
        assert!(parse::<Body>(br#"{"name":"a","phone":null}"#).is_ok());
        assert_eq!(field_of(r#"{"name":"a\u0000b"}"#).as_deref(), Some("name"));
        assert_eq!(
            field_of(r#"{"name":"a","phone":"\u0000"}"#).as_deref(),
            Some("phone")
        );
        assert!(
            parse::<Body>(br#"{"name":"a\\u0000"}"#).is_ok(),
            "an escaped backslash"
        );
    }

    #[test]
    fn only_json_content_types_are_read() {
        assert!(is_json(Some("application/json")));
        assert!(is_json(Some("Application/JSON; charset=utf-8")));
        assert!(is_json(Some("application/merge-patch+json")));
        assert!(!is_json(Some("text/plain")));
        assert!(!is_json(Some("application/x-www-form-urlencoded")));
        assert!(!is_json(None));
    }
}

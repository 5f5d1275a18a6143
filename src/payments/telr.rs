//! Telr Hosted Payment Page, without HTTP (fact sheet C).
//!
//! - [`create_request`]: the legacy form-encoded `ivp_*` body of C2 (dialect (a) of C1, the
//!   one with the most independent implementations), as ordered form pairs to POST to
//!   `https://secure.telr.com/gateway/order.json`. Auth goes in the body (C1).
//! - [`check_request`]: the `ivp_method=check` body of C3, always with the **stored**
//!   `order.ref`, never one from a return URL.
//! - [`OrderStatus`]: the `order.status.code` table of C3 (`3` = paid), and
//!   [`confirm_paid`]: the C3 rule (paid only if code 3 AND cart id, amount, currency and
//!   test flag all match what we sent).
//! - [`verify_tran_check`]: Transaction Advice Service verification (C4): plain SHA-1 (not
//!   HMAC) over `secret:tran_store:…:tran_authmessage`, lowercase hex, compared
//!   case-insensitively in constant time. Whether `tran_order` is hashed is UNVERIFIED (C4),
//!   so, as the sheet suggests, the classic 14-field form **or** the form with `tran_order`
//!   inserted after `tran_firstref` (its value, or empty when absent) is accepted.
//!   TAS has no timestamp: callers deduplicate on `tran_ref` and still call `check`.

use sha1::{Digest, Sha1};

use crate::crypto::{constant_time_eq, hex};
use crate::domain::money::Currency;
use crate::payments::amounts::{telr_amount, telr_amount_to_minor};

/// Telr's endpoint for both create and check (C1).
pub const ORDER_ENDPOINT: &str = "https://secure.telr.com/gateway/order.json";

/// Maximum length of `ivp_cart` and `ivp_desc` (C2, api-evangelist).
pub const MAX_FIELD_CHARS: usize = 63;

/// A store's API credentials (C1). `Debug` never shows the auth key.
#[derive(Clone)]
pub struct TelrCredentials {
    pub store_id: String,
    pub auth_key: String,
}

impl std::fmt::Debug for TelrCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TelrCredentials")
            .field("store_id", &self.store_id)
            .field("auth_key", &"<redacted>")
            .finish()
    }
}

/// One payment attempt on the hosted page (C2).
#[derive(Debug, Clone)]
pub struct CreateOrder<'a> {
    /// Unique per attempt (a reused one gives `E56:Duplicate transaction`), ≤ 63 chars.
    pub cart_id: &'a str,
    pub test: bool,
    pub amount_minor: i64,
    pub currency: Currency,
    /// Truncated to 63 characters.
    pub description: &'a str,
    pub return_auth: &'a str,
    pub return_decl: &'a str,
    pub return_can: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TelrRequestError {
    #[error("the Telr cart id must be 1 to 63 characters")]
    CartId,
    #[error("the amount must be greater than zero")]
    NotPositive,
    #[error("the Telr order reference is empty")]
    OrderRef,
}

fn pair(k: &str, v: &str) -> (String, String) {
    (k.to_string(), v.to_string())
}

/// The create request's form pairs, in the order of the C2 table.
pub fn create_request(
    creds: &TelrCredentials,
    order: &CreateOrder<'_>,
) -> Result<Vec<(String, String)>, TelrRequestError> {
    let cart_len = order.cart_id.chars().count();
    if cart_len == 0 || cart_len > MAX_FIELD_CHARS {
        return Err(TelrRequestError::CartId);
    }
    if order.amount_minor <= 0 {
        return Err(TelrRequestError::NotPositive);
    }
    let description: String = order.description.chars().take(MAX_FIELD_CHARS).collect();
    Ok(vec![
        pair("ivp_method", "create"),
        pair("ivp_store", &creds.store_id),
        pair("ivp_authkey", &creds.auth_key),
        pair("ivp_cart", order.cart_id),
        pair("ivp_test", if order.test { "1" } else { "0" }),
        pair(
            "ivp_amount",
            &telr_amount(order.amount_minor, order.currency),
        ),
        pair("ivp_currency", order.currency.code()),
        pair("ivp_desc", &description),
        pair("return_auth", order.return_auth),
        pair("return_decl", order.return_decl),
        pair("return_can", order.return_can),
    ])
}

/// The check request's form pairs (C3). `order_ref` is the `order.ref` stored at create.
pub fn check_request(
    creds: &TelrCredentials,
    order_ref: &str,
) -> Result<Vec<(String, String)>, TelrRequestError> {
    if order_ref.trim().is_empty() {
        return Err(TelrRequestError::OrderRef);
    }
    Ok(vec![
        pair("ivp_method", "check"),
        pair("ivp_store", &creds.store_id),
        pair("ivp_authkey", &creds.auth_key),
        pair("order_ref", order_ref),
    ])
}

/// `order.status.code` of a check response (C3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderStatus {
    /// `1`
    Pending,
    /// `2`: authorised only, not captured.
    Authorised,
    /// `3`: the only code that means the money was taken.
    Paid,
    /// `-1`
    Expired,
    /// `-2`
    Cancelled,
    /// `-3`
    Declined,
}

impl OrderStatus {
    pub fn from_code(code: i64) -> Option<Self> {
        Some(match code {
            1 => Self::Pending,
            2 => Self::Authorised,
            3 => Self::Paid,
            -1 => Self::Expired,
            -2 => Self::Cancelled,
            -3 => Self::Declined,
            _ => return None,
        })
    }

    pub fn code(self) -> i64 {
        match self {
            Self::Pending => 1,
            Self::Authorised => 2,
            Self::Paid => 3,
            Self::Expired => -1,
            Self::Cancelled => -2,
            Self::Declined => -3,
        }
    }

    /// Whether the attempt is over (no later status will make it paid).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Paid | Self::Expired | Self::Cancelled | Self::Declined
        )
    }
}

/// The fields of a check response that decide whether an invoice is paid (C3).
#[derive(Debug, Clone)]
pub struct CheckedOrder<'a> {
    pub status_code: i64,
    pub cart_id: &'a str,
    /// `order.amount`, a decimal string.
    pub amount: &'a str,
    pub currency: &'a str,
    pub test: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotPaid {
    #[error("Telr status code {0} is not 3 (paid)")]
    Status(i64),
    #[error("the cart id does not match the payment attempt")]
    CartId,
    #[error("the amount or currency does not match the invoice")]
    Amount,
    #[error("the test flag does not match this environment")]
    TestMode,
}

/// The C3 rule: paid only if the status code is 3 AND the cart id, amount, currency and
/// test flag all equal what we sent in `sent`.
pub fn confirm_paid(checked: &CheckedOrder<'_>, sent: &CreateOrder<'_>) -> Result<(), NotPaid> {
    if OrderStatus::from_code(checked.status_code) != Some(OrderStatus::Paid) {
        return Err(NotPaid::Status(checked.status_code));
    }
    if checked.cart_id != sent.cart_id {
        return Err(NotPaid::CartId);
    }
    let same_currency = checked.currency.eq_ignore_ascii_case(sent.currency.code());
    if !same_currency
        || telr_amount_to_minor(checked.amount, sent.currency) != Some(sent.amount_minor)
    {
        return Err(NotPaid::Amount);
    }
    if checked.test != sent.test {
        return Err(NotPaid::TestMode);
    }
    Ok(())
}

/// The fields hashed into `tran_check`, in order, after the secret (C4).
pub const TRAN_CHECK_FIELDS: [&str; 14] = [
    "tran_store",
    "tran_type",
    "tran_class",
    "tran_test",
    "tran_ref",
    "tran_prevref",
    "tran_firstref",
    "tran_currency",
    "tran_amount",
    "tran_cartid",
    "tran_desc",
    "tran_status",
    "tran_authcode",
    "tran_authmessage",
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TasError {
    #[error("the TAS message has no tran_check")]
    MissingCheck,
    #[error("the TAS message repeats the field {0}")]
    DuplicateField(&'static str),
    #[error("tran_check does not match the message")]
    Mismatch,
}

/// Which `tran_check` layout matched (C4, `tran_order` discrepancy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TranCheckLayout {
    Classic,
    WithTranOrder,
}

/// `lowercase_hex(SHA1(secret ":" v1 ":" … ":" vn))` (C4).
pub fn sha1_check(secret: &str, values: &[&str]) -> String {
    let mut hasher = Sha1::new();
    hasher.update(secret.as_bytes());
    for v in values {
        hasher.update(b":");
        hasher.update(v.as_bytes());
    }
    hex(&hasher.finalize())
}

/// The single value of `name` in URL-decoded form pairs (empty when absent, C4).
fn single<'a>(fields: &'a [(String, String)], name: &'static str) -> Result<&'a str, TasError> {
    let mut found = fields
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str());
    let first = found.next();
    if found.next().is_some() {
        return Err(TasError::DuplicateField(name));
    }
    Ok(first.unwrap_or(""))
}

/// Verifies a TAS POST (C4). `fields` are the **URL-decoded** form pairs as received;
/// `secret` is the TAS secret from Telr's MAS (trimmed). Repeated signed fields are refused.
pub fn verify_tran_check(
    fields: &[(String, String)],
    secret: &str,
) -> Result<TranCheckLayout, TasError> {
    let received = single(fields, "tran_check")?.trim().to_ascii_lowercase();
    if received.is_empty() {
        return Err(TasError::MissingCheck);
    }
    let mut values = Vec::with_capacity(TRAN_CHECK_FIELDS.len() + 1);
    for name in TRAN_CHECK_FIELDS {
        values.push(single(fields, name)?);
    }
    let tran_order = single(fields, "tran_order")?;
    let secret = secret.trim();
    let classic = constant_time_eq(&sha1_check(secret, &values), &received);
    values.insert(7, tran_order); // after tran_firstref
    let with_order = constant_time_eq(&sha1_check(secret, &values), &received);
    match (classic, with_order) {
        (true, _) => Ok(TranCheckLayout::Classic),
        (false, true) => Ok(TranCheckLayout::WithTranOrder),
        (false, false) => Err(TasError::Mismatch),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VECTOR: &str = "8a28e6f68adfe94b0799d7caf82e6741d3eb74a1";

    fn creds() -> TelrCredentials {
        TelrCredentials {
            store_id: "15996".into(),
            auth_key: "s3cr3t-key".into(),
        }
    }

    fn order() -> CreateOrder<'static> {
        CreateOrder {
            cart_id: "pay_01J9ZK",
            test: true,
            amount_minor: 125050,
            currency: Currency::parse("AED").unwrap(),
            description: "Invoice INV-2026-0042",
            return_auth: "https://portal.example/pay/telr/return?r=auth",
            return_decl: "https://portal.example/pay/telr/return?r=decl",
            return_can: "https://portal.example/pay/telr/return?r=can",
        }
    }

    fn fixture() -> Vec<(String, String)> {
        [
            ("tran_store", "1234"),
            ("tran_type", "sale"),
            ("tran_class", "ecom"),
            ("tran_test", "1"),
            ("tran_ref", "040035754014"),
            ("tran_prevref", "040035754014"),
            ("tran_firstref", "040035754014"),
            ("tran_currency", "AED"),
            ("tran_amount", "10.50"),
            ("tran_cartid", "12324"),
            ("tran_desc", "My purchase"),
            ("tran_status", "A"),
            ("tran_authcode", "078251"),
            ("tran_authmessage", "Authorised"),
            ("card_last4", "0002"),
            ("tran_check", VECTOR),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    fn set(fields: &mut [(String, String)], name: &str, value: &str) {
        for (k, v) in fields.iter_mut() {
            if k == name {
                *v = value.to_string();
            }
        }
    }

    #[test]
    fn create_request_has_the_c2_fields_in_order() {
        let got = create_request(&creds(), &order()).unwrap();
        let got: Vec<(&str, &str)> = got.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            got,
            vec![
                ("ivp_method", "create"),
                ("ivp_store", "15996"),
                ("ivp_authkey", "s3cr3t-key"),
                ("ivp_cart", "pay_01J9ZK"),
                ("ivp_test", "1"),
                ("ivp_amount", "1250.50"),
                ("ivp_currency", "AED"),
                ("ivp_desc", "Invoice INV-2026-0042"),
                (
                    "return_auth",
                    "https://portal.example/pay/telr/return?r=auth"
                ),
                (
                    "return_decl",
                    "https://portal.example/pay/telr/return?r=decl"
                ),
                ("return_can", "https://portal.example/pay/telr/return?r=can"),
            ]
        );
        assert!(!format!("{:?}", creds()).contains("s3cr3t"));
    }

    #[test]
    fn create_request_is_validated() {
        let mut o = order();
        o.test = false;
        o.currency = Currency::parse("KWD").unwrap();
        o.amount_minor = 1_250_125;
        let long_desc = "é".repeat(100);
        o.description = &long_desc;
        let got = create_request(&creds(), &o).unwrap();
        assert_eq!(got[4], pair("ivp_test", "0"));
        assert_eq!(got[5], pair("ivp_amount", "1250.125"));
        assert_eq!(got[7].1.chars().count(), 63);
        o.amount_minor = 0;
        assert_eq!(
            create_request(&creds(), &o),
            Err(TelrRequestError::NotPositive)
        );
        let long_cart = "c".repeat(64);
        let mut o = order();
        o.cart_id = &long_cart;
        assert_eq!(create_request(&creds(), &o), Err(TelrRequestError::CartId));
        o.cart_id = "";
        assert_eq!(create_request(&creds(), &o), Err(TelrRequestError::CartId));
    }

    #[test]
    fn check_request_has_the_c3_fields() {
        let got = check_request(&creds(), "869748BD75").unwrap();
        assert_eq!(
            got,
            vec![
                pair("ivp_method", "check"),
                pair("ivp_store", "15996"),
                pair("ivp_authkey", "s3cr3t-key"),
                pair("order_ref", "869748BD75"),
            ]
        );
        assert_eq!(
            check_request(&creds(), " "),
            Err(TelrRequestError::OrderRef)
        );
    }

    #[test]
    fn status_codes_follow_c3() {
        let table = [
            (1, OrderStatus::Pending),
            (2, OrderStatus::Authorised),
            (3, OrderStatus::Paid),
            (-1, OrderStatus::Expired),
            (-2, OrderStatus::Cancelled),
            (-3, OrderStatus::Declined),
        ];
        for (code, status) in table {
            assert_eq!(OrderStatus::from_code(code), Some(status));
            assert_eq!(status.code(), code);
        }
        assert_eq!(OrderStatus::from_code(0), None);
        assert_eq!(OrderStatus::from_code(4), None);
        assert!(!OrderStatus::Authorised.is_final());
        assert!(OrderStatus::Declined.is_final());
    }

    #[test]
    fn paid_only_when_everything_matches() {
        let sent = order();
        let ok = CheckedOrder {
            status_code: 3,
            cart_id: "pay_01J9ZK",
            amount: "1250.50",
            currency: "AED",
            test: true,
        };
        assert_eq!(confirm_paid(&ok, &sent), Ok(()));
        assert_eq!(
            confirm_paid(
                &CheckedOrder {
                    amount: "1250.5",
                    ..ok.clone()
                },
                &sent
            ),
            Ok(())
        );
        let cases = [
            (
                CheckedOrder {
                    status_code: 2,
                    ..ok.clone()
                },
                NotPaid::Status(2),
            ),
            (
                CheckedOrder {
                    cart_id: "pay_other",
                    ..ok.clone()
                },
                NotPaid::CartId,
            ),
            (
                CheckedOrder {
                    amount: "1250.49",
                    ..ok.clone()
                },
                NotPaid::Amount,
            ),
            (
                CheckedOrder {
                    currency: "SAR",
                    ..ok.clone()
                },
                NotPaid::Amount,
            ),
            (
                CheckedOrder {
                    test: false,
                    ..ok.clone()
                },
                NotPaid::TestMode,
            ),
        ];
        for (checked, why) in cases {
            assert_eq!(confirm_paid(&checked, &sent), Err(why));
        }
    }

    #[test]
    fn tran_check_matches_the_c4_vector() {
        let s = "mysecret:1234:sale:ecom:1:040035754014:040035754014:040035754014:AED:10.50:12324:My purchase:A:078251:Authorised";
        let values: Vec<&str> = s.split(':').skip(1).collect();
        assert_eq!(sha1_check("mysecret", &values), VECTOR);
        assert_eq!(
            verify_tran_check(&fixture(), "mysecret"),
            Ok(TranCheckLayout::Classic)
        );
        let mut upper = fixture();
        set(&mut upper, "tran_check", &VECTOR.to_uppercase());
        assert_eq!(
            verify_tran_check(&upper, "mysecret"),
            Ok(TranCheckLayout::Classic)
        );
    }

    #[test]
    fn tampered_fields_and_wrong_secrets_fail() {
        let mut f = fixture();
        set(&mut f, "tran_amount", "100.50");
        assert_eq!(verify_tran_check(&f, "mysecret"), Err(TasError::Mismatch));
        let mut f = fixture();
        set(&mut f, "tran_status", "D");
        assert_eq!(verify_tran_check(&f, "mysecret"), Err(TasError::Mismatch));
        assert_eq!(
            verify_tran_check(&fixture(), "othersecret"),
            Err(TasError::Mismatch)
        );
        let mut f = fixture();
        f.retain(|(k, _)| k != "tran_check");
        assert_eq!(
            verify_tran_check(&f, "mysecret"),
            Err(TasError::MissingCheck)
        );
        let mut f = fixture();
        f.push(pair("tran_amount", "1.00"));
        assert_eq!(
            verify_tran_check(&f, "mysecret"),
            Err(TasError::DuplicateField("tran_amount"))
        );
    }

    #[test]
    fn tran_order_layout_is_accepted_when_it_matches() {
        let mut f = fixture();
        f.push(pair("tran_order", "ORD9"));
        // Present but not hashed (classic form) still verifies.
        assert_eq!(
            verify_tran_check(&f, "mysecret"),
            Ok(TranCheckLayout::Classic)
        );
        let s = "1234:sale:ecom:1:040035754014:040035754014:040035754014:ORD9:AED:10.50:12324:My purchase:A:078251:Authorised";
        let values: Vec<&str> = s.split(':').collect();
        set(&mut f, "tran_check", &sha1_check("mysecret", &values));
        assert_eq!(
            verify_tran_check(&f, "mysecret"),
            Ok(TranCheckLayout::WithTranOrder)
        );
        set(&mut f, "tran_order", "ORD8");
        assert_eq!(verify_tran_check(&f, "mysecret"), Err(TasError::Mismatch));
    }
}

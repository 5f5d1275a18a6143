//! Stripe, without HTTP: webhook signatures, form encoding and Checkout Session parameters.
//!
//! - [`parse_signature_header`] / [`verify`]: the `Stripe-Signature` header (fact sheet B1)
//!   checked exactly as the official SDKs do (B2): `t` and every `v1` are taken, all other
//!   schemes (including the test-mode `v0`) are ignored to prevent downgrades, the expected
//!   signature is `hex(HMAC-SHA256(secret, t + "." + raw_body))` with the whole `whsec_…`
//!   string (trimmed, B2 step 6) as the key, compared in constant time with each `v1`.
//! - Timestamp tolerance (B2 step 5): the SDKs reject only `t < now - tolerance`; the sheet
//!   allows being stricter, and we also reject `t > now + tolerance` (a clock more than the
//!   tolerance ahead), reported as [`SignatureError::TimestampInFuture`].
//! - [`sign`]: builds a header for test webhooks (the B3 vectors).
//! - [`encode_form`]: Stripe's `application/x-www-form-urlencoded` body (A1).
//! - [`checkout_session_params`]: the A2 parameters for paying one invoice.

use hmac::{Hmac, Mac};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::Sha256;

use crate::crypto::{constant_time_eq, hex};
use crate::domain::money::Currency;
use crate::payments::amounts::{stripe_amount, stripe_currency, AmountError};

/// The SDKs' default tolerance in seconds (fact sheet B2 step 5).
pub const DEFAULT_TOLERANCE_SECS: i64 = 300;

/// Why a webhook's signature was refused. Each variant is a distinct failure of B2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no Stripe-Signature header")]
    MissingHeader,
    #[error("unable to extract timestamp and signatures from header")]
    NoTimestamp,
    #[error("no signatures found with expected scheme v1")]
    NoV1Signature,
    #[error("no signature matches the expected signature for the payload")]
    Mismatch,
    #[error("timestamp {t} is outside the tolerance zone (too old)")]
    TooOld { t: i64 },
    #[error("timestamp {t} is outside the tolerance zone (in the future)")]
    TimestampInFuture { t: i64 },
}

/// A parsed `Stripe-Signature` header: the timestamp and every `v1` signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    pub timestamp: i64,
    pub v1: Vec<String>,
}

/// Parses `t=…,v1=…[,v1=…][,v0=…]` (B1, B2 step 1): items split on `,`, keys are the text
/// before the first `=`, spaces around items are tolerated, unknown schemes and `v0` are
/// ignored. The first `t` wins (as in stripe-python); an unparsable `t` counts as missing.
pub fn parse_signature_header(header: &str) -> Result<SignatureHeader, SignatureError> {
    if header.trim().is_empty() {
        return Err(SignatureError::MissingHeader);
    }
    let mut timestamp = None;
    let mut v1 = Vec::new();
    for item in header.split(',') {
        let Some((key, value)) = item.split_once('=') else {
            continue;
        };
        match key.trim() {
            "t" if timestamp.is_none() => timestamp = value.trim().parse::<i64>().ok(),
            "v1" => v1.push(value.trim().to_string()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::NoTimestamp)?;
    if v1.is_empty() {
        return Err(SignatureError::NoV1Signature);
    }
    Ok(SignatureHeader { timestamp, v1 })
}

fn compute_signature(payload: &[u8], secret: &str, t: i64) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.trim().as_bytes()) {
        Ok(m) => m,
        // HMAC accepts keys of any length; this arm cannot be reached.
        Err(_) => return String::new(),
    };
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    hex(&mac.finalize().into_bytes())
}

/// Verifies a webhook (B2): `payload` must be the raw request body, byte for byte.
/// `now_unix` is injected so tests and the caller's clock decide the time.
pub fn verify(
    payload: &[u8],
    header: &str,
    secret: &str,
    now_unix: i64,
    tolerance_secs: i64,
) -> Result<(), SignatureError> {
    let parsed = parse_signature_header(header)?;
    let expected = compute_signature(payload, secret, parsed.timestamp);
    // Compare against every v1 without stopping early (B2 step 4).
    let matched = parsed
        .v1
        .iter()
        .fold(false, |found, sig| constant_time_eq(&expected, sig) | found);
    if expected.is_empty() || !matched {
        return Err(SignatureError::Mismatch);
    }
    let t = parsed.timestamp;
    let tolerance_secs = tolerance_secs.max(0);
    if t < now_unix.saturating_sub(tolerance_secs) {
        return Err(SignatureError::TooOld { t });
    }
    if t > now_unix.saturating_add(tolerance_secs) {
        return Err(SignatureError::TimestampInFuture { t });
    }
    Ok(())
}

/// A `Stripe-Signature` header value for `payload` at time `t`: `t=…,v1=…` (for tests).
pub fn sign(payload: &[u8], secret: &str, t: i64) -> String {
    format!("t={t},v1={}", compute_signature(payload, secret, t))
}

/// Characters `encodeURIComponent` leaves alone: `A–Z a–z 0–9 - _ . ! ~ * ' ( )`.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// Keys additionally keep `[` and `]` ("the server accepts both", A1).
const KEY_COMPONENT: &AsciiSet = &URI_COMPONENT.remove(b'[').remove(b']');

/// Encodes already-flattened pairs (`line_items[0][quantity]`, `1`) as Stripe's form body
/// (A1): `key=value` joined by `&`, values percent-encoded like `encodeURIComponent`.
pub fn encode_form(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(k, KEY_COMPONENT),
                utf8_percent_encode(v, URI_COMPONENT)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The literal Stripe replaces in `success_url` (A2).
pub const SESSION_ID_TEMPLATE: &str = "{CHECKOUT_SESSION_ID}";

/// One invoice to pay through Stripe Checkout (A2).
#[derive(Debug, Clone)]
pub struct CheckoutInvoice<'a> {
    /// Shown as the product name, e.g. `Invoice INV-2026-0042`.
    pub product_name: &'a str,
    pub amount_minor: i64,
    pub currency: Currency,
    /// Must contain `{CHECKOUT_SESSION_ID}`.
    pub success_url: &'a str,
    pub cancel_url: &'a str,
    /// The payment-attempt id; at most 200 characters.
    pub client_reference_id: &'a str,
    pub customer_email: Option<&'a str>,
    /// Sent on the Session and again on the PaymentIntent (A2).
    pub metadata: &'a [(&'a str, &'a str)],
}

/// Why the Checkout parameters could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckoutParamsError {
    #[error(transparent)]
    Amount(#[from] AmountError),
    #[error("client_reference_id must be 1 to 200 characters")]
    ClientReferenceId,
    #[error("success_url must contain {SESSION_ID_TEMPLATE}")]
    SuccessUrl,
    #[error("the product name must not be empty")]
    ProductName,
    #[error("metadata allows at most 50 keys of at most 40 characters without [ or ], and values of at most 500 characters")]
    Metadata,
}

/// The form parameters of `POST /v1/checkout/sessions` for one invoice (A2), in the
/// order of the sheet's example. `ui_mode` is deliberately omitted (A1).
pub fn checkout_session_params(
    inv: &CheckoutInvoice<'_>,
) -> Result<Vec<(String, String)>, CheckoutParamsError> {
    let amount = stripe_amount(inv.amount_minor, inv.currency)?;
    let reference_len = inv.client_reference_id.chars().count();
    if reference_len == 0 || reference_len > 200 {
        return Err(CheckoutParamsError::ClientReferenceId);
    }
    if !inv.success_url.contains(SESSION_ID_TEMPLATE) {
        return Err(CheckoutParamsError::SuccessUrl);
    }
    if inv.product_name.trim().is_empty() {
        return Err(CheckoutParamsError::ProductName);
    }
    let metadata_ok = inv.metadata.len() <= 50
        && inv.metadata.iter().all(|(k, v)| {
            !k.is_empty()
                && k.chars().count() <= 40
                && !k.contains(['[', ']'])
                && v.chars().count() <= 500
        });
    if !metadata_ok {
        return Err(CheckoutParamsError::Metadata);
    }
    let mut p: Vec<(String, String)> = Vec::new();
    let mut push = |k: &str, v: &str| p.push((k.to_string(), v.to_string()));
    push("mode", "payment");
    push(
        "line_items[0][price_data][currency]",
        &stripe_currency(inv.currency),
    );
    push(
        "line_items[0][price_data][unit_amount]",
        &amount.to_string(),
    );
    push(
        "line_items[0][price_data][product_data][name]",
        inv.product_name,
    );
    push("line_items[0][quantity]", "1");
    push("success_url", inv.success_url);
    push("cancel_url", inv.cancel_url);
    push("client_reference_id", inv.client_reference_id);
    if let Some(email) = inv.customer_email {
        push("customer_email", email);
    }
    for (k, v) in inv.metadata {
        push(&format!("metadata[{k}]"), v);
    }
    for (k, v) in inv.metadata {
        push(&format!("payment_intent_data[metadata][{k}]"), v);
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_test_webhook","object":"event"}"#;
    const T: i64 = 1492774577;
    const V1_T: &str = "88a022085c6bdb887b02cb26ff76dd681234d9675c0f22844059f55552a8883a";
    const V1_T1: &str = "c4cf1e394977418290a134b536ee7d37d324a4750447951f5167911d753d5deb";
    const V1_WRONG: &str = "f1d1e65cc5add2f6c4afa6e6fd6024cea4889a5468aaddbedf7c2b6a0f359762";
    const V1_PRETTY: &str = "c2f890decbc5ede7c5060bb9a6d31e0626a4342bacb9aeae2adb1bcea72f9812";

    fn check(body: &[u8], header: &str) -> Result<(), SignatureError> {
        verify(body, header, SECRET, T + 10, DEFAULT_TOLERANCE_SECS)
    }

    #[test]
    fn hmac_primitive_vectors_from_stripe_node() {
        let hmac = |payload: &str| {
            let mut mac = Hmac::<Sha256>::new_from_slice(b"test_secret").unwrap();
            mac.update(payload.as_bytes());
            hex(&mac.finalize().into_bytes())
        };
        assert_eq!(
            hmac(""),
            "f7f9bd47fb987337b5796fdc1fdb9ba221d0d5396814bfcaf9521f43fd8927fd"
        );
        assert_eq!(
            hmac(r#"{"obj1":"hello","obj2":"world"}"#),
            "bebb1a643997f419b315ddba19e6f5411e1ce7f810ba6d3617ce72823092f363"
        );
        assert_eq!(
            hmac("\u{1F600}"),
            "837da296d05c4fe31f61d5d7ead035099d9585a5bcde87de952012a78f0b0c43"
        );
    }

    #[test]
    fn sign_reproduces_the_b3_vectors() {
        assert_eq!(sign(BODY, SECRET, T), format!("t={T},v1={V1_T}"));
        assert_eq!(sign(BODY, SECRET, T + 1), format!("t={},v1={V1_T1}", T + 1));
        assert_eq!(sign(BODY, "whsec_wrong", T), format!("t={T},v1={V1_WRONG}"));
        let pretty = b"{\n  \"id\": \"evt_test_webhook\",\n  \"object\": \"event\"\n}";
        assert_eq!(sign(pretty, SECRET, T), format!("t={T},v1={V1_PRETTY}"));
    }

    #[test]
    fn accepts_every_b3_vector_within_tolerance() {
        assert_eq!(check(BODY, &format!("t={T},v1={V1_T}")), Ok(()));
        assert_eq!(check(BODY, &format!("t={},v1={V1_T1}", T + 1)), Ok(()));
        let pretty = b"{\n  \"id\": \"evt_test_webhook\",\n  \"object\": \"event\"\n}";
        assert_eq!(check(pretty, &format!("t={T},v1={V1_PRETTY}")), Ok(()));
        let wrong = format!("t={T},v1={V1_WRONG}");
        assert_eq!(verify(BODY, &wrong, "whsec_wrong", T, 300), Ok(()));
        // The documented example shape with a v0 next to v1, and spaces.
        assert_eq!(check(BODY, &format!(" t={T} , v1={V1_T} ,v0=abc")), Ok(()));
    }

    #[test]
    fn the_b3_expected_behaviours() {
        let good = format!("t={T},v1={V1_T}");
        assert_eq!(
            verify(BODY, &good, SECRET, T + 301, 300),
            Err(SignatureError::TooOld { t: T })
        );
        assert_eq!(verify(BODY, &good, SECRET, T + 300, 300), Ok(()));
        assert_eq!(check(BODY, &format!("t={T},v1=bad,v1={V1_T}")), Ok(()));
        assert_eq!(check(BODY, &format!("t={T},v1={V1_T},v1=bad")), Ok(()));
        assert_eq!(
            check(BODY, &format!("t={T},v0={V1_T}")),
            Err(SignatureError::NoV1Signature)
        );
        let spaced = br#"{"id":"evt_test_webhook", "object":"event"}"#;
        assert_eq!(check(spaced, &good), Err(SignatureError::Mismatch));
        assert_eq!(check(BODY, "bad_header"), Err(SignatureError::NoTimestamp));
    }

    #[test]
    fn distinct_failures() {
        assert_eq!(check(BODY, ""), Err(SignatureError::MissingHeader));
        assert_eq!(check(BODY, "  "), Err(SignatureError::MissingHeader));
        assert_eq!(
            check(BODY, &format!("v1={V1_T}")),
            Err(SignatureError::NoTimestamp)
        );
        assert_eq!(
            check(BODY, &format!("t=abc,v1={V1_T}")),
            Err(SignatureError::NoTimestamp)
        );
        assert_eq!(
            check(BODY, &format!("t={T}")),
            Err(SignatureError::NoV1Signature)
        );
        assert_eq!(
            check(BODY, &format!("t={T},v2={V1_T}")),
            Err(SignatureError::NoV1Signature)
        );
        // Wrong secret, tampered timestamp, tampered body.
        let good = format!("t={T},v1={V1_T}");
        assert_eq!(
            verify(BODY, &good, "whsec_wrong", T, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            check(BODY, &format!("t={},v1={V1_T}", T + 1)),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            check(br#"{"id":"evt_test_webhooK","object":"event"}"#, &good),
            Err(SignatureError::Mismatch)
        );
        // Uppercase hex is not what Stripe sends; the SDKs compare exactly.
        assert_eq!(
            check(BODY, &format!("t={T},v1={}", V1_T.to_uppercase())),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(BODY, &good, SECRET, T - 301, 300),
            Err(SignatureError::TimestampInFuture { t: T })
        );
        // A bad signature is reported as a mismatch even when the time is also wrong.
        assert_eq!(
            verify(BODY, &format!("t={T},v1=00"), SECRET, T + 10_000, 300),
            Err(SignatureError::Mismatch)
        );
        // Extreme values do not overflow.
        assert!(verify(BODY, &good, SECRET, 0, i64::MAX).is_ok());
        assert!(verify(BODY, &good, SECRET, i64::MIN, i64::MAX).is_err());
        // A negative tolerance counts as zero.
        assert!(verify(BODY, &good, SECRET, T, -5).is_ok());
        assert!(verify(BODY, &good, SECRET, T + 1, -5).is_err());
        assert!(verify(BODY, &good, SECRET, i64::MAX, 300).is_err());
    }

    #[test]
    fn the_configured_secret_is_trimmed() {
        let good = format!("t={T},v1={V1_T}");
        assert_eq!(verify(BODY, &good, " whsec_test_secret\n", T, 300), Ok(()));
    }

    #[test]
    fn form_encoding_matches_encode_uri_component() {
        let pairs = vec![
            ("mode".to_string(), "payment".to_string()),
            (
                "line_items[0][price_data][product_data][name]".to_string(),
                "Invoice INV-1 & co/ü".to_string(),
            ),
            (
                "success_url".to_string(),
                "https://p.example/r?session_id={CHECKOUT_SESSION_ID}".to_string(),
            ),
            ("metadata[note]".to_string(), "a+b=c!~*'()".to_string()),
            ("customer_email".to_string(), String::new()),
        ];
        assert_eq!(
            encode_form(&pairs),
            "mode=payment\
             &line_items[0][price_data][product_data][name]=Invoice%20INV-1%20%26%20co%2F%C3%BC\
             &success_url=https%3A%2F%2Fp.example%2Fr%3Fsession_id%3D%7BCHECKOUT_SESSION_ID%7D\
             &metadata[note]=a%2Bb%3Dc!~*'()\
             &customer_email="
        );
    }

    fn invoice<'a>(meta: &'a [(&'a str, &'a str)]) -> CheckoutInvoice<'a> {
        CheckoutInvoice {
            product_name: "Invoice INV-2026-0042",
            amount_minor: 125050,
            currency: Currency::parse("AED").unwrap(),
            success_url:
                "https://portal.example/pay/stripe/return?session_id={CHECKOUT_SESSION_ID}",
            cancel_url: "https://portal.example/invoices/INV-2026-0042",
            client_reference_id: "pay_01J9ZK",
            customer_email: Some("ap@client.example"),
            metadata: meta,
        }
    }

    #[test]
    fn checkout_params_for_one_invoice() {
        let meta = [
            ("invoice_id", "inv_1"),
            ("payment_attempt_id", "pay_01J9ZK"),
        ];
        let params = checkout_session_params(&invoice(&meta)).unwrap();
        let got: Vec<(&str, &str)> = params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("mode", "payment"),
                ("line_items[0][price_data][currency]", "aed"),
                ("line_items[0][price_data][unit_amount]", "125050"),
                (
                    "line_items[0][price_data][product_data][name]",
                    "Invoice INV-2026-0042"
                ),
                ("line_items[0][quantity]", "1"),
                (
                    "success_url",
                    "https://portal.example/pay/stripe/return?session_id={CHECKOUT_SESSION_ID}"
                ),
                (
                    "cancel_url",
                    "https://portal.example/invoices/INV-2026-0042"
                ),
                ("client_reference_id", "pay_01J9ZK"),
                ("customer_email", "ap@client.example"),
                ("metadata[invoice_id]", "inv_1"),
                ("metadata[payment_attempt_id]", "pay_01J9ZK"),
                ("payment_intent_data[metadata][invoice_id]", "inv_1"),
                (
                    "payment_intent_data[metadata][payment_attempt_id]",
                    "pay_01J9ZK"
                ),
            ]
        );
        assert!(!params.iter().any(|(k, _)| k == "ui_mode"));
    }

    #[test]
    fn checkout_params_are_validated() {
        let meta: [(&str, &str); 0] = [];
        let long_ref = "x".repeat(201);
        let mut inv = invoice(&meta);
        inv.client_reference_id = &long_ref;
        assert_eq!(
            checkout_session_params(&inv),
            Err(CheckoutParamsError::ClientReferenceId)
        );
        let ok_ref = "x".repeat(200);
        inv.client_reference_id = &ok_ref;
        assert!(checkout_session_params(&inv).is_ok());
        inv.success_url = "https://portal.example/pay/stripe/return";
        assert_eq!(
            checkout_session_params(&inv),
            Err(CheckoutParamsError::SuccessUrl)
        );

        let mut inv = invoice(&meta);
        inv.currency = Currency::parse("KWD").unwrap();
        inv.amount_minor = 5124;
        assert!(matches!(
            checkout_session_params(&inv),
            Err(CheckoutParamsError::Amount(
                AmountError::ThreeDecimalNotMultipleOfTen { .. }
            ))
        ));

        let bad_key = [("a[b]", "v")];
        assert_eq!(
            checkout_session_params(&invoice(&bad_key)),
            Err(CheckoutParamsError::Metadata)
        );
        let long_value = "v".repeat(501);
        let bad_value = [("k", long_value.as_str())];
        assert_eq!(
            checkout_session_params(&invoice(&bad_value)),
            Err(CheckoutParamsError::Metadata)
        );
    }
}

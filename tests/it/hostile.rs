//! Hostile input against every form and address a signed-in user can reach, found by
//! crawling the pages rather than listed by hand (so new forms are covered at once):
//! each field of each form gets empty, huge, Unicode-edge, markup, numeric-edge and
//! bad-date values; each address gets garbage in its query and in its ids. Nothing may
//! answer a server error, and no page may echo markup unescaped.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use reqwest::StatusCode;

use crate::support::http::{csrf_of, Browser};
use crate::support::records;
use crate::support::world::{Documents, World};
use crate::support::TestApp;

/// The markup every hostile submission carries somewhere; a page that shows it back
/// unescaped is a fault.
pub const MARKUP: &str = "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>";
const RAW_MARKUP: [&str; 2] = ["<script>alert(1)</script>", "<img src=x onerror"];

/// Values every field gets (the huge one too); the others are sampled per field.
const CORE: [&str; 5] = ["", MARKUP, "a\u{0}b", "9223372036854775808", "2026-02-30"];

/// Values a field may receive from someone who is not a friend.
pub fn hostile_values() -> Vec<String> {
    let mut v: Vec<String> = [
        "",
        "   ",
        "  padded value  ",
        MARKUP,
        "\u{202E}txt.exe",
        "e\u{301}\u{301}\u{301}\u{301}",
        "👨\u{200D}👩\u{200D}👧 ❤\u{FE0F}",
        "مرحبا بالعالم",
        "a\u{0}b",
        "\u{FFFF}\u{FFFE}",
        "-1",
        "0",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "99999999999999999999999999999",
        "1e309",
        "-1e309",
        "NaN",
        "inf",
        "0.0000001",
        "1,5",
        "١٢٣",
        "2026-02-30",
        "0000-00-00",
        "99999-12-31",
        "2026-13-01T25:61",
        "-0001-01-01",
        "XXX",
        "usd",
        "#zzzzzz",
        "Asia/Nowhere",
        "../../etc/passwd",
        "on",
        "true",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    v.push("x".repeat(300_000));
    v
}

#[derive(Debug, Clone)]
pub struct FormSpec {
    pub action: String,
    pub multipart: bool,
    pub fields: Vec<(String, String)>,
}

fn unescape(s: &str) -> String {
    s.replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let rest = &tag[start..];
    rest.split('"').next().map(unescape)
}

/// Every `<form method="post">` of a page, with its fields' initial values.
pub fn forms(html: &str, page: &str) -> Vec<FormSpec> {
    let mut out = Vec::new();
    for chunk in html.split("<form").skip(1) {
        let Some(tag_end) = chunk.find('>') else {
            continue;
        };
        let tag = format!(" {}", &chunk[..tag_end]);
        if attr(&tag, "method").is_none_or(|m| !m.eq_ignore_ascii_case("post")) {
            continue;
        }
        let action = attr(&tag, "action").unwrap_or_else(|| page.to_string());
        let multipart = attr(&tag, "enctype").is_some_and(|e| e.contains("multipart"));
        let body = chunk[tag_end..].split("</form>").next().unwrap_or("");
        let mut fields: Vec<(String, String)> = Vec::new();
        for input in body.split("<input").skip(1) {
            let tag = format!(" {}", input.split('>').next().unwrap_or(""));
            let Some(name) = attr(&tag, "name") else {
                continue;
            };
            let kind = attr(&tag, "type").unwrap_or_default();
            if (kind == "checkbox" || kind == "radio") && !tag.contains(" checked") {
                if kind == "radio" && !fields.iter().any(|(n, _)| *n == name) {
                    fields.push((name, attr(&tag, "value").unwrap_or_default()));
                }
                continue;
            }
            if kind == "file" {
                continue;
            }
            let value = attr(&tag, "value").unwrap_or_default();
            if let Some(slot) = fields
                .iter_mut()
                .find(|(n, _)| *n == name && kind == "radio")
            {
                slot.1 = value;
            } else {
                fields.push((name, value));
            }
        }
        // A browser sends the name and value of the button pressed: take the first.
        for button in body.split("<button").skip(1) {
            let tag = format!(" {}", button.split('>').next().unwrap_or(""));
            let Some(name) = attr(&tag, "name") else {
                continue;
            };
            if !fields.iter().any(|(n, _)| *n == name) {
                fields.push((name, attr(&tag, "value").unwrap_or_default()));
            }
        }
        for select in body.split("<select").skip(1) {
            let tag = format!(" {}", select.split('>').next().unwrap_or(""));
            let Some(name) = attr(&tag, "name") else {
                continue;
            };
            let options = select.split("</select>").next().unwrap_or("");
            let mut value = None;
            for option in options.split("<option").skip(1) {
                let otag = format!(" {}", option.split('>').next().unwrap_or(""));
                let v = attr(&otag, "value").unwrap_or_default();
                if value.is_none() || otag.contains(" selected") {
                    value = Some(v);
                }
            }
            fields.push((name, value.unwrap_or_default()));
        }
        for area in body.split("<textarea").skip(1) {
            let tag = format!(" {}", area.split('>').next().unwrap_or(""));
            let Some(name) = attr(&tag, "name") else {
                continue;
            };
            let text = area
                .split_once('>')
                .map(|(_, rest)| rest.split("</textarea>").next().unwrap_or(""))
                .unwrap_or("");
            fields.push((name, unescape(text)));
        }
        out.push(FormSpec {
            action,
            multipart,
            fields,
        });
    }
    out
}

/// Same-site links of a page under `prefix`.
pub fn links(html: &str, prefix: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(unescape)
        .filter(|href| href.starts_with(prefix))
        .map(|href| href.split('#').next().unwrap_or("").to_string())
        .collect()
}

/// The shape of an address with its ids and query values blanked, so that one form or
/// page per kind is attacked rather than one per record.
fn shape(url: &str) -> String {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let path: Vec<String> = path
        .split('/')
        .map(|p| {
            if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) {
                "N".to_string()
            } else {
                p.to_string()
            }
        })
        .collect();
    let mut keys: Vec<&str> = query
        .split('&')
        .filter_map(|kv| kv.split('=').next())
        .filter(|k| !k.is_empty())
        .collect();
    keys.sort();
    format!("{}?{}", path.join("/"), keys.join("&"))
}

pub struct Crawl {
    pub pages: BTreeMap<String, String>,
    pub forms: Vec<FormSpec>,
}

/// Crawls from `start`, one page per shape, never following `skip`.
pub async fn crawl(b: &Browser, start: &str, prefix: &str, skip: &[&str]) -> Crawl {
    let mut pages = BTreeMap::new();
    let mut shapes = BTreeSet::new();
    let mut form_shapes = BTreeSet::new();
    let mut all_forms = Vec::new();
    let mut queue = VecDeque::from([start.to_string()]);
    while let Some(url) = queue.pop_front() {
        if skip.iter().any(|s| url.contains(s)) || !shapes.insert(shape(&url)) {
            continue;
        }
        let r = b.get(&url).await;
        let status = r.status();
        let is_html = r
            .headers()
            .get("content-type")
            .is_some_and(|v| v.to_str().unwrap_or("").starts_with("text/html"));
        assert!(status.as_u16() < 500, "{url} answered {status}");
        if !is_html || !status.is_success() {
            continue;
        }
        let html = r.text().await.unwrap();
        for form in forms(&html, &url) {
            if form_shapes.insert(shape(&form.action)) {
                all_forms.push(form);
            }
        }
        for link in links(&html, prefix) {
            queue.push_back(link);
        }
        pages.insert(url, html);
    }
    Crawl {
        pages,
        forms: all_forms,
    }
}

fn encode(fields: &[(String, String)]) -> String {
    let mut s = String::new();
    for (k, v) in fields {
        if !s.is_empty() {
            s.push('&');
        }
        s.push_str(&urlencode(k));
        s.push('=');
        s.push_str(&urlencode(v));
    }
    s
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A fault: what was sent, and what came back.
pub type Faults = Vec<String>;

fn check(faults: &mut Faults, what: String, status: StatusCode, body: &str) {
    if status.is_server_error() {
        faults.push(format!("{status} for {what}"));
    }
    for raw in RAW_MARKUP {
        if body.contains(raw) {
            faults.push(format!("unescaped markup in the answer to {what}"));
        }
    }
}

/// Submits `form` once per field and hostile value (and once with each field left out),
/// recording every server error and every unescaped echo.
pub async fn attack_form(b: &Browser, form: &FormSpec, csrf: &str, faults: &mut Faults) {
    let url = format!("{}{}", b.base, form.action);
    let names: Vec<String> = form
        .fields
        .iter()
        .map(|(n, _)| n.clone())
        .filter(|n| n != "_csrf")
        .collect();
    let base: Vec<(String, String)> = form
        .fields
        .iter()
        .map(|(n, v)| {
            if n == "_csrf" {
                (n.clone(), csrf.to_string())
            } else {
                (n.clone(), v.clone())
            }
        })
        .collect();
    let all = hostile_values();
    for (i, name) in names.iter().enumerate() {
        // Every field gets the core values; the rest are shared out between fields, so
        // each value still reaches every form while the run stays short.
        let mut variants: Vec<(String, Vec<(String, String)>)> = all
            .iter()
            .enumerate()
            .filter(|(j, v)| CORE.contains(&v.as_str()) || v.len() > 1000 || (i + j) % 2 == 0)
            .map(|(_, value)| {
                let fields = base
                    .iter()
                    .map(|(n, v)| {
                        if n == name {
                            (n.clone(), value.clone())
                        } else {
                            (n.clone(), v.clone())
                        }
                    })
                    .collect();
                (
                    format!("{name}={:?}", value.chars().take(40).collect::<String>()),
                    fields,
                )
            })
            .collect();
        variants.push((
            format!("{name} left out"),
            base.iter().filter(|(n, _)| n != name).cloned().collect(),
        ));
        let mut twice = base.clone();
        twice.push((name.clone(), "second".into()));
        variants.push((format!("{name} sent twice"), twice));
        for (label, fields) in variants {
            let r = if form.multipart {
                let pairs: Vec<(&str, &str)> = fields
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str()))
                    .collect();
                let (ct, body) = crate::staff_uploads::multipart(
                    &pairs,
                    Some(("hostile.txt", b"plain text".as_slice())),
                );
                b.client
                    .post(&url)
                    .header("content-type", ct)
                    .body(body)
                    .send()
                    .await
            } else {
                b.client
                    .post(&url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(encode(&fields))
                    .send()
                    .await
            };
            let Ok(r) = r else {
                faults.push(format!("no answer to {} with {label}", form.action));
                continue;
            };
            let status = r.status();
            let body = r.text().await.unwrap_or_default();
            check(
                faults,
                format!("POST {} with {label}", form.action),
                status,
                &body,
            );
        }
    }
}

/// Every crawled address with garbage in each query value and in each numeric id.
pub async fn attack_addresses(b: &Browser, urls: &[String], faults: &mut Faults) {
    let ids = [
        "-1",
        "0",
        "9223372036854775807",
        "9223372036854775808",
        "99999999999999999999",
        "abc",
        "1e3",
        "%20%31",
        "%F0%9F%98%80",
        "%FF",
        "..%2F..%2Fetc",
    ];
    let query_values = [
        "",
        "garbage",
        "-1",
        "9223372036854775807",
        "99999999999999999999",
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "%FF%FE",
        "%E2%80%AE",
        "%F0%9F%98%80",
        "a%26b%3Dc",
        "2026-02-30",
    ];
    let extra = [
        "cursor",
        "status",
        "client",
        "client_id",
        "q",
        "page",
        "sort",
        "kind",
        "filter",
        "notice",
        "error",
        "back",
        "limit",
        "actor",
        "portal",
        "show",
        "tab",
        "target",
    ];
    for url in urls {
        let (path, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
        let mut keys: BTreeSet<String> = query
            .split('&')
            .filter_map(|kv| kv.split('=').next())
            .filter(|k| !k.is_empty())
            .map(String::from)
            .collect();
        keys.extend(extra.iter().map(|k| k.to_string()));
        let mut targets = Vec::new();
        for (k, key) in keys.iter().enumerate() {
            for (j, v) in query_values.iter().enumerate() {
                if j < 2 || v.contains("script") || (j + k) % 2 == 0 {
                    targets.push(format!("{path}?{key}={v}"));
                }
            }
            targets.push(format!("{path}?{key}=1&{key}=2"));
        }
        targets.push(format!("{path}?%%%"));
        targets.push(format!("{path}?{}", "a=1&".repeat(2000)));
        let segments: Vec<&str> = path.split('/').collect();
        for (i, seg) in segments.iter().enumerate() {
            if seg.is_empty() || !seg.bytes().all(|c| c.is_ascii_digit()) {
                continue;
            }
            for id in ids {
                let mut s = segments.clone();
                s[i] = id;
                targets.push(s.join("/"));
            }
        }
        for target in targets {
            let r = b.client.get(format!("{}{}", b.base, target)).send().await;
            let Ok(r) = r else {
                faults.push(format!("no answer to GET {target}"));
                continue;
            };
            let status = r.status();
            let body = r.text().await.unwrap_or_default();
            check(faults, format!("GET {target}"), status, &body);
        }
    }
}

async fn staff_browser(app: &TestApp, w: &World) -> Browser {
    crate::support::world::staff_browser(app, w).await
}

fn report(faults: &Faults) {
    assert!(
        faults.is_empty(),
        "{} faults:\n{}",
        faults.len(),
        faults
            .iter()
            .map(|f| f.chars().take(300).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Forms that end the session or the account this test signs in with.
const STAFF_SKIP: [&str; 3] = ["/staff/logout", "/disable", "/download"];

#[tokio::test]
async fn every_staff_form_and_address_survives_hostile_input() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    records::seed(&app, w.ws, w.a, "ACME").await;
    Documents::seed(&app, &w).await;
    let staff = staff_browser(&app, &w).await;
    let crawl = crawl(&staff, "/staff/clients", "/staff/", &STAFF_SKIP).await;
    assert!(crawl.pages.len() >= 20, "crawled {:?}", crawl.pages.keys());
    assert!(crawl.forms.len() >= 20, "found {} forms", crawl.forms.len());
    let csrf = csrf_of(crawl.pages.values().next().unwrap());
    let mut faults = Faults::new();
    let urls: Vec<String> = crawl.pages.keys().cloned().collect();
    attack_addresses(&staff, &urls, &mut faults).await;
    for form in &crawl.forms {
        if STAFF_SKIP.iter().any(|s| form.action.contains(s)) {
            continue;
        }
        attack_form(&staff, form, &csrf, &mut faults).await;
    }
    // Still signed in and the pages still render.
    for url in &urls {
        let r = staff.get(url).await;
        check(
            &mut faults,
            format!("GET {url} afterwards"),
            r.status(),
            &r.text().await.unwrap_or_default(),
        );
    }
    report(&faults);
}

#[tokio::test]
async fn every_portal_form_and_address_survives_hostile_input() {
    let app = TestApp::spawn().await;
    let w = World::seed(&app).await;
    records::seed(&app, w.ws, w.a, "ACME").await;
    Documents::seed(&app, &w).await;
    let ann = Browser::new(&app);
    ann.log_in(&app, &w.a_link(), &w.ann_email).await;
    let crawl = crawl(
        &ann,
        "/portal/home",
        "/portal/",
        &["/portal/logout", "/download", "/pdf"],
    )
    .await;
    assert!(crawl.pages.len() >= 10, "crawled {:?}", crawl.pages.keys());
    let csrf = csrf_of(crawl.pages.values().next().unwrap());
    let mut faults = Faults::new();
    let urls: Vec<String> = crawl.pages.keys().cloned().collect();
    attack_addresses(&ann, &urls, &mut faults).await;
    for form in &crawl.forms {
        if form.action.contains("/logout") {
            continue;
        }
        attack_form(&ann, form, &csrf, &mut faults).await;
    }
    report(&faults);
}

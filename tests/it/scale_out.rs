//! Many instances on one PostgreSQL database: migrations started together run once, and
//! two real `portico serve` processes behind no shared memory act as one service —
//! login codes, sessions, rate limits, portal switches and files cross between them.
//! PostgreSQL only (SQLite is one file on one machine); on SQLite these tests say so.

use std::collections::HashMap;
use std::process::Stdio;
use std::time::{Duration, Instant};

use bytes::Bytes;
use portico::domain::email::EmailAddress;
use portico::files::{storage_key, FileStore};
use portico::ids::FileId;
use portico::store::clients::NewClient;
use portico::store::contacts::NewContact;
use portico::store::documents::{NewInvoice, NewLine};
use portico::store::files::NewFile;
use portico::store::workspaces::NewWorkspace;
use portico::store::Store;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::StatusCode;
use tokio::process::{Child, Command};

use crate::support::db::fresh_database_url;
use crate::support::http::Browser;
use crate::support::moto::Moto;
use crate::support::SmtpSink;

fn on_postgres() -> bool {
    let pg = std::env::var("PORTICO_TEST_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres"));
    if !pg {
        eprintln!("multi-instance tests need PostgreSQL (PORTICO_TEST_DATABASE_URL): skipped");
    }
    pg
}

#[tokio::test]
async fn instances_starting_together_run_each_migration_once() {
    if !on_postgres() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path()).await;

    let (a, b, c) = tokio::join!(
        Store::connect(&url),
        Store::connect(&url),
        Store::connect(&url)
    );

    let (a, b, c) = (a.unwrap(), b.unwrap(), c.unwrap());
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .filter(|e| {
            // Every shared migration and PostgreSQL's own; none of SQLite's.
            e.as_ref().is_ok_and(|e| {
                e.path().extension().is_some_and(|x| x == "sql")
                    && !e.file_name().to_string_lossy().ends_with("_sqlite.sql")
            })
        })
        .count() as i64;
    let (applied, ok): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(SUM(CASE WHEN success THEN 1 ELSE 0 END) AS BIGINT) FROM _sqlx_migrations",
    )
    .fetch_one(a.pool())
    .await
    .unwrap();
    assert_eq!((applied, ok), (files, files));
    for store in [&a, &b, &c] {
        assert!(store.default_workspace().await.unwrap().is_none());
        store.close().await;
    }
}

/// A `portico serve` process, stopped when dropped.
struct Instance {
    base: String,
    _child: Child,
    _dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_instance(shared: &HashMap<&'static str, String>) -> Instance {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = dir.path().join("none.toml");
    std::fs::write(&config, "").unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_portico"))
        .arg("serve")
        .env_clear()
        .envs(shared)
        .env("PORTICO_BIND", format!("127.0.0.1:{port}"))
        .env("PORTICO_DATA_DIR", dir.path())
        .env("PORTICO_CONFIG", &config)
        .env("PORTICO_LOG", "warn")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = reqwest::get(format!("{base}/healthz")).await {
            if r.status() == StatusCode::OK {
                break;
            }
        }
        assert!(
            Instant::now() < deadline,
            "instance on {base} did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Instance {
        base,
        _child: child,
        _dir: dir,
    }
}

/// Two browsers sharing one cookie jar, each speaking to one instance: one person whose
/// requests a load balancer spreads over both.
fn pair(a: &Instance, b: &Instance, headers: HeaderMap) -> (Browser, Browser) {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap();
    (
        Browser {
            client: client.clone(),
            base: a.base.clone(),
        },
        Browser {
            client,
            base: b.base.clone(),
        },
    )
}

struct Seeded {
    key: String,
    client_id: i64,
    file_id: i64,
    token: String,
}

const EMAIL: &str = "ann@acme.test";
const FILE_BYTES: usize = 300_000;

fn file_bytes() -> Vec<u8> {
    (0..FILE_BYTES).map(|i| (i % 253) as u8).collect()
}

async fn seed(store: &Store, files: Option<&FileStore>) -> Seeded {
    let now = jiff::Timestamp::now().as_millisecond();
    let ws = store
        .create_workspace(
            &NewWorkspace {
                slug: "two",
                name: "Two Instances Ltd",
                time_zone: "Asia/Dubai",
                default_currency: "AED",
            },
            now,
        )
        .await
        .unwrap();
    let client = store
        .create_client(
            ws,
            &NewClient {
                kind: "company",
                name: "Acme Facilities",
                phone: "",
                billing_address: "",
                site_address: "",
            },
            now,
        )
        .await
        .unwrap();
    let email = EmailAddress::parse(EMAIL).unwrap();
    store
        .create_contact(
            ws,
            client,
            &NewContact {
                first_name: "Ann",
                last_name: "Tester",
                email: Some(&email),
                phone: "",
                role: "",
                is_primary: true,
            },
            now,
        )
        .await
        .unwrap();
    let key = store
        .set_portal_access(ws, client, true, None, now)
        .await
        .unwrap()
        .portal_access_key
        .unwrap();
    let invoice = store
        .create_invoice(
            ws,
            client,
            &NewInvoice {
                title: "Maintenance",
                status: "sent",
                issue_date: "2026-01-01",
                due_date: "2026-01-31",
                currency: "AED",
                client_notes: "",
                internal_notes: "",
                job_id: None,
                quote_id: None,
                lines: vec![NewLine {
                    product_id: None,
                    description: "Visit",
                    quantity_milli: 1000,
                    unit_price_minor: 10_000,
                    discount_bp: 0,
                    tax_rate_bp: 0,
                }],
            },
            now,
        )
        .await
        .unwrap();
    let file = FileId::new();
    if let Some(files) = files {
        let bytes = file_bytes();
        let skey = storage_key(ws, file);
        files.put(&skey, Bytes::from(bytes.clone())).await.unwrap();
        let sha = {
            use sha2::Digest;
            portico::crypto::hex(&sha2::Sha256::digest(&bytes))
        };
        store
            .create_file(
                ws,
                client,
                &NewFile {
                    id: file,
                    job_id: None,
                    invoice_id: Some(invoice),
                    name: "report.pdf",
                    content_type: "application/pdf",
                    size_bytes: FILE_BYTES as i64,
                    sha256: &sha,
                    storage_key: &skey,
                    uploaded_by: None,
                },
                now,
            )
            .await
            .unwrap();
    }
    let (token, hash, prefix) = portico::domain::api_token::generate();
    store
        .create_api_token(ws, "two instances", &hash, &prefix, None, now)
        .await
        .unwrap();
    Seeded {
        key,
        client_id: client.get(),
        file_id: file.get(),
        token,
    }
}

#[tokio::test]
async fn two_instances_share_codes_sessions_limits_portal_switches_and_files() {
    if !on_postgres() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path()).await;
    let smtp = SmtpSink::start().await;
    let moto = Moto::start().await;
    let mut shared: HashMap<&'static str, String> = HashMap::from([
        ("DATABASE_URL", url.clone()),
        ("PORTICO_SMTP_URL", smtp.url()),
        ("PORTICO_SECRET", "5a".repeat(32)),
        ("PORTICO_PUBLIC_URL", "http://portal.two.test".to_string()),
        ("PORTICO_TRUSTED_PROXIES", "127.0.0.1".to_string()),
        (
            "PORTICO_STRIPE_API_BASE",
            crate::support::UNREACHABLE.into(),
        ),
        ("PORTICO_TELR_API_BASE", crate::support::UNREACHABLE.into()),
    ]);
    let files = match &moto {
        Some(moto) => {
            moto.bucket("two").await;
            shared.extend(moto.env("two", "files"));
            Some(FileStore::new(
                moto.settings("two", "files").build().unwrap(),
            ))
        }
        None => None,
    };
    let store = Store::connect(&url).await.unwrap();
    let seeded = seed(&store, files.as_ref()).await;
    let (a, b) = tokio::join!(start_instance(&shared), start_instance(&shared));

    // A code asked for on A verifies on B; the session made there works on A too.
    let (on_a, on_b) = pair(&a, &b, HeaderMap::new());
    let login = format!("/portal/{}", seeded.key);
    assert_eq!(
        on_a.request_code(&login, EMAIL).await.status(),
        StatusCode::SEE_OTHER
    );
    let code = smtp.wait_for(EMAIL, 1).await.code().unwrap();
    let r = on_b.submit_code(&code).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/portal/home");
    for browser in [&on_a, &on_b] {
        let (status, page) = browser.get_text("/portal/home").await;
        assert_eq!(status, StatusCode::OK, "{}", browser.base);
        assert!(page.contains("Ann"), "{}", browser.base);
    }

    // A file put in the shared store downloads whole from one and in part from the other.
    if files.is_some() {
        let path = format!("/portal/files/{}/download", seeded.file_id);
        let whole = on_a.get(&path).await;
        assert_eq!(whole.status(), StatusCode::OK);
        assert_eq!(
            whole.bytes().await.unwrap().as_ref(),
            file_bytes().as_slice()
        );
        let part = on_b
            .client
            .get(format!("{}{path}", on_b.base))
            .header("Range", "bytes=1000-1999")
            .send()
            .await
            .unwrap();
        assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(
            part.bytes().await.unwrap().as_ref(),
            &file_bytes()[1000..2000]
        );
    } else {
        eprintln!("moto_server not installed: the shared file store part was skipped");
    }

    // Rate limits count across both: 30 code requests an hour from one address, spread
    // over the two instances; the 31st is refused wherever it lands.
    let mut xff = HeaderMap::new();
    xff.insert("x-forwarded-for", HeaderValue::from_static("203.0.113.9"));
    let (limited_a, limited_b) = pair(&a, &b, xff);
    for i in 0..31 {
        let browser = if i % 2 == 0 { &limited_a } else { &limited_b };
        let r = browser
            .request_code("/portal", &format!("nobody{i}@example.test"))
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let (accepted, refused): (i64, i64) = sqlx::query_as(
        "SELECT CAST(SUM(accepted) AS BIGINT), CAST(SUM(1 - accepted) AS BIGINT) FROM login_code WHERE ip = '203.0.113.9'",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    let (windows, hits): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(SUM(hits) AS BIGINT) FROM rate_limit WHERE bucket = 'code-ip:203.0.113.9'",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(
        hits, 31,
        "every request counted once, whichever instance took it"
    );
    if windows == 1 {
        assert_eq!((accepted, refused), (30, 1));
    } else {
        // The hour's window turned over mid-test: the limit restarted, as it should.
        eprintln!("the rate-limit window turned over during the test");
    }

    // The portal switched off through A's API locks the client out of both at once.
    let r = reqwest::Client::new()
        .put(format!(
            "{}/api/v1/clients/{}/portal",
            a.base, seeded.client_id
        ))
        .bearer_auth(&seeded.token)
        .json(&serde_json::json!({ "enabled": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    for browser in [&on_b, &on_a] {
        let r = browser.get("/portal/home").await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", browser.base);
        assert_eq!(r.headers()["location"], "/portal");
    }
    store.close().await;
}

//! Configuration from the environment, optionally seeded by a TOML file
//! (`PORTICO_CONFIG`, or `portico.toml` in the working directory when present).
//! Environment variables win over the file. Every bad value is refused at start with a
//! message that names the variable.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretBox, SecretString};
use url::Url;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{var}: {problem}")]
    Invalid { var: &'static str, problem: String },
    #[error("{path}: {problem}")]
    File { path: String, problem: String },
}

fn invalid(var: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        var,
        problem: problem.into(),
    }
}

/// The server's own secret: keys the HMACs of login codes and CSRF tokens.
pub struct ServerSecret(SecretBox<Vec<u8>>);

impl ServerSecret {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(SecretBox::new(Box::new(bytes)))
    }

    pub fn bytes(&self) -> &[u8] {
        self.0.expose_secret()
    }
}

impl fmt::Debug for ServerSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ServerSecret(<hidden>)")
    }
}

#[derive(Debug)]
pub struct Config {
    pub bind: SocketAddr,
    pub public_url: Url,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub smtp_url: Option<SecretString>,
    pub mail_from: String,
    pub secret: ServerSecret,
    /// Reverse proxies whose `X-Forwarded-For` is believed (their own addresses).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Bearer token for `/metrics`; without one, only loopback callers may read it.
    pub metrics_token: Option<SecretString>,
    /// Stripe's API (`PORTICO_STRIPE_API_BASE`); tests point it at a local stand-in.
    pub stripe_api_base: Url,
    /// Telr's gateway (`PORTICO_TELR_API_BASE`); orders go to `<base>/gateway/order.json`.
    pub telr_api_base: Url,
    /// Staff sessions end after this long unused (`PORTICO_STAFF_IDLE_MINUTES`) or this
    /// long after sign-in (`PORTICO_STAFF_SESSION_MINUTES`).
    pub staff_session: crate::domain::staff::SessionLimits,
    /// Largest attached file staff may upload (`PORTICO_MAX_UPLOAD_MIB`, default 50).
    pub max_upload_bytes: u64,
    /// Where attached files live when not in `<data dir>/files`: an S3-compatible store
    /// (`PORTICO_FILES_URL` and the `PORTICO_S3_*` variables).
    pub files_s3: Option<crate::files::s3::S3Settings>,
}

impl Config {
    /// Whether cookies must be `Secure` and `__Host-` prefixed.
    pub fn is_https(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// `public_url` joined with an absolute path, never with anything from a request.
    pub fn url(&self, path: &str) -> String {
        let base = self.public_url.as_str().trim_end_matches('/');
        format!("{base}{path}")
    }

    pub fn from_env() -> Result<Self, ConfigError> {
        let vars: HashMap<String, String> = std::env::vars().collect();
        Self::from_map(&vars)
    }

    /// Builds the configuration from a map of variables (the environment in production,
    /// a literal map in tests).
    pub fn from_map(env: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let file = load_file(env)?;
        let get = |var: &'static str, key: &str| -> Option<String> {
            env.get(var)
                .cloned()
                .or_else(|| file.get(key).cloned())
                .filter(|v| !v.trim().is_empty())
        };

        let bind_raw = get("PORTICO_BIND", "bind").unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind: SocketAddr = bind_raw.trim().parse().map_err(|_| {
            invalid(
                "PORTICO_BIND",
                format!("'{bind_raw}' is not an address like 127.0.0.1:8080"),
            )
        })?;

        let public_raw =
            get("PORTICO_PUBLIC_URL", "public_url").unwrap_or_else(|| format!("http://{bind}"));
        let public_url = Url::parse(public_raw.trim()).map_err(|e| {
            invalid(
                "PORTICO_PUBLIC_URL",
                format!("'{public_raw}' is not a URL ({e})"),
            )
        })?;
        if !matches!(public_url.scheme(), "http" | "https") || public_url.host_str().is_none() {
            return Err(invalid(
                "PORTICO_PUBLIC_URL",
                "must be an http:// or https:// URL with a host",
            ));
        }
        if public_url.query().is_some() || public_url.fragment().is_some() {
            return Err(invalid(
                "PORTICO_PUBLIC_URL",
                "must not carry a query or fragment",
            ));
        }

        let data_dir = PathBuf::from(
            get("PORTICO_DATA_DIR", "data_dir").unwrap_or_else(|| "./portico-data".into()),
        );
        std::fs::create_dir_all(&data_dir).map_err(|e| {
            invalid(
                "PORTICO_DATA_DIR",
                format!("cannot create {}: {e}", data_dir.display()),
            )
        })?;

        let database_url = match get("DATABASE_URL", "database_url") {
            Some(url) => {
                let url = url.trim().to_string();
                if !(url.starts_with("postgres://")
                    || url.starts_with("postgresql://")
                    || url.starts_with("sqlite:"))
                {
                    return Err(invalid(
                        "DATABASE_URL",
                        "must start with postgres://, postgresql:// or sqlite:",
                    ));
                }
                url
            }
            None => format!(
                "sqlite://{}?mode=rwc",
                data_dir.join("portico.db").display()
            ),
        };

        let smtp_url = match get("PORTICO_SMTP_URL", "smtp_url") {
            Some(raw) => {
                let parsed = Url::parse(raw.trim()).map_err(|_| {
                    invalid(
                        "PORTICO_SMTP_URL",
                        "is not a URL like smtps://user:pass@host:465",
                    )
                })?;
                if !matches!(parsed.scheme(), "smtp" | "smtps") || parsed.host_str().is_none() {
                    return Err(invalid(
                        "PORTICO_SMTP_URL",
                        "must be smtp://… or smtps://… with a host",
                    ));
                }
                Some(SecretString::from(raw.trim().to_string()))
            }
            None => None,
        };

        let mail_from = get("PORTICO_MAIL_FROM", "mail_from").unwrap_or_else(|| {
            format!(
                "Portico <no-reply@{}>",
                public_url.host_str().unwrap_or("localhost")
            )
        });
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(invalid(
                "PORTICO_MAIL_FROM",
                format!("'{mail_from}' is not a mailbox like Name <a@b.c>"),
            ));
        }

        let secret = match get("PORTICO_SECRET", "secret") {
            Some(raw) => parse_secret(&raw).ok_or_else(|| {
                invalid(
                    "PORTICO_SECRET",
                    "must be at least 64 hexadecimal characters (32 bytes)",
                )
            })?,
            None => load_or_create_secret(&data_dir)?,
        };

        let trusted_proxies = match get("PORTICO_TRUSTED_PROXIES", "trusted_proxies") {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse().map_err(|_| {
                        invalid(
                            "PORTICO_TRUSTED_PROXIES",
                            format!("'{s}' is not an IP address"),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
        };

        let stripe_api_base = provider_base(
            "PORTICO_STRIPE_API_BASE",
            get("PORTICO_STRIPE_API_BASE", "stripe_api_base"),
            "https://api.stripe.com",
        )?;
        let telr_api_base = provider_base(
            "PORTICO_TELR_API_BASE",
            get("PORTICO_TELR_API_BASE", "telr_api_base"),
            "https://secure.telr.com",
        )?;

        let staff_session = staff_session_limits(&get)?;

        let upload_raw =
            get("PORTICO_MAX_UPLOAD_MIB", "max_upload_mib").unwrap_or_else(|| "50".into());
        let max_upload_bytes = upload_raw
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|mib| (1..=10_240).contains(mib))
            .map(|mib| mib * 1024 * 1024)
            .ok_or_else(|| {
                invalid(
                    "PORTICO_MAX_UPLOAD_MIB",
                    format!("'{upload_raw}' is not a whole number of MiB from 1 to 10240"),
                )
            })?;

        let files_s3 = match get("PORTICO_FILES_URL", "files_url") {
            None => None,
            Some(url) => Some(
                crate::files::s3::S3Settings::parse(&url, |var| {
                    let key = var.trim_start_matches("PORTICO_").to_ascii_lowercase();
                    get(var, &key).map(|v| v.trim().to_string())
                })
                .map_err(|(var, problem)| invalid(var, problem))?,
            ),
        };

        Ok(Self {
            max_upload_bytes,
            staff_session,
            files_s3,
            stripe_api_base,
            telr_api_base,
            bind,
            public_url,
            data_dir,
            database_url,
            smtp_url,
            mail_from,
            secret: ServerSecret::new(secret),
            trusted_proxies,
            metrics_token: get("PORTICO_METRICS_TOKEN", "metrics_token")
                .map(|t| SecretString::from(t.trim().to_string())),
        })
    }
}

/// Staff session limits: idle 5 minutes to 1 day (default 60), absolute up to 7 days
/// (default 12 hours) and never shorter than the idle limit.
fn staff_session_limits(
    get: &dyn Fn(&'static str, &str) -> Option<String>,
) -> Result<crate::domain::staff::SessionLimits, ConfigError> {
    let read =
        |var: &'static str, key: &str, default: i64, (lo, hi): (i64, i64)| match get(var, key) {
            None => Ok(default),
            Some(raw) => match raw.trim().parse::<i64>() {
                Ok(n) if (lo..=hi).contains(&n) => Ok(n),
                _ => Err(invalid(
                    var,
                    format!("must be a whole number of minutes from {lo} to {hi}"),
                )),
            },
        };
    let idle_minutes = read(
        "PORTICO_STAFF_IDLE_MINUTES",
        "staff_idle_minutes",
        crate::auth::staff_login::IDLE_MINUTES,
        (5, 24 * 60),
    )?;
    let absolute_minutes = read(
        "PORTICO_STAFF_SESSION_MINUTES",
        "staff_session_minutes",
        crate::auth::staff_login::ABSOLUTE_MINUTES,
        (15, 7 * 24 * 60),
    )?;
    if absolute_minutes < idle_minutes {
        return Err(invalid(
            "PORTICO_STAFF_SESSION_MINUTES",
            "cannot be shorter than PORTICO_STAFF_IDLE_MINUTES",
        ));
    }
    Ok(crate::domain::staff::SessionLimits {
        idle_minutes,
        absolute_minutes,
    })
}

/// A payment provider's base URL: http(s), a host, no query; kept without a trailing `/`.
fn provider_base(
    var: &'static str,
    raw: Option<String>,
    default: &str,
) -> Result<Url, ConfigError> {
    let raw = raw.unwrap_or_else(|| default.to_string());
    let url =
        Url::parse(raw.trim()).map_err(|e| invalid(var, format!("'{raw}' is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https")
        || url.host_str().is_none()
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(invalid(
            var,
            "must be an http:// or https:// URL with a host and no query",
        ));
    }
    Ok(url)
}

impl Config {
    /// `stripe_api_base` joined with an API path such as `/v1/balance`.
    pub fn stripe_url(&self, path: &str) -> String {
        format!(
            "{}{path}",
            self.stripe_api_base.as_str().trim_end_matches('/')
        )
    }

    /// Telr's order endpoint (create and check).
    pub fn telr_order_url(&self) -> String {
        format!(
            "{}/gateway/order.json",
            self.telr_api_base.as_str().trim_end_matches('/')
        )
    }
}

fn load_file(env: &HashMap<String, String>) -> Result<HashMap<String, String>, ConfigError> {
    let (path, required) = match env.get("PORTICO_CONFIG") {
        Some(p) => (PathBuf::from(p), true),
        None => (PathBuf::from("portico.toml"), false),
    };
    if !path.exists() {
        if required {
            return Err(invalid(
                "PORTICO_CONFIG",
                format!("{} does not exist", path.display()),
            ));
        }
        return Ok(HashMap::new());
    }
    let text = std::fs::read_to_string(&path).map_err(|e| ConfigError::File {
        path: path.display().to_string(),
        problem: e.to_string(),
    })?;
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| ConfigError::File {
            path: path.display().to_string(),
            problem: e.message().to_string(),
        })?;
    let mut out = HashMap::new();
    for (key, value) in table {
        let text = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            other => {
                return Err(ConfigError::File {
                    path: path.display().to_string(),
                    problem: format!("{key} must be a string, not {}", other.type_str()),
                })
            }
        };
        out.insert(key, text);
    }
    Ok(out)
}

fn parse_secret(raw: &str) -> Option<Vec<u8>> {
    let raw = raw.trim();
    if raw.len() < 64 || raw.len() % 2 != 0 {
        return None;
    }
    (0..raw.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(raw.get(i..i + 2)?, 16).ok())
        .collect()
}

fn load_or_create_secret(dir: &Path) -> Result<Vec<u8>, ConfigError> {
    let path = dir.join("secret.key");
    if path.exists() {
        let text = std::fs::read_to_string(&path).map_err(|e| {
            invalid(
                "PORTICO_DATA_DIR",
                format!("cannot read {}: {e}", path.display()),
            )
        })?;
        return parse_secret(&text).ok_or_else(|| {
            invalid(
                "PORTICO_DATA_DIR",
                format!(
                    "{} is not a valid secret (64+ hex characters)",
                    path.display()
                ),
            )
        });
    }
    let mut bytes = vec![0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    write_private(&path, &crate::crypto::hex(&bytes)).map_err(|e| {
        invalid(
            "PORTICO_DATA_DIR",
            format!("cannot write {}: {e}", path.display()),
        )
    })?;
    Ok(bytes)
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)], dir: &Path) -> HashMap<String, String> {
        let mut m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        m.insert("PORTICO_DATA_DIR".into(), dir.display().to_string());
        m
    }

    #[test]
    fn defaults_use_sqlite_in_the_data_dir_and_create_a_secret() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = Config::from_map(&env(&[], dir.path())).unwrap();
        assert_eq!(cfg.bind.to_string(), "127.0.0.1:8080");
        assert!(cfg.database_url.starts_with("sqlite://"));
        assert!(cfg.smtp_url.is_none());
        assert_eq!(cfg.secret.bytes().len(), 32);
        let again = Config::from_map(&env(&[], dir.path())).unwrap();
        assert_eq!(
            again.secret.bytes(),
            cfg.secret.bytes(),
            "the secret persists"
        );
    }

    #[test]
    fn bad_values_name_their_variable() {
        let dir = tempfile::tempdir().unwrap();
        for (var, value) in [
            ("PORTICO_BIND", "not-an-address"),
            ("PORTICO_PUBLIC_URL", "ftp://x"),
            ("DATABASE_URL", "mysql://x"),
            ("PORTICO_SMTP_URL", "http://mail"),
            ("PORTICO_SECRET", "short"),
            ("PORTICO_MAIL_FROM", "not a mailbox"),
            ("PORTICO_TRUSTED_PROXIES", "10.0.0.1, proxy.local"),
            ("PORTICO_STRIPE_API_BASE", "ftp://stripe"),
            ("PORTICO_TELR_API_BASE", "https://telr.test/?x=1"),
            ("PORTICO_STAFF_IDLE_MINUTES", "0"),
            ("PORTICO_STAFF_SESSION_MINUTES", "a day"),
        ] {
            let err = Config::from_map(&env(&[(var, value)], dir.path()))
                .unwrap_err()
                .to_string();
            assert!(err.starts_with(var), "{err} should name {var}");
        }
    }

    #[test]
    fn debug_output_hides_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = Config::from_map(&env(
            &[("PORTICO_SMTP_URL", "smtp://u:hunter2@mail:25")],
            dir.path(),
        ))
        .unwrap();
        let shown = format!("{cfg:?}");
        assert!(!shown.contains("hunter2"));
        assert!(!shown.contains(&crate::crypto::hex(cfg.secret.bytes())));
    }
}

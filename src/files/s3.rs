//! Files in an S3-compatible object store (AWS S3, MinIO, Ceph, moto, …), for
//! deployments where several instances share one store.
//!
//! Chosen by `PORTICO_FILES_URL=s3://bucket[/prefix]`; the other variables say where the
//! store is and how to sign in:
//!
//! | variable | meaning |
//! | --- | --- |
//! | `PORTICO_S3_ENDPOINT` | the store's URL (`http://minio:9000`); AWS when unset |
//! | `PORTICO_S3_REGION` | the bucket's region, `us-east-1` when unset |
//! | `PORTICO_S3_ACCESS_KEY_ID` | the access key; with no key, the AWS credential chain |
//! | `PORTICO_S3_SECRET_ACCESS_KEY` | its secret (never logged) |

use std::fmt;
use std::sync::Arc;

use object_store::aws::AmazonS3Builder;
use object_store::prefix::PrefixStore;
use object_store::ObjectStore;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::FileResult;

/// Where an S3-compatible store is and how to reach it.
#[derive(Clone)]
pub struct S3Settings {
    pub bucket: String,
    /// Objects are kept under this folder of the bucket (empty: the bucket's root).
    pub prefix: String,
    pub endpoint: Option<Url>,
    pub region: String,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<SecretString>,
}

impl fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Settings")
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field("endpoint", &self.endpoint.as_ref().map(Url::as_str))
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<hidden>")
            .finish()
    }
}

/// A problem with the S3 variables: the variable's name and what is wrong.
pub type SettingsError = (&'static str, String);

impl S3Settings {
    /// Reads the settings; `get` answers a variable's value (trimmed, never empty).
    /// `files_url` is the value of `PORTICO_FILES_URL`.
    pub fn parse(
        files_url: &str,
        get: impl Fn(&'static str) -> Option<String>,
    ) -> Result<Self, SettingsError> {
        let url = Url::parse(files_url.trim()).map_err(|_| {
            (
                "PORTICO_FILES_URL",
                format!("'{files_url}' is not a URL like s3://bucket"),
            )
        })?;
        if url.scheme() != "s3" {
            return Err((
                "PORTICO_FILES_URL",
                "only s3://bucket[/prefix] is understood (leave it unset for the local folder)"
                    .to_string(),
            ));
        }
        let bucket = url.host_str().unwrap_or_default().to_string();
        if bucket.is_empty() || url.query().is_some() || url.fragment().is_some() {
            return Err((
                "PORTICO_FILES_URL",
                "must name a bucket, as s3://bucket or s3://bucket/prefix, with no query".into(),
            ));
        }
        // Checked on the text as given: URL parsing would quietly resolve `..`.
        let prefix = url.path().trim_matches('/').to_string();
        if files_url.split('/').any(|s| s == "." || s == "..") {
            return Err((
                "PORTICO_FILES_URL",
                "the prefix cannot contain . or .. segments".into(),
            ));
        }
        let endpoint = match get("PORTICO_S3_ENDPOINT") {
            None => None,
            Some(raw) => {
                let e = Url::parse(&raw).map_err(|_| {
                    (
                        "PORTICO_S3_ENDPOINT",
                        format!("'{raw}' is not a URL like http://minio:9000"),
                    )
                })?;
                if !matches!(e.scheme(), "http" | "https") || e.host_str().is_none() {
                    return Err((
                        "PORTICO_S3_ENDPOINT",
                        "must be an http:// or https:// URL with a host".into(),
                    ));
                }
                Some(e)
            }
        };
        let access_key_id = get("PORTICO_S3_ACCESS_KEY_ID");
        let secret_access_key = get("PORTICO_S3_SECRET_ACCESS_KEY").map(SecretString::from);
        if access_key_id.is_some() != secret_access_key.is_some() {
            return Err((
                "PORTICO_S3_SECRET_ACCESS_KEY",
                "PORTICO_S3_ACCESS_KEY_ID and PORTICO_S3_SECRET_ACCESS_KEY go together".into(),
            ));
        }
        Ok(Self {
            bucket,
            prefix,
            endpoint,
            region: get("PORTICO_S3_REGION").unwrap_or_else(|| "us-east-1".into()),
            access_key_id,
            secret_access_key,
        })
    }

    /// The object store these settings describe (no request is made yet).
    pub fn build(&self) -> FileResult<Arc<dyn ObjectStore>> {
        let mut builder = AmazonS3Builder::from_env()
            .with_bucket_name(&self.bucket)
            .with_region(&self.region);
        if let Some(endpoint) = &self.endpoint {
            // A self-hosted store: path-style requests (`endpoint/bucket/key`), which every
            // S3-compatible server understands, and plain HTTP when the URL says so.
            builder = builder
                .with_endpoint(endpoint.as_str().trim_end_matches('/'))
                .with_virtual_hosted_style_request(false)
                .with_allow_http(endpoint.scheme() == "http");
        }
        if let (Some(id), Some(secret)) = (&self.access_key_id, &self.secret_access_key) {
            builder = builder
                .with_access_key_id(id)
                .with_secret_access_key(secret.expose_secret());
        }
        let s3 = builder.build()?;
        Ok(if self.prefix.is_empty() {
            Arc::new(s3)
        } else {
            Arc::new(PrefixStore::new(s3, self.prefix.as_str()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(url: &str, vars: &[(&'static str, &str)]) -> Result<S3Settings, SettingsError> {
        let map: HashMap<&'static str, String> =
            vars.iter().map(|(k, v)| (*k, v.to_string())).collect();
        S3Settings::parse(url, |k| map.get(k).cloned())
    }

    #[test]
    fn a_bucket_url_with_an_endpoint_and_keys_is_read() {
        let s = parse(
            "s3://portico-files/prod/eu",
            &[
                ("PORTICO_S3_ENDPOINT", "http://127.0.0.1:9000"),
                ("PORTICO_S3_ACCESS_KEY_ID", "AKIDEXAMPLE"),
                ("PORTICO_S3_SECRET_ACCESS_KEY", "very-secret-key"),
            ],
        )
        .unwrap();
        assert_eq!(s.bucket, "portico-files");
        assert_eq!(s.prefix, "prod/eu");
        assert_eq!(s.region, "us-east-1");
        assert_eq!(
            s.endpoint.as_ref().map(Url::as_str),
            Some("http://127.0.0.1:9000/")
        );
        assert!(s.build().is_ok());
        assert!(
            !format!("{s:?}").contains("very-secret-key"),
            "Debug hides the secret"
        );
    }

    #[test]
    fn bad_settings_name_their_variable() {
        for (url, vars, var) in [
            ("minio://bucket", vec![], "PORTICO_FILES_URL"),
            ("s3://", vec![], "PORTICO_FILES_URL"),
            ("s3://b/../x", vec![], "PORTICO_FILES_URL"),
            ("s3://b?x=1", vec![], "PORTICO_FILES_URL"),
            (
                "s3://b",
                vec![("PORTICO_S3_ENDPOINT", "ftp://x")],
                "PORTICO_S3_ENDPOINT",
            ),
            (
                "s3://b",
                vec![("PORTICO_S3_ACCESS_KEY_ID", "AKID")],
                "PORTICO_S3_SECRET_ACCESS_KEY",
            ),
        ] {
            let err = parse(url, &vars).unwrap_err();
            assert_eq!(err.0, var, "{url} {vars:?}: {}", err.1);
        }
    }
}

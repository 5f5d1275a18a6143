//! Where attached files' bytes live. [`FileStore`] wraps any
//! [`object_store::ObjectStore`]: a local folder (`<data dir>/files`) by default, and
//! the S3-compatible store of multi-instance deployments implements the same trait.
//!
//! Objects are named by [`storage_key`] from ids only (`ws/<workspace>/<file>`); the
//! name a person gave the file is kept in the database and never reaches a path.
//! Reads are streams of chunks, so a download never holds the whole file in memory.

pub mod chunks;
pub mod http;
pub mod s3;
pub mod upload;

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream::{BoxStream, StreamExt, TryStreamExt};
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{GetOptions, GetRange, GetResultPayload, ObjectStore, PutPayload};

use crate::ids::{FileId, WorkspaceId};

#[derive(Debug, thiserror::Error)]
pub enum FileStoreError {
    #[error("no stored object {0}")]
    NotFound(String),
    #[error("not a storage key: {0:?}")]
    BadKey(String),
    #[error("file store: {0}")]
    Store(#[source] object_store::Error),
    #[error("reading a stored file: {0}")]
    Read(#[source] std::io::Error),
    #[error("file store folder {path}: {source}")]
    Folder {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl From<object_store::Error> for FileStoreError {
    fn from(e: object_store::Error) -> Self {
        match e {
            object_store::Error::NotFound { path, .. } => FileStoreError::NotFound(path),
            other => FileStoreError::Store(other),
        }
    }
}

pub type FileResult<T> = Result<T, FileStoreError>;

/// A stream of a stored file's bytes, in the store's own chunk size.
pub type ByteStream = BoxStream<'static, FileResult<Bytes>>;

/// The object name of a file: generated from ids, never from the user's file name.
pub fn storage_key(ws: WorkspaceId, file: FileId) -> String {
    format!("ws/{ws}/{file}")
}

#[derive(Clone)]
pub struct FileStore {
    inner: Arc<dyn ObjectStore>,
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileStore({})", self.inner)
    }
}

impl FileStore {
    /// Any object store (an S3-compatible one, an in-memory one in tests).
    pub fn new(inner: Arc<dyn ObjectStore>) -> Self {
        Self { inner }
    }

    /// Files under `dir`, which is created when missing.
    pub fn local(dir: &Path) -> FileResult<Self> {
        std::fs::create_dir_all(dir).map_err(|source| FileStoreError::Folder {
            path: dir.display().to_string(),
            source,
        })?;
        let fs = LocalFileSystem::new_with_prefix(dir)?;
        Ok(Self::new(Arc::new(fs)))
    }

    /// The store the configuration names: the S3-compatible one of `PORTICO_FILES_URL`,
    /// or else the folder `<data dir>/files`.
    pub fn from_config(config: &crate::config::Config) -> FileResult<Self> {
        match &config.files_s3 {
            Some(s3) => Ok(Self::new(s3.build()?)),
            None => Self::local(&config.data_dir.join("files")),
        }
    }

    /// Removes the object under `key`; removing one that is not there is not an error.
    pub async fn remove(&self, key: &str) -> FileResult<()> {
        match self.inner.delete(&object_path(key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Stores `bytes` under `key`, replacing what was there (seeding and, later, uploads).
    pub async fn put(&self, key: &str, bytes: Bytes) -> FileResult<()> {
        self.inner
            .put(&object_path(key)?, PutPayload::from_bytes(bytes))
            .await?;
        Ok(())
    }

    /// The stored object's length in bytes.
    pub async fn size(&self, key: &str) -> FileResult<u64> {
        Ok(self.inner.head(&object_path(key)?).await?.size)
    }

    /// The object's bytes, or only `range` of them (end exclusive, inside the object),
    /// as a stream read chunk by chunk.
    pub async fn open(&self, key: &str, range: Option<Range<u64>>) -> FileResult<ByteStream> {
        let options = GetOptions {
            range: range.map(GetRange::Bounded),
            ..GetOptions::default()
        };
        let got = self.inner.get_opts(&object_path(key)?, options).await?;
        let range = got.range.clone();
        match got.payload {
            GetResultPayload::File(file, _) => Ok(chunks::local_chunks(file, range)),
            GetResultPayload::Stream(stream) => Ok(stream.map_err(FileStoreError::from).boxed()),
        }
    }
}

/// A key as the store names it. Keys are built by [`storage_key`]; anything with empty,
/// `.` or `..` segments is refused rather than normalised.
fn object_path(key: &str) -> FileResult<ObjectPath> {
    let bad = key.is_empty()
        || key
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == ".." || s.contains('\\'));
    if bad {
        return Err(FileStoreError::BadKey(key.to_string()));
    }
    ObjectPath::parse(key).map_err(|_| FileStoreError::BadKey(key.to_string()))
}

#[cfg(test)]
mod tests {
    use super::chunks::LOCAL_CHUNK_BYTES;
    use super::*;

    async fn collect(stream: ByteStream) -> Vec<u8> {
        stream
            .try_fold(Vec::new(), |mut acc, chunk| async move {
                acc.extend_from_slice(&chunk);
                Ok(acc)
            })
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_local_store_keeps_bytes_under_generated_keys_and_reads_ranges() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("files");
        let store = FileStore::local(&root).unwrap();
        let key = storage_key(WorkspaceId::from_db(7), FileId::from_db(42));
        assert_eq!(key, "ws/7/42");
        let data: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
        store.put(&key, Bytes::from(data.clone())).await.unwrap();

        assert!(
            root.join("ws/7/42").is_file(),
            "stored under the key, inside the folder"
        );
        assert_eq!(store.size(&key).await.unwrap(), 50_000);
        assert_eq!(collect(store.open(&key, None).await.unwrap()).await, data);
        assert_eq!(
            collect(store.open(&key, Some(100..20_000)).await.unwrap()).await,
            &data[100..20_000]
        );
        assert!(matches!(
            store.size("ws/7/43").await,
            Err(FileStoreError::NotFound(_))
        ));
    }

    #[tokio::test]
    async fn local_reads_come_in_bounded_chunks_and_cover_ranges_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::local(dir.path()).unwrap();
        let len = 3 * LOCAL_CHUNK_BYTES + 123;
        let data: Vec<u8> = (0..len).map(|i| (i % 241) as u8).collect();
        store
            .put("ws/1/1", Bytes::from(data.clone()))
            .await
            .unwrap();

        let chunks: Vec<Bytes> = store
            .open("ws/1/1", None)
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();

        assert_eq!(chunks.len(), 4);
        assert!(chunks.iter().all(|c| c.len() as u64 <= LOCAL_CHUNK_BYTES));
        assert_eq!(chunks.concat(), data);
        let (a, b) = (LOCAL_CHUNK_BYTES - 5, 2 * LOCAL_CHUNK_BYTES + 7);
        assert_eq!(
            collect(store.open("ws/1/1", Some(a..b)).await.unwrap()).await,
            &data[a as usize..b as usize]
        );
    }

    #[tokio::test]
    async fn keys_that_could_leave_the_folder_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::local(dir.path()).unwrap();
        for key in [
            "",
            "../x",
            "ws/../../etc/passwd",
            "/etc/passwd",
            "ws//1",
            "ws/./1",
            "a\\..\\b",
        ] {
            assert!(
                matches!(store.size(key).await, Err(FileStoreError::BadKey(_))),
                "{key:?}"
            );
        }
    }
}

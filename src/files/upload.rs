//! Writing a file's bytes as they arrive: parts of [`PART_BYTES`] go to the object store
//! while the upload is still coming in, so an upload is never held whole in memory (at
//! most a couple of parts are). An upload that is refused half-way is aborted and leaves
//! nothing behind.

use axum::extract::multipart::Field;
use object_store::WriteMultipart;
use sha2::{Digest, Sha256};

use super::{object_path, storage_key, FileResult, FileStore, FileStoreError};
use crate::app::AppState;
use crate::domain::upload::{check_contents, SNIFF_LEN};
use crate::ids::{ClientId, FileId, StaffUserId, WorkspaceId};
use crate::store::files::NewFile;
use crate::store::staff_files::FileTarget;
use crate::store::StoreError;

/// Size of one part sent to the store (S3-compatible stores need at least 5 MiB for
/// every part but the last).
pub const PART_BYTES: usize = 5 * 1024 * 1024;
/// Parts in flight at once before writing waits for the store.
const PARTS_IN_FLIGHT: usize = 2;

/// An object being written; [`UploadWriter::finish`] makes it visible under its key,
/// [`UploadWriter::abort`] (or dropping it) discards it.
pub struct UploadWriter {
    inner: WriteMultipart,
}

impl FileStore {
    /// Starts writing a new object under `key`.
    pub async fn writer(&self, key: &str) -> FileResult<UploadWriter> {
        let upload = self.inner.put_multipart(&object_path(key)?).await?;
        Ok(UploadWriter {
            inner: WriteMultipart::new_with_chunk_size(upload, PART_BYTES),
        })
    }

    /// Deletes the object under `key` (a removed file's bytes); a missing object is fine.
    pub async fn delete(&self, key: &str) -> FileResult<()> {
        match self.inner.delete(&object_path(key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

impl UploadWriter {
    /// Adds bytes, waiting first while the store is still taking earlier parts.
    pub async fn write(&mut self, bytes: &[u8]) -> FileResult<()> {
        self.inner.wait_for_capacity(PARTS_IN_FLIGHT).await?;
        self.inner.write(bytes);
        Ok(())
    }

    pub async fn finish(self) -> FileResult<()> {
        self.inner.finish().await?;
        Ok(())
    }

    /// Discards what was written; errors are only logged (nothing was made visible).
    pub async fn abort(self) {
        if let Err(e) = self.inner.abort().await {
            tracing::warn!(error = %e, "discarding a refused upload failed");
        }
    }
}

/// A received file's object, not yet recorded.
pub struct StoredFile {
    pub id: FileId,
    pub key: String,
    pub size: u64,
    pub sha256: String,
    pub content_type: &'static str,
}

/// How receiving an upload ended. Only `Stored` leaves an object behind.
pub enum Received {
    Stored(StoredFile),
    /// Over the limit (in bytes); what was written is discarded.
    TooLarge,
    /// Not what its name says; what was written is discarded.
    Mismatch(String),
}

/// Why an upload could not be received at all.
#[derive(Debug, thiserror::Error)]
pub enum ReceiveError {
    /// The request body broke off or is not valid multipart.
    #[error("the upload could not be read: {0}")]
    Unreadable(String),
    #[error(transparent)]
    Store(#[from] FileStoreError),
}

/// Streams a multipart file field named `name` into a new object of `ws`, part by part,
/// counting its size against `limit`, computing its SHA-256 and checking its first bytes
/// against its name. A refused file is aborted (nothing is left) and the rest of the
/// field read and dropped (up to twice the limit), so the caller can read the answer.
/// The back office's and the API's uploads both come through here.
pub async fn receive(
    files: &FileStore,
    ws: WorkspaceId,
    field: &mut Field<'_>,
    name: &str,
    limit: u64,
) -> Result<Received, ReceiveError> {
    let id = FileId::new();
    let key = storage_key(ws, id);
    let mut writer = files.writer(&key).await?;
    let outcome = stream_into(field, &mut writer, name, limit).await;
    match outcome {
        Ok(Streamed::Stored {
            size,
            sha256,
            content_type,
        }) => {
            writer.finish().await?;
            Ok(Received::Stored(StoredFile {
                id,
                key,
                size,
                sha256,
                content_type,
            }))
        }
        Ok(Streamed::TooLarge) => {
            writer.abort().await;
            drain_field(field, limit).await;
            Ok(Received::TooLarge)
        }
        Ok(Streamed::Mismatch(why)) => {
            writer.abort().await;
            drain_field(field, limit).await;
            Ok(Received::Mismatch(why))
        }
        Err(e) => {
            writer.abort().await;
            Err(e)
        }
    }
}

/// Records a received file on its job or invoice of `client`. When the record went away
/// meanwhile (or the row is refused), the bytes are deleted so no orphan stays.
#[allow(clippy::too_many_arguments)]
pub async fn record(
    state: &AppState,
    ws: WorkspaceId,
    client: ClientId,
    target: FileTarget,
    stored: &StoredFile,
    name: &str,
    uploaded_by: Option<StaffUserId>,
) -> Result<FileId, StoreError> {
    let (job_id, invoice_id) = match target {
        FileTarget::Job(j) => (Some(j), None),
        FileTarget::Invoice(i) => (None, Some(i)),
    };
    let new = NewFile {
        id: stored.id,
        job_id,
        invoice_id,
        name,
        content_type: stored.content_type,
        size_bytes: i64::try_from(stored.size).unwrap_or(i64::MAX),
        sha256: &stored.sha256,
        storage_key: &stored.key,
        uploaded_by,
    };
    match state
        .store
        .create_file(ws, client, &new, state.clock.now_ms())
        .await
    {
        Ok(id) => Ok(id),
        Err(e) => {
            if let Err(del) = state.files.delete(&stored.key).await {
                tracing::warn!(error = %del, "removing the bytes of an unrecorded upload failed");
            }
            Err(e)
        }
    }
}

enum Streamed {
    Stored {
        size: u64,
        sha256: String,
        content_type: &'static str,
    },
    TooLarge,
    Mismatch(String),
}

/// Copies the file field into `writer`, refusing it once it passes `limit` bytes or as
/// soon as its first bytes show it is not what its name says.
async fn stream_into(
    field: &mut Field<'_>,
    writer: &mut UploadWriter,
    name: &str,
    limit: u64,
) -> Result<Streamed, ReceiveError> {
    let mut size: u64 = 0;
    let mut hasher = Sha256::new();
    let mut head: Vec<u8> = Vec::with_capacity(SNIFF_LEN);
    let mut content_type = None;
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|e| ReceiveError::Unreadable(e.to_string()))?
    {
        size += chunk.len() as u64;
        if size > limit {
            return Ok(Streamed::TooLarge);
        }
        if content_type.is_none() {
            let room = SNIFF_LEN - head.len();
            head.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if head.len() == SNIFF_LEN {
                match check_contents(name, &head) {
                    Ok(t) => content_type = Some(t),
                    Err(e) => return Ok(Streamed::Mismatch(e.to_string())),
                }
            }
        }
        hasher.update(&chunk);
        writer.write(&chunk).await?;
    }
    let content_type = match content_type {
        Some(t) => t,
        None => match check_contents(name, &head) {
            Ok(t) => t,
            Err(e) => return Ok(Streamed::Mismatch(e.to_string())),
        },
    };
    Ok(Streamed::Stored {
        size,
        sha256: crate::crypto::hex(&hasher.finalize()),
        content_type,
    })
}

/// Reads and discards what is left of a refused file (up to about twice the limit), so
/// the client gets to read the answer instead of a reset connection.
pub async fn drain_field(field: &mut Field<'_>, limit: u64) {
    let budget = limit.saturating_mul(2);
    let mut read: u64 = 0;
    while let Ok(Some(chunk)) = field.chunk().await {
        read += chunk.len() as u64;
        if read > budget {
            return;
        }
    }
}

/// Discards any fields after a refused file, with the same budget.
pub async fn drain_rest(multipart: &mut axum::extract::Multipart, limit: u64) {
    while let Ok(Some(mut field)) = multipart.next_field().await {
        drain_field(&mut field, limit).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::TryStreamExt;

    #[tokio::test]
    async fn written_parts_become_one_object_and_an_aborted_upload_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::local(dir.path()).unwrap();
        let data: Vec<u8> = (0..(PART_BYTES + 12_345))
            .map(|i| (i % 253) as u8)
            .collect();
        let mut w = store.writer("ws/1/2").await.unwrap();
        for chunk in data.chunks(64 * 1024) {
            w.write(chunk).await.unwrap();
        }
        w.finish().await.unwrap();
        let got: Vec<u8> = store
            .open("ws/1/2", None)
            .await
            .unwrap()
            .try_fold(Vec::new(), |mut acc, c| async move {
                acc.extend_from_slice(&c);
                Ok(acc)
            })
            .await
            .unwrap();
        assert_eq!(got, data);

        let mut w = store.writer("ws/1/3").await.unwrap();
        w.write(b"half an upload").await.unwrap();
        w.abort().await;
        assert!(store.size("ws/1/3").await.is_err());

        store.delete("ws/1/2").await.unwrap();
        assert!(store.size("ws/1/2").await.is_err());
        store.delete("ws/1/2").await.unwrap();
    }
}

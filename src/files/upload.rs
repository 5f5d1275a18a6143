//! Writing a file's bytes as they arrive: parts of [`PART_BYTES`] go to the object store
//! while the upload is still coming in, so an upload is never held whole in memory (at
//! most a couple of parts are). An upload that is refused half-way is aborted and leaves
//! nothing behind.

use object_store::WriteMultipart;

use super::{object_path, FileResult, FileStore};

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

//! The S3-compatible file store against a real S3 server (moto): what the local folder
//! does, the same through the same `FileStore`.

use bytes::Bytes;
use futures_util::TryStreamExt;
use portico::files::{storage_key, FileStore, FileStoreError};
use portico::ids::{FileId, WorkspaceId};

use crate::support::moto::Moto;

async fn read_all(store: &FileStore, key: &str, range: Option<std::ops::Range<u64>>) -> Vec<u8> {
    store
        .open(key, range)
        .await
        .unwrap()
        .try_fold(Vec::new(), |mut acc, chunk| async move {
            acc.extend_from_slice(&chunk);
            Ok(acc)
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn an_s3_store_uploads_reads_ranges_and_removes_objects() {
    let Some(moto) = Moto::start().await else {
        return;
    };
    moto.bucket("portico-files").await;
    let store = FileStore::new(moto.settings("portico-files", "").build().unwrap());
    let key = storage_key(WorkspaceId::from_db(7), FileId::from_db(42));
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();

    store.put(&key, Bytes::from(data.clone())).await.unwrap();

    assert_eq!(store.size(&key).await.unwrap(), 3_000_000);
    assert_eq!(read_all(&store, &key, None).await, data);
    assert_eq!(
        read_all(&store, &key, Some(1_000..2_500_001)).await,
        &data[1_000..2_500_001]
    );
    store.remove(&key).await.unwrap();
    assert!(matches!(
        store.size(&key).await,
        Err(FileStoreError::NotFound(_))
    ));
    assert!(matches!(
        store.open(&key, None).await,
        Err(FileStoreError::NotFound(_))
    ));
    store.remove(&key).await.unwrap();
}

#[tokio::test]
async fn an_s3_prefix_keeps_objects_in_their_folder_and_bad_keys_are_refused() {
    let Some(moto) = Moto::start().await else {
        return;
    };
    moto.bucket("shared").await;
    let tenant = FileStore::new(moto.settings("shared", "tenants/cedar").build().unwrap());
    let whole = FileStore::new(moto.settings("shared", "").build().unwrap());

    tenant
        .put("ws/1/2", Bytes::from_static(b"inside the prefix"))
        .await
        .unwrap();

    assert_eq!(whole.size("tenants/cedar/ws/1/2").await.unwrap(), 17);
    assert!(matches!(
        whole.size("ws/1/2").await,
        Err(FileStoreError::NotFound(_))
    ));
    for bad in ["../x", "ws/../../1", "ws//1", ""] {
        assert!(
            matches!(tenant.size(bad).await, Err(FileStoreError::BadKey(_))),
            "{bad:?}"
        );
    }
}

//! What every portal page shows of its workspace (the workspace row, business profile,
//! logo and connected payment providers), kept in memory for a few seconds.
//!
//! This is display data only. Nothing that decides access is kept here: sessions, the
//! portal switch, contacts and payments are read from the database on every request.
//! A write through this instance forgets the workspace's entry at once; another
//! instance sharing the database shows the change within [`TTL`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::settings::Logo;
use super::workspaces::{BusinessProfile, WorkspaceRow};
use crate::ids::WorkspaceId;

/// How long an entry is used before it is read again.
pub const TTL: Duration = Duration::from_secs(5);

/// Entries kept at most; past this the cache is emptied (a host with more busy
/// workspaces than this reads the row again, which is what it did without a cache).
const MAX_ENTRIES: usize = 10_000;

/// A workspace as the portal's pages show it.
#[derive(Debug)]
pub struct WorkspaceView {
    pub workspace: WorkspaceRow,
    pub profile: BusinessProfile,
    pub logo: Option<Logo>,
    /// The payment providers the workspace has connected, in the order Pay now offers
    /// them (as `payments::service::connected_providers` answers).
    pub providers: Vec<&'static str>,
}

#[derive(Debug, Default)]
pub struct WorkspaceCache {
    entries: Mutex<HashMap<i64, (Instant, Arc<WorkspaceView>)>>,
}

impl WorkspaceCache {
    /// The entry for `ws` if it is younger than [`TTL`].
    pub fn get(&self, ws: WorkspaceId) -> Option<Arc<WorkspaceView>> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(&ws.get())
            .filter(|(at, _)| at.elapsed() < TTL)
            .map(|(_, view)| Arc::clone(view))
    }

    pub fn put(&self, ws: WorkspaceId, view: Arc<WorkspaceView>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(ws.get(), (Instant::now(), view));
        }
    }

    /// Drops the entry for `ws` (after a write to anything it holds).
    pub fn forget(&self, ws: WorkspaceId) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(&ws.get());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(name: &str) -> Arc<WorkspaceView> {
        Arc::new(WorkspaceView {
            workspace: WorkspaceRow {
                id: 7,
                slug: "acme".into(),
                name: name.into(),
                time_zone: "UTC".into(),
                default_currency: "USD".into(),
                portal_idle_minutes: 60,
                portal_absolute_minutes: 600,
            },
            profile: BusinessProfile {
                display_name: name.into(),
                about_us: String::new(),
                address: String::new(),
                phone: String::new(),
                email: String::new(),
                website: String::new(),
                hours: String::new(),
                accent_colour: String::new(),
            },
            logo: None,
            providers: vec![],
        })
    }

    #[test]
    fn keeps_an_entry_until_forgotten() {
        let cache = WorkspaceCache::default();
        let ws = WorkspaceId::from_db(7);
        assert!(cache.get(ws).is_none());
        cache.put(ws, view("Acme"));
        assert_eq!(
            cache.get(ws).map(|v| v.profile.display_name.clone()),
            Some("Acme".to_string())
        );
        assert!(cache.get(WorkspaceId::from_db(8)).is_none());
        cache.forget(ws);
        assert!(cache.get(ws).is_none());
    }

    #[test]
    fn an_old_entry_is_not_used() {
        let cache = WorkspaceCache::default();
        let ws = WorkspaceId::from_db(7);
        if let Ok(mut entries) = cache.entries.lock() {
            let old = Instant::now().checked_sub(TTL + Duration::from_millis(1));
            if let Some(old) = old {
                entries.insert(ws.get(), (old, view("Old")));
            }
        }
        assert!(cache.get(ws).is_none());
    }
}

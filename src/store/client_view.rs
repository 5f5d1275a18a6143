//! What a client's portal pages show of its own records (the sidebar's badges and the
//! home page's lists), kept per client and stamped with the client's portal revision.
//!
//! The revision (`client.portal_rev`, migration 0016) is raised by triggers in the same
//! transaction as any write to the client's invoices, quotes, jobs, visits or tasks
//! (0017 on SQLite, 0018 on PostgreSQL), and every portal request reads it together with
//! its session. An entry is used only for the revision it was read at, on the workspace
//! date it was read on, and (for the home page) until the first listed visit starts, so
//! what a page shows is what the database holds, on every instance sharing it. The
//! revision is always read before the records, so an entry is never older than its
//! stamp. Nothing that decides access is kept here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sqlx::AnyConnection;

use super::portal_home::{HomeInvoices, JobSummary, QuoteSummary};
use super::{ClientScope, Store, StoreResult};

/// Entries kept at most; past this the cache is emptied and refills with the clients
/// that come back (each entry is a few kilobytes).
const MAX_ENTRIES: usize = 4_096;

/// How many of each list the home page shows.
pub const HOME_LIST: i64 = 10;

/// The sidebar's counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Badges {
    /// Payable invoices with a balance.
    pub invoices: i64,
    /// Sent quotes still valid today.
    pub quotes: i64,
    /// Open tasks shared with the client.
    pub tasks: i64,
}

/// The home page's lists.
#[derive(Debug)]
pub struct HomeLists {
    pub invoices: HomeInvoices,
    pub quotes: Vec<QuoteSummary>,
    pub jobs: Vec<JobSummary>,
}

impl HomeLists {
    /// The first instant at which the lists would read differently with nothing written:
    /// a listed job's next visit drops out once it has started.
    fn good_until_ms(&self) -> i64 {
        self.jobs
            .iter()
            .filter_map(|j| j.next_visit_at)
            .min()
            .unwrap_or(i64::MAX)
    }
}

/// What a page asks for, and when it asks.
#[derive(Debug, Clone, Copy)]
pub struct ViewStamp<'a> {
    /// `client.portal_rev`, as read with the request's session.
    pub rev: i64,
    /// The workspace's date (`YYYY-MM-DD`).
    pub today: &'a str,
    pub now_ms: i64,
}

struct Entry {
    rev: i64,
    today: String,
    badges: Option<Badges>,
    home: Option<(Arc<HomeLists>, i64)>,
}

impl Entry {
    fn matches(&self, at: &ViewStamp<'_>) -> bool {
        self.rev == at.rev && self.today == at.today
    }
}

#[derive(Default)]
pub struct ClientViewCache {
    entries: Mutex<HashMap<(i64, i64), Entry>>,
}

fn key(scope: ClientScope) -> (i64, i64) {
    (scope.workspace_id().get(), scope.client_id().get())
}

impl ClientViewCache {
    pub fn badges(&self, scope: ClientScope, at: &ViewStamp<'_>) -> Option<Badges> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(&key(scope))
            .filter(|e| e.matches(at))
            .and_then(|e| e.badges)
    }

    pub fn home(&self, scope: ClientScope, at: &ViewStamp<'_>) -> Option<Arc<HomeLists>> {
        let entries = self.entries.lock().ok()?;
        let (home, good_until) = entries
            .get(&key(scope))
            .filter(|e| e.matches(at))?
            .home
            .as_ref()?;
        (at.now_ms <= *good_until).then(|| Arc::clone(home))
    }

    /// Keeps what was read at `at`; an entry for another stamp is replaced.
    pub fn put(
        &self,
        scope: ClientScope,
        at: &ViewStamp<'_>,
        badges: Option<Badges>,
        home: Option<Arc<HomeLists>>,
    ) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(&key(scope)) {
            entries.clear();
        }
        let entry = entries.entry(key(scope)).or_insert_with(|| Entry {
            rev: at.rev,
            today: at.today.to_string(),
            badges: None,
            home: None,
        });
        if !entry.matches(at) {
            *entry = Entry {
                rev: at.rev,
                today: at.today.to_string(),
                badges: None,
                home: None,
            };
        }
        if badges.is_some() {
            entry.badges = badges;
        }
        if let Some(home) = home {
            let good_until = home.good_until_ms();
            entry.home = Some((home, good_until));
        }
    }
}

impl Store {
    /// The sidebar's badges for `scope` at `at`: kept, or counted now (one statement).
    pub async fn portal_badges(
        &self,
        scope: ClientScope,
        at: ViewStamp<'_>,
    ) -> StoreResult<Badges> {
        if let Some(badges) = self.client_views.badges(scope, &at) {
            return Ok(badges);
        }
        let mut db = self.db().await?;
        let badges = self.count_badges(&mut db, scope, at.today).await?;
        drop(db);
        self.client_views.put(scope, &at, Some(badges), None);
        Ok(badges)
    }

    /// The badges and the home page's lists for `scope` at `at`: kept, or read now on
    /// one connection.
    pub async fn portal_home(
        &self,
        scope: ClientScope,
        at: ViewStamp<'_>,
    ) -> StoreResult<(Badges, Arc<HomeLists>)> {
        let kept_badges = self.client_views.badges(scope, &at);
        let kept_home = self.client_views.home(scope, &at);
        if let (Some(badges), Some(home)) = (kept_badges, &kept_home) {
            return Ok((badges, Arc::clone(home)));
        }
        let mut db = self.db().await?;
        let badges = match kept_badges {
            Some(badges) => badges,
            None => self.count_badges(&mut db, scope, at.today).await?,
        };
        let home = match kept_home {
            Some(home) => home,
            None => Arc::new(HomeLists {
                invoices: self
                    .home_invoices(&mut db, scope, at.today, HOME_LIST)
                    .await?,
                quotes: self
                    .pending_quotes(&mut db, scope, at.today, HOME_LIST)
                    .await?,
                jobs: self
                    .active_jobs(&mut db, scope, at.now_ms, HOME_LIST)
                    .await?,
            }),
        };
        drop(db);
        self.client_views
            .put(scope, &at, Some(badges), Some(Arc::clone(&home)));
        Ok((badges, home))
    }

    async fn count_badges(
        &self,
        db: &mut AnyConnection,
        scope: ClientScope,
        today: &str,
    ) -> StoreResult<Badges> {
        let (invoices, quotes, tasks): (i64, i64, i64) = sqlx::query_as(
            "SELECT
               (SELECT COUNT(*) FROM invoice WHERE workspace_id = $1 AND client_id = $2 AND status IN ('sent', 'partially_paid')
                 AND total_minor > paid_minor AND deleted_at IS NULL AND archived_at IS NULL),
               (SELECT COUNT(*) FROM quote WHERE workspace_id = $1 AND client_id = $2 AND status = 'sent' AND valid_until >= $3
                 AND deleted_at IS NULL AND archived_at IS NULL),
               (SELECT COUNT(*) FROM task WHERE workspace_id = $1 AND client_id = $2 AND shared_with_client = 1
                 AND done_at IS NULL AND deleted_at IS NULL)",
        )
        .bind(scope.workspace_id().get())
        .bind(scope.client_id().get())
        .bind(today)
        .fetch_one(db)
        .await?;
        Ok(Badges {
            invoices,
            quotes,
            tasks,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{ClientId, WorkspaceId};

    fn scope(client: i64) -> ClientScope {
        ClientScope::new(WorkspaceId::from_db(1), ClientId::from_db(client))
    }

    fn lists(next_visits: &[Option<i64>]) -> Arc<HomeLists> {
        Arc::new(HomeLists {
            invoices: HomeInvoices::default(),
            quotes: vec![],
            jobs: next_visits
                .iter()
                .enumerate()
                .map(|(i, next)| JobSummary {
                    id: i as i64,
                    number: format!("J-{i}"),
                    title: String::new(),
                    status: "scheduled".into(),
                    site_address: String::new(),
                    next_visit_at: *next,
                })
                .collect(),
        })
    }

    const BADGES: Badges = Badges {
        invoices: 2,
        quotes: 1,
        tasks: 0,
    };

    fn at(rev: i64, today: &str, now_ms: i64) -> ViewStamp<'_> {
        ViewStamp { rev, today, now_ms }
    }

    #[test]
    fn an_entry_serves_only_its_revision_and_day() {
        let cache = ClientViewCache::default();
        let stamp = at(4, "2026-12-04", 1_000);
        assert!(cache.badges(scope(1), &stamp).is_none());
        cache.put(scope(1), &stamp, Some(BADGES), Some(lists(&[])));
        assert_eq!(cache.badges(scope(1), &stamp), Some(BADGES));
        assert!(cache.home(scope(1), &stamp).is_some());
        assert!(cache.badges(scope(2), &stamp).is_none(), "another client");
        for other in [at(5, "2026-12-04", 1_000), at(4, "2026-12-05", 1_000)] {
            assert!(cache.badges(scope(1), &other).is_none());
            assert!(cache.home(scope(1), &other).is_none());
        }
        // Read at a newer revision: the old entry is gone, not merged.
        cache.put(
            scope(1),
            &at(5, "2026-12-04", 1_000),
            Some(Badges::default()),
            None,
        );
        assert!(cache.badges(scope(1), &stamp).is_none());
        assert!(cache.home(scope(1), &at(5, "2026-12-04", 1_000)).is_none());
    }

    #[test]
    fn home_lists_are_read_again_once_a_listed_visit_starts() {
        let cache = ClientViewCache::default();
        cache.put(
            scope(1),
            &at(1, "2026-12-04", 0),
            Some(BADGES),
            Some(lists(&[None, Some(5_000), Some(9_000)])),
        );
        assert!(cache.home(scope(1), &at(1, "2026-12-04", 5_000)).is_some());
        assert!(cache.home(scope(1), &at(1, "2026-12-04", 5_001)).is_none());
        assert_eq!(
            cache.badges(scope(1), &at(1, "2026-12-04", 5_001)),
            Some(BADGES),
            "the badges do not depend on visits"
        );
    }

    #[test]
    fn a_full_cache_starts_again_rather_than_grow() {
        let cache = ClientViewCache::default();
        let stamp = at(1, "2026-12-04", 0);
        for client in 0..MAX_ENTRIES as i64 {
            cache.put(scope(client), &stamp, Some(BADGES), None);
        }
        assert!(cache.badges(scope(0), &stamp).is_some());
        cache.put(scope(-1), &stamp, Some(BADGES), None);
        assert!(cache.badges(scope(0), &stamp).is_none());
        assert!(cache.badges(scope(-1), &stamp).is_some());
        assert_eq!(cache.entries.lock().map(|e| e.len()).ok(), Some(1));
    }
}

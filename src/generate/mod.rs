//! `portico generate`: a workspace of made-up but realistic data, as large as asked, for
//! benchmarks and capacity tests. Everything but the portal link keys follows from the
//! seed (see [`rows`]); rows go in as multi-row inserts ([`batch`]), a chunk of clients
//! per transaction, so a stopped run leaves whole clients behind, never half of one.
//!
//! The workspace is `gen-<seed>`. A database that holds any other workspace is real data
//! and is refused unless `--force`; a seed already generated there is always refused.
//! The first client's first file (a 10 MiB PDF-named blob) has its bytes stored in the
//! configured file store, for download benchmarks; the other file records have none.

pub mod args;
pub mod batch;
mod documents;
pub mod rows;
pub mod tables;
mod work;

use std::time::Instant;

use anyhow::bail;
use bytes::Bytes;

pub use args::GenerateArgs;
use rows::Generator;
use tables::Tables;

use crate::files::FileStore;
use crate::store::workspaces::NewWorkspace;
use crate::store::{Backend, Store};

/// The size of the one generated file whose bytes are stored.
pub const SHOWCASE_FILE_BYTES: usize = 10 * 1024 * 1024;
/// Invoices per transaction (whole clients; at least one client).
const INVOICES_PER_CHUNK: u64 = 20_000;

/// Rows written, per table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Counts(pub Vec<(&'static str, u64)>);

impl Counts {
    pub fn get(&self, table: &str) -> u64 {
        self.0
            .iter()
            .find(|(t, _)| *t == table)
            .map_or(0, |(_, n)| *n)
    }
}

/// How far a run has got, for the progress line.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub clients_done: u64,
    pub clients: u64,
    pub invoices_done: u64,
    pub elapsed_secs: f64,
}

impl Progress {
    /// `[#####.....]  40%  4000/10000 clients  400000 invoices  12s`
    pub fn line(&self) -> String {
        let pct = self.clients_done * 100 / self.clients.max(1);
        let filled = (pct / 5) as usize;
        format!(
            "[{}{}] {pct:>3}%  {}/{} clients  {} invoices  {:.0}s",
            "#".repeat(filled),
            ".".repeat(20 - filled),
            self.clients_done,
            self.clients,
            self.invoices_done,
            self.elapsed_secs
        )
    }
}

/// The workspace slug of a seed's data.
pub fn slug(seed: u64) -> String {
    format!("gen-{seed}")
}

/// Checks the database may take the data: no real workspaces (unless `force`), and not
/// this seed already.
async fn check_target(store: &Store, args: &GenerateArgs) -> anyhow::Result<()> {
    let slugs: Vec<(String,)> = sqlx::query_as("SELECT slug FROM workspace")
        .fetch_all(store.pool())
        .await?;
    let own = slug(args.seed);
    if slugs.iter().any(|(s,)| *s == own) {
        bail!(
            "the database already holds data generated with seed {} (workspace '{own}'); \
             use another --seed or a fresh database",
            args.seed
        );
    }
    let real = slugs.iter().filter(|(s,)| !s.starts_with("gen-")).count();
    if real > 0 && !args.force {
        bail!(
            "the database holds {real} workspace(s) of real data; generate into an empty \
             database, or pass --force to add generated data beside it"
        );
    }
    Ok(())
}

/// Generates the data into `store` (and the showcase file into `files`), calling
/// `progress` after each committed chunk.
pub async fn run(
    store: &Store,
    files: &FileStore,
    args: GenerateArgs,
    today: jiff::civil::Date,
    mut progress: impl FnMut(Progress),
) -> anyhow::Result<Counts> {
    check_target(store, &args).await?;
    let started = Instant::now();
    let now_ms = jiff::Timestamp::now().as_millisecond();
    let ws = store
        .create_workspace(
            &NewWorkspace {
                slug: &slug(args.seed),
                name: &format!("Generated Services {}", args.seed),
                time_zone: "UTC",
                default_currency: "AED",
            },
            now_ms,
        )
        .await?;
    let mut gen = Generator::new(ws.get(), args.seed, args.invoices_per_client, today)?;
    let mut tables = Tables::default();
    let chunk = (INVOICES_PER_CHUNK / args.invoices_per_client).max(1);
    let mut done = 0;
    while done < args.clients {
        let end = (done + chunk).min(args.clients);
        for i in done..end {
            gen.client(&mut tables, i, &crate::crypto::random_token(24))?;
        }
        let mut tx = store.begin_write().await?;
        for table in tables.in_order() {
            for statement in table.take() {
                sqlx::raw_sql(&statement).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        done = end;
        progress(Progress {
            clients_done: done,
            clients: args.clients,
            invoices_done: done * args.invoices_per_client,
            elapsed_secs: started.elapsed().as_secs_f64(),
        });
    }
    for (kind, next) in [
        ("invoice", gen.invoice_no),
        ("quote", gen.quote_no),
        ("job", gen.job_no),
    ] {
        sqlx::query(
            "UPDATE number_sequence SET next_value = $1 WHERE workspace_id = $2 AND kind = $3",
        )
        .bind(next + 1)
        .bind(ws.get())
        .bind(kind)
        .execute(store.pool())
        .await?;
    }
    // Fresh statistics, so the planner picks the per-client indexes from the first query.
    sqlx::raw_sql("ANALYZE").execute(store.pool()).await?;
    if store.backend() == Backend::Sqlite {
        // The bundled SQLite is built with STAT4: with its samples present, every statement
        // that compares an indexed column with a bound value (`due_date < $3`) is planned
        // again on each run, which cost more than running it (half of a portal page's
        // CPU). The per-table counts of `sqlite_stat1` are all the planner needs here.
        sqlx::raw_sql("DELETE FROM sqlite_stat4")
            .execute(store.pool())
            .await?;
    }
    if let Some((_, key)) = &gen.showcase_file {
        files.put(key, Bytes::from(showcase_bytes())).await?;
    }
    let t = &mut tables;
    Ok(Counts(vec![
        ("client", t.client.rows),
        ("contact", t.contact.rows),
        ("project", t.project.rows),
        ("job", t.job.rows),
        ("visit", t.visit.rows),
        ("quote", t.quote.rows),
        ("quote_line", t.quote_line.rows),
        ("invoice", t.invoice.rows),
        ("invoice_line", t.invoice_line.rows),
        ("payment", t.payment.rows),
        ("task", t.task.rows),
        ("request", t.request.rows),
        ("file", t.file.rows),
    ]))
}

/// The showcase file's bytes: the same every time, not compressible to nothing.
pub fn showcase_bytes() -> Vec<u8> {
    let mut out = Vec::with_capacity(SHOWCASE_FILE_BYTES);
    let mut i = 0u64;
    while out.len() < SHOWCASE_FILE_BYTES {
        out.extend_from_slice(&rows::mix(0, i, 0, 99).to_le_bytes());
        i += 1;
    }
    out.truncate(SHOWCASE_FILE_BYTES);
    out
}

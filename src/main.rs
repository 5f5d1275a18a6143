//! The `portico` command: `serve` (production), `demo` (demo data, then serve),
//! `migrate`, and `generate` (made-up data at any size, for benchmarks).

use std::process::ExitCode;
use std::sync::Arc;

use portico::clock::SystemClock;
use portico::config::Config;
use tracing_subscriber::EnvFilter;

const USAGE: &str = "usage: portico <serve|demo|migrate|generate>

  serve     run the server (configuration from the environment; see README)
  demo      load demo data into the configured database, print where to click, and serve
  migrate   bring the database schema up to date and exit
  generate  load made-up data: generate --clients N --invoices-per-client M [--seed S] [--force]";

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("PORTICO_LOG")
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    let command = std::env::args().nth(1).unwrap_or_default();
    if command == "generate" {
        return generate().await;
    }
    if !matches!(command.as_str(), "serve" | "demo" | "migrate") {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("portico: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&command, config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("portico: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: &str, config: Config) -> anyhow::Result<()> {
    let bind = config.bind;
    let state = portico::build_state(config, Arc::new(SystemClock)).await?;
    match command {
        "migrate" => {
            println!("database is up to date");
            return Ok(());
        }
        "demo" => {
            let lines = portico::demo::load(&state).await?;
            for line in lines {
                println!("{line}");
            }
        }
        _ => {
            if state.store.setup_open().await? {
                let setup = state.config.url("/setup");
                tracing::warn!(url = %setup, "no staff account yet: open the setup page to create the workspace and its owner");
                eprintln!("portico: no staff account yet. Open {setup} to create your workspace and its owner (or run `portico demo` to try it with demo data).");
            }
        }
    }
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| anyhow::anyhow!("PORTICO_BIND: cannot listen on {bind}: {e}"))?;
    tracing::info!(address = %bind, "listening");
    println!("listening on http://{bind}");
    portico::serve(listener, state, shutdown_signal()).await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// `portico generate`: sizes from the arguments, the database and file store from the
/// usual configuration; a progress line on stderr.
async fn generate() -> ExitCode {
    use std::io::Write;
    let words: Vec<String> = std::env::args().skip(2).collect();
    let args = match portico::generate::GenerateArgs::parse(&words) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("portico generate: {e}\n{}", portico::generate::args::USAGE);
            return ExitCode::from(2);
        }
    };
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("portico: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    let run = async {
        let store = portico::store::Store::connect_for_bulk_load(&config.database_url)
            .await
            .map_err(|e| anyhow::anyhow!("DATABASE_URL: cannot open the database: {e}"))?;
        let files = portico::files::FileStore::from_config(&config)?;
        let today = jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date();
        let counts = portico::generate::run(&store, &files, args, today, |p| {
            eprint!("\r{}", p.line());
            let _ = std::io::stderr().flush();
        })
        .await?;
        eprintln!();
        for (table, rows) in &counts.0 {
            println!("{table:<14} {rows:>10}");
        }
        store.close().await;
        anyhow::Ok(())
    };
    match run.await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nportico generate: {e:#}");
            ExitCode::FAILURE
        }
    }
}

//! `portico demo`: a realistic workspace to click through.

use crate::app::AppState;

/// Loads (or reuses) the demo workspace and returns the lines to print.
pub async fn load(_state: &AppState) -> anyhow::Result<Vec<String>> {
    anyhow::bail!("demo data is being written")
}

//! `sqlx::migrate!` embeds the files of `migrations/` at compile time; without this a new
//! migration file would not be picked up until some Rust source changed too.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}

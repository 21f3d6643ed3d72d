//! `sqlx::migrate!` embeds the migration files at compile time; without
//! this, a new migration would not be built in until some source changed.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}

//! The migrations are compiled into the binary (`sqlx::migrate!`); a migration added or
//! changed must rebuild it, which cargo would not otherwise know.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}

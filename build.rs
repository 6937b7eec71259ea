//! The migrations are compiled into the binary (`sqlx::migrate!`); a migration added or
//! changed must rebuild it, which cargo would not otherwise know. The commit the binary is
//! built from is its build information (`msai_build_info`): `MSAI_GIT_COMMIT` when the builder
//! gives it, else what git says of the checkout, else "unknown" (a source archive).

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-env-changed=MSAI_GIT_COMMIT");
    let commit = std::env::var("MSAI_GIT_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(git_commit)
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=MSAI_GIT_COMMIT={commit}");
    // The commit changes when HEAD moves, or when the branch it names moves.
    if let Ok(head) = std::fs::read_to_string(".git/HEAD") {
        println!("cargo:rerun-if-changed=.git/HEAD");
        if let Some(branch) = head.trim().strip_prefix("ref: ") {
            println!("cargo:rerun-if-changed=.git/{branch}");
        }
    }
}

fn git_commit() -> Option<String> {
    let out = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()?;
    let commit = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !commit.is_empty()).then_some(commit)
}

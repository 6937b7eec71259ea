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
    // The commit changes when HEAD moves, or when the branch it names moves (a loose ref, or
    // the packed ones). `--git-path` finds them in a linked worktree too.
    if let Some(head) = git(&["rev-parse", "--git-path", "HEAD"]) {
        println!("cargo:rerun-if-changed={head}");
        if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"])
            && let Some(path) = git(&["rev-parse", "--git-path", &branch])
        {
            println!("cargo:rerun-if-changed={path}");
        }
        if let Some(packed) = git(&["rev-parse", "--git-path", "packed-refs"]) {
            println!("cargo:rerun-if-changed={packed}");
        }
    }
}

fn git_commit() -> Option<String> {
    git(&["rev-parse", "--short=12", "HEAD"])
}

/// What git answers, trimmed; `None` when git is missing, fails or says nothing.
fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

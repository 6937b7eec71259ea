//! The service process gives back the memory of each password hash. Hashing or checking a
//! password takes argon2's 19 MiB; a process that kept that block after every sign-in would
//! grow by about 19 MiB for each one it ever served (glibc's allocator does so unless told
//! otherwise). The real binary, on SQLite and on PostgreSQL: its resident size after many
//! users were created and signed in stays within a few MiB of its size after the first
//! sign-in.
//!
//! A test binary of its own, not a module of the shared one (`tests/api/`): it measures the
//! resident size of a service process while other tests would load the machine, and starts it
//! on a port picked beforehand, which a test server of the shared binary could take first.
#![cfg(target_os = "linux")]

mod support;

use std::path::Path;

use reqwest::{Client, StatusCode};
use serde_json::json;

use support::app::login;
use support::process::{Service, send};

/// Users created and then signed in: each is two hashes (the creation and the sign-in).
const USERS: usize = 8;
/// argon2's memory per hash with the default parameters.
const ARGON2_MIB: u64 = 19;
/// How much the process may grow over the whole run: less than one hash's memory.
const GROWTH_BOUND_KIB: u64 = (ARGON2_MIB - 3) * 1024;

#[tokio::test]
async fn sqlite_the_memory_of_password_hashes_is_given_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("memory.db").display());
    sign_ins_leave_no_memory_behind(&url, dir.path()).await;
}

#[tokio::test]
async fn postgres_the_memory_of_password_hashes_is_given_back() {
    let Some(url) = support::postgres::fresh_database().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    sign_ins_leave_no_memory_behind(&url, dir.path()).await;
}

/// The resident size of process `pid`, in KiB, from `/proc/<pid>/status`.
fn resident_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("process status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in the process status")
}

async fn sign_ins_leave_no_memory_behind(url: &str, workdir: &Path) {
    let service = Service::start(url, workdir).await;
    let pid = service.pid().expect("the service runs");
    let admin = service.admin_client().await;
    let before = resident_kib(pid);
    for n in 0..USERS {
        let username = format!("auditor.{n}");
        let password = format!("a long password number {n}");
        let created = send(
            admin
                .post(service.url("/v1/users"))
                .header("Idempotency-Key", format!("memory-user-{n}"))
                .json(&json!({"username": username, "password": password,
                              "grants": [{"role": "auditor"}]})),
        )
        .await;
        assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
        login(&Client::new(), &service.base, &username, &password)
            .await
            .expect("the new user signs in");
    }
    let after = resident_kib(pid);
    let growth = after.saturating_sub(before);
    assert!(
        growth < GROWTH_BOUND_KIB,
        "the service grew by {growth} KiB over {} password hashes ({before} KiB after the \
         first sign-in, {after} KiB after the last); at most {GROWTH_BOUND_KIB} KiB expected",
        USERS * 2
    );
}

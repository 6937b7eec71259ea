//! The web app in a real browser: the service binary is started as a process over SQLite and
//! over PostgreSQL, and the Python tests under tests/browser/ drive Debian's chromium through
//! Playwright (PyPI, pinned) against it, at phone size: signing in, the offline meeting sheet
//! sent exactly once, refusals shown in the user's language, a member's passbook, axe-core on
//! every screen in every language, cross-origin writes refused, sign-out. The Python tests seed
//! their data through the API (see tests/browser/conftest.py).
//!
//! One service process per backend serves the whole pytest run; the two runs take turns, so
//! that the timing of one browser is not disturbed by the other on a small machine. A failing
//! pytest fails the test with pytest's report in the message.
//!
//! `.ci/run` installs chromium and the pinned Python packages and sets
//! `MSAI_REQUIRE_BROWSER=1`, under which a missing chromium or Playwright fails the test instead
//! of skipping it. `MSAI_CHROMIUM` names another chromium binary than `/usr/bin/chromium`.
//!
//! A test binary of its own, not a module of the shared one (`tests/api/`): pytest runs of up to
//! five minutes drive chromium, taking turns (`ONE_AT_A_TIME`, a static of this process) so that
//! one browser's timing is not disturbed by the other; tests of other files in the same process
//! would disturb it.

mod support;

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::app::ADMIN_PASSWORD;
use support::process::Service;

/// The longest one backend's pytest run may take before it is stopped and fails the test.
const PYTEST_TIMEOUT: Duration = Duration::from_secs(300);

/// The two backends' runs take turns (see the module's comment).
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The chromium binary the tests drive.
fn chromium() -> PathBuf {
    match std::env::var_os("MSAI_CHROMIUM") {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => PathBuf::from("/usr/bin/chromium"),
    }
}

/// Why the browser tests cannot run here, if they cannot.
fn missing_tools() -> Option<String> {
    let chromium = chromium();
    let runs = Command::new(&chromium)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|out| out.status.success());
    if !runs {
        return Some(format!("{} cannot be run", chromium.display()));
    }
    let imports = Command::new("python3")
        .args(["-c", "import playwright, axe_playwright_python, pytest"])
        .stdin(Stdio::null())
        .output();
    match imports {
        Ok(out) if out.status.success() => None,
        Ok(out) => Some(format!(
            "python3 cannot import playwright, axe_playwright_python and pytest: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Err(why) => Some(format!("python3 cannot be run: {why}")),
    }
}

/// Whether the browser tests can run; a missing tool fails the test when they are required.
fn browser_available() -> bool {
    match missing_tools() {
        None => true,
        Some(why) => {
            assert!(
                std::env::var_os("MSAI_REQUIRE_BROWSER").is_none(),
                "the browser tests are required (MSAI_REQUIRE_BROWSER is set): {why}"
            );
            eprintln!("skipping the browser tests: {why}");
            false
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_the_web_app_in_chromium() {
    if !browser_available() {
        return;
    }
    let _turn = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("ledger.db").display());
    run_pytest("sqlite", &url, dir.path()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_the_web_app_in_chromium() {
    if !browser_available() {
        return;
    }
    let Some(url) = support::postgres::fresh_database().await else {
        return;
    };
    let _turn = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().expect("temp dir");
    run_pytest("postgres", &url, dir.path()).await;
}

/// Starts the service over `database_url` and runs the whole browser suite against it.
async fn run_pytest(backend: &str, database_url: &str, workdir: &Path) {
    let service = Service::start(database_url, workdir).await;
    let report_path = workdir.join("pytest.log");
    let report = File::create(&report_path).expect("pytest log file");
    let started = Instant::now();
    let mut child = Command::new("python3")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "--tb=short"])
        .arg("tests/browser/")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("MSAI_BASE_URL", &service.base)
        .env("MSAI_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("MSAI_BACKEND", backend)
        .env("MSAI_CHROMIUM", chromium())
        .env("MSAI_BROWSER_TMP", workdir)
        .stdin(Stdio::null())
        .stdout(report.try_clone().expect("pytest log file"))
        .stderr(report)
        .spawn()
        .expect("python3 starts");
    let status = loop {
        if let Some(status) = child.try_wait().expect("pytest's status") {
            break Some(status);
        }
        if started.elapsed() >= PYTEST_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let output = fs::read_to_string(&report_path).unwrap_or_default();
    eprintln!(
        "{backend}: the browser tests took {:.1} s\n{output}",
        started.elapsed().as_secs_f64()
    );
    match status {
        Some(status) if status.success() => {}
        Some(status) => panic!(
            "{backend}: the browser tests failed ({status})\n{output}\n--- the service's log ---\n{}",
            service.log_tail()
        ),
        None => panic!(
            "{backend}: the browser tests did not finish within {} s\n{output}",
            PYTEST_TIMEOUT.as_secs()
        ),
    }
}

//! The README's walk-through works as written: its shell block, run against the real binary,
//! ends with Ana's balance, an intact chain and a treasurer user.
//!
//! A test binary of its own, not a module of the shared one (`tests/api/`): it starts the
//! binary on a port it picks beforehand, which a test server of the shared binary could take
//! first.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_msai-ledger");

fn walk_through() -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find("Then, in another terminal")
        .expect("the walk-through");
    let block = &readme[start..];
    let open = block.find("```sh\n").expect("a shell block") + "```sh\n".len();
    let close = block[open..].find("```").expect("the end of the block");
    block[open..open + close].to_string()
}

#[test]
fn the_readme_walk_through_works_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new(BIN)
        .current_dir(dir.path())
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .env("MSAI_BOOTSTRAP_ADMIN_PASSWORD", "choose-a-long-password")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the service did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let script = walk_through().replace("localhost:8080", &format!("localhost:{port}"));
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .output()
        .unwrap();
    let _ = server.kill();
    let _ = server.wait();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(r#""code":"liabilities:savings:ana""#),
        "{stdout}"
    );
    assert!(stdout.contains(r#""balance":"500.00""#), "{stdout}");
    // The new group lists its standard chart, and no step of the walk-through is refused.
    assert!(stdout.contains(r#""code":"assets:cash:HKD""#), "{stdout}");
    assert!(!stdout.contains("/problems/"), "{stdout}");
    assert!(stdout.contains(r#""ok":true"#), "{stdout}");
    assert!(
        stdout.contains(r#""available_balance":"250.00""#),
        "{stdout}"
    );
    assert!(
        stdout.contains(r#""username":"treasurer.bayanihan""#),
        "{stdout}"
    );
    assert!(
        dir.path().join("msai-ledger.db").exists(),
        "the default database file is created"
    );
}

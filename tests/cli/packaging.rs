//! The Debian package and its systemd unit (packaging/, `[package.metadata.deb]` in
//! Cargo.toml), checked as the pieces must fit together when installed: every file the
//! package ships exists, the unit runs the binary where the package puts it, as the user the
//! package creates, in the state directory that holds its database, with the usual hardening;
//! and the example options file starts the service. A module of `tests/cli.rs`, whose helpers
//! start the binary.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use super::{BIN, free_port, stop_and_read_log, wait_ready};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read(relative: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(relative))
        .unwrap_or_else(|e| panic!("read {relative}: {e}"))
}

/// The `[package.metadata.deb]` table of Cargo.toml.
fn deb() -> toml::Table {
    let manifest: toml::Table = read("Cargo.toml").parse().expect("Cargo.toml parses");
    manifest["package"]["metadata"]["deb"]
        .as_table()
        .expect("Cargo.toml has [package.metadata.deb]")
        .clone()
}

/// Where the package installs each source file: source -> absolute destination.
fn assets() -> BTreeMap<String, String> {
    deb()["assets"]
        .as_array()
        .expect("assets")
        .iter()
        .map(|asset| {
            let asset = asset
                .as_array()
                .expect("an asset is [source, destination, mode]");
            let source = asset[0].as_str().unwrap().to_string();
            let mut dest = format!("/{}", asset[1].as_str().unwrap());
            if dest.ends_with('/') {
                dest.push_str(Path::new(&source).file_name().unwrap().to_str().unwrap());
            }
            (source, dest)
        })
        .collect()
}

/// The unit's `Key=Value` settings (a key set twice keeps every value).
fn unit() -> BTreeMap<String, Vec<String>> {
    let mut settings: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in read("packaging/msai-ledger.service").lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with('[') {
            continue;
        }
        let (key, value) = line.split_once('=').expect("a unit line is Key=Value");
        settings
            .entry(key.to_string())
            .or_default()
            .push(value.to_string());
    }
    settings
}

fn one(unit: &BTreeMap<String, Vec<String>>, key: &str) -> String {
    match unit.get(key).map(Vec::as_slice) {
        Some([value]) => value.clone(),
        other => panic!("the unit sets {key} {other:?}, not once"),
    }
}

#[test]
fn the_package_ships_what_its_unit_runs_as_its_own_user() {
    let assets = assets();
    for source in assets.keys() {
        if source != "target/release/msai-ledger" {
            assert!(
                Path::new(ROOT).join(source).is_file(),
                "the package ships {source}, which is not in the repository"
            );
        }
    }
    let unit = unit();
    // The binary where the package puts it.
    let binary = &assets["target/release/msai-ledger"];
    assert_eq!(one(&unit, "ExecStart"), format!("{binary} serve"));
    // The options file where the package puts it, kept across upgrades.
    let options = &assets["packaging/msai-ledger.env"];
    assert_eq!(one(&unit, "EnvironmentFile"), format!("-{options}"));
    let deb = deb();
    let conf_files: Vec<&str> = deb["conf-files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(conf_files, vec![options.as_str()]);
    // The user the package creates (cargo-deb installs `<unit-scripts>/<unit>.sysusers` and
    // runs systemd-sysusers before it enables the unit), whose home is the state directory
    // the database is in.
    let units = deb["systemd-units"]
        .as_table()
        .expect("systemd-units")
        .clone();
    let unit_name = units["unit-name"].as_str().unwrap();
    let scripts = units["unit-scripts"].as_str().unwrap();
    assert!(
        Path::new(ROOT)
            .join(scripts)
            .join(format!("{unit_name}.service"))
            .is_file()
    );
    let sysusers = read(&format!("{scripts}{unit_name}.sysusers"));
    let user_line = sysusers
        .lines()
        .find(|l| l.starts_with("u "))
        .expect("a sysusers line creating the user");
    let fields: Vec<&str> = user_line.split_whitespace().collect();
    assert_eq!(fields[1], one(&unit, "User"));
    assert_eq!(one(&unit, "Group"), one(&unit, "User"));
    let state = format!("/var/lib/{}", one(&unit, "StateDirectory"));
    assert_eq!(fields.last().copied(), Some(state.as_str()));
    assert_eq!(one(&unit, "WorkingDirectory"), state);
    assert_eq!(one(&unit, "StateDirectoryMode"), "0700");
    assert_eq!(one(&unit, "UMask"), "0077");
    // The usual hardening.
    for (key, value) in [
        ("NoNewPrivileges", "yes"),
        ("ProtectSystem", "strict"),
        ("ProtectHome", "yes"),
        ("PrivateTmp", "yes"),
        ("PrivateDevices", "yes"),
        ("CapabilityBoundingSet", ""),
        ("RestrictSUIDSGID", "yes"),
        ("MemoryDenyWriteExecute", "yes"),
        ("SystemCallArchitectures", "native"),
    ] {
        assert_eq!(one(&unit, key), value, "{key}");
    }
}

/// The options file's settings, and the names of those it leaves commented out.
fn options_file() -> (Vec<(String, String)>, Vec<String>) {
    let mut set = Vec::new();
    let mut commented = Vec::new();
    for line in read("packaging/msai-ledger.env").lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix('#') {
            if let Some((name, _)) = rest.split_once('=')
                && name.starts_with("MSAI_")
            {
                commented.push(name.to_string());
            }
        } else if let Some((name, value)) = line.split_once('=') {
            set.push((name.to_string(), value.to_string()));
        }
    }
    (set, commented)
}

#[test]
fn every_option_the_options_file_names_is_one_the_service_takes() {
    let help = Command::new(BIN)
        .args(["serve", "--help"])
        .output()
        .expect("run serve --help");
    let help = String::from_utf8_lossy(&help.stdout);
    let (set, commented) = options_file();
    assert!(!set.is_empty());
    for name in set.iter().map(|(n, _)| n).chain(&commented) {
        assert!(
            help.contains(&format!("[env: {name}=")),
            "packaging/msai-ledger.env names {name}, which `serve --help` does not list"
        );
    }
    // The database it names is in the unit's state directory.
    let url = &set
        .iter()
        .find(|(n, _)| n == "MSAI_DATABASE_URL")
        .unwrap()
        .1;
    let state = one(&unit(), "WorkingDirectory");
    assert_eq!(url, &format!("sqlite://{state}/msai-ledger.db"));
}

#[tokio::test]
async fn the_example_options_start_the_service() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let (set, _) = options_file();
    let mut command = Command::new(BIN);
    command.arg("serve").env_clear();
    for (name, value) in &set {
        command.env(name, value);
    }
    // As installed, but on a free port and in a directory of the test's own.
    let mut child = command
        .env("MSAI_LISTEN", format!("127.0.0.1:{port}"))
        .env(
            "MSAI_DATABASE_URL",
            format!("sqlite://{}/msai-ledger.db", dir.path().display()),
        )
        .env("MSAI_BOOTSTRAP_ADMIN_PASSWORD", "packaging-admin-password")
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start the binary");
    wait_ready(&reqwest::Client::new(), port, &mut child).await;
    let log = stop_and_read_log(child);
    assert!(log.contains("msai-ledger ready"), "{log}");
    assert!(log.contains("msai-ledger stopped"), "{log}");
}

//! openapi.yaml in the tools app developers use: Spectral and Redocly lint it with no error or
//! unexplained warning, openapi-typescript, openapi-python-client and openapi-generator (python
//! and kotlin) generate clients from it, and the TypeScript one compiles with `tsc --strict`.
//! Then the two example clients of examples/, built from the generated code, run against the
//! live service on each backend: a member signs in, lists her groups and reads her balance and
//! statement; her treasurer records a contribution with an Idempotency-Key and retries it; a
//! withdrawal beyond her savings gets the typed 422 `/problems/overdraft`.
//!
//! The tools are installed, at pinned versions, by `scripts/openapi-tools.sh install` (which
//! `.ci/run` runs); without them the tests are skipped with a message, unless
//! `MSAI_REQUIRE_OPENAPI_TOOLS` is set, as CI does, and they fail. The clients are generated
//! once for both backends (the script keeps them until openapi.yaml or the examples change).
//!
//! A test binary of its own, not a module of the shared one (`tests/api/`): it runs the linters,
//! generators and compilers (Node.js, Java, Python) for minutes, CPU that would slow the
//! time-bounded tests of a shared process; on its own, it is run or left out with its tools
//! (`cargo test --test openapi_clients`).

mod support;

use std::path::Path;
use std::process::Command;

use reqwest::StatusCode;
use serde_json::json;
use support::app::TestApp;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/openapi-tools.sh");

/// Whether the pinned tools are installed; their absence fails the test when they are required.
fn tools_installed() -> bool {
    let installed = Path::new(SCRIPT).exists()
        && Command::new("bash")
            .arg(SCRIPT)
            .arg("status")
            .output()
            .is_ok_and(|out| out.status.success());
    if !installed {
        assert!(
            std::env::var("MSAI_REQUIRE_OPENAPI_TOOLS").is_err(),
            "the OpenAPI tools are required (MSAI_REQUIRE_OPENAPI_TOOLS is set) but are not \
             installed: run scripts/openapi-tools.sh install"
        );
        eprintln!(
            "skipping: the OpenAPI tools are not installed (scripts/openapi-tools.sh install)"
        );
    }
    installed
}

/// Runs the script with `args`, failing the test with its output when it fails.
async fn run_script(args: Vec<String>) {
    let what = args.join(" ");
    let out =
        tokio::task::spawn_blocking(move || Command::new("bash").arg(SCRIPT).args(&args).output())
            .await
            .expect("script task")
            .expect("run scripts/openapi-tools.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "scripts/openapi-tools.sh {what} failed:\n{stdout}\n{stderr}"
    );
    eprintln!("{stdout}\n{stderr}");
}

#[tokio::test]
async fn the_linters_pass_and_every_generator_reads_the_document() {
    if !tools_installed() {
        return;
    }
    run_script(vec!["lint".into()]).await;
    run_script(vec!["generate".into()]).await;
}

/// Creates, through the API as a new network would, a group with the standard chart, a member,
/// her treasurer and her own sign-in; returns the usernames and passwords.
async fn people(app: &TestApp) -> [String; 4] {
    let group = app
        .post(
            "/v1/groups",
            &json!({"name": "Bayanihan Savers", "currency": "HKD", "host_country": "HK",
                    "home_country": "PH"}),
        )
        .await;
    assert_eq!(group.status, StatusCode::CREATED, "{}", group.body);
    let group = group.body["id"].as_str().expect("group id").to_string();
    let member = app
        .post(
            &format!("/v1/groups/{group}/members"),
            &json!({"name": "Maria Reyes", "sex": "female", "birth_year": 1988,
                    "home_country": "PH", "host_country": "HK"}),
        )
        .await;
    assert_eq!(member.status, StatusCode::CREATED, "{}", member.body);
    let member = member.body["id"].as_str().expect("member id").to_string();
    let password = "a-long-enough-password";
    for (username, grant) in [
        (
            "tess.treasurer",
            json!({"role": "treasurer", "group_id": group}),
        ),
        (
            "maria.reyes",
            json!({"role": "member", "group_id": group, "member_id": member}),
        ),
    ] {
        let user = app
            .post(
                "/v1/users",
                &json!({"username": username, "password": password, "grants": [grant]}),
            )
            .await;
        assert_eq!(user.status, StatusCode::CREATED, "{}", user.body);
    }
    [
        "maria.reyes".to_string(),
        password.to_string(),
        "tess.treasurer".to_string(),
        password.to_string(),
    ]
}

both_backends!(
    the_example_clients_run_against_the_service,
    |app| async move {
        if !tools_installed() {
            return;
        }
        let [member, member_password, treasurer, treasurer_password] = people(&app).await;
        run_script(vec![
            "examples".into(),
            app.base.clone(),
            member,
            member_password,
            treasurer,
            treasurer_password,
        ])
        .await;
        // What the examples did is in the ledger: one contribution of 250.00 from each example
        // (their retries posted nothing), and no withdrawal.
        let groups = app.get("/v1/groups").await;
        let group = groups.body["items"][0]["id"]
            .as_str()
            .expect("the group")
            .to_string();
        let contributions = app.get(&format!("/v1/groups/{group}/contributions")).await;
        let items = contributions.body["items"]
            .as_array()
            .expect("contributions");
        assert_eq!(items.len(), 2, "{}", contributions.body);
        assert!(
            items.iter().all(|c| c["amount"] == "250.00"),
            "{}",
            contributions.body
        );
        let withdrawals = app.get(&format!("/v1/groups/{group}/withdrawals")).await;
        assert_eq!(withdrawals.body["items"], json!([]), "{}", withdrawals.body);
    }
);

/// README.md's "Building a client" names every version the script pins, so the versions it
/// says were tested are the ones CI runs.
#[test]
fn the_readme_names_the_tool_versions_the_script_pins() {
    let script = std::fs::read_to_string(SCRIPT).expect("the script");
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find("## Building a client").expect("the section");
    let section = &readme[start..];
    let section = &section[..section[3..]
        .find("\n## ")
        .map_or(section.len(), |end| end + 3)];
    let section = section.split_whitespace().collect::<Vec<_>>().join(" ");
    let pins: Vec<(&str, &str)> = script
        .lines()
        .filter_map(|line| line.split_once('='))
        .filter(|(name, version)| {
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_uppercase() || c == '_')
                && version.starts_with(|c: char| c.is_ascii_digit())
        })
        .collect();
    assert!(pins.len() >= 7, "the script pins its tools: {pins:?}");
    for (name, version) in pins {
        assert!(
            section.contains(&format!(" {version}")),
            "README.md's \"Building a client\" does not name {name}'s version {version}"
        );
    }
}

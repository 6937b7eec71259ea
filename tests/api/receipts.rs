//! Signed receipts and checkpoints: a member keeps a receipt, an auditor keeps a checkpoint,
//! and anyone checks them later with OpenSSL or the auditor's script against the keys the
//! service publishes, even after someone rewrote and re-hashed the journal.

use crate::support;

use std::path::Path;
use std::process::Command;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use msai_ledger::app::AppConfig;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::AssertSqlSafe;
use support::app::{Backend, Reply, TestApp, assert_problem};
use support::openapi::assert_reply_matches;

const KEYS: &str = "/.well-known/msai-ledger/keys";
const LATEST: &str = "/v1/groups/{group_id}/checkpoints/latest";
const AT_SEQUENCE: &str = "/v1/groups/{group_id}/checkpoints/{sequence}";

fn fresh_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn created(reply: &Reply) -> &Value {
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    &reply.body
}

/// A group with one member, Ana; returns the group and the member.
async fn group_with_member(app: &TestApp) -> (String, String) {
    let g = app.create_group("Bayanihan").await;
    let reply = app
        .post(
            &format!("/v1/groups/{g}/members"),
            &json!({"name": "Ana", "sex": "female", "birth_year": 1990, "home_country": "PH",
                    "host_country": "HK", "joined_on": "2025-01-15"}),
        )
        .await;
    let member = created(&reply)["id"].as_str().unwrap().to_string();
    (g, member)
}

fn contribution(member: &str, amount: &str, booked_on: &str) -> Value {
    json!({"member_id": member, "amount": amount, "fund": "savings", "channel": "cash",
           "booked_on": booked_on})
}

async fn contribute(app: &TestApp, g: &str, body: &Value) -> Value {
    let reply = app
        .post_with_key(&format!("/v1/groups/{g}/contributions"), &fresh_key(), body)
        .await;
    created(&reply).clone()
}

/// The published keys, by id.
pub(crate) async fn published(app: &TestApp) -> Vec<Value> {
    let reply = app.send(app.anonymous.get(app.url(KEYS))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_reply_matches("GET", KEYS, &reply);
    reply.body["items"].as_array().unwrap().clone()
}

pub(crate) fn key_pem(keys: &[Value], key_id: &str) -> String {
    keys.iter()
        .find(|k| k["key_id"] == key_id)
        .unwrap_or_else(|| panic!("key {key_id} is not published: {keys:?}"))["public_key_pem"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Whether `openssl pkeyutl -verify` accepts `signature` (base64) of `payload` with the key.
pub(crate) fn openssl_verifies(dir: &Path, pem: &str, payload: &[u8], signature: &str) -> bool {
    std::fs::write(dir.join("key.pem"), pem).unwrap();
    std::fs::write(dir.join("payload.txt"), payload).unwrap();
    std::fs::write(dir.join("sig.bin"), BASE64.decode(signature).unwrap()).unwrap();
    let out = Command::new("openssl")
        .args([
            "pkeyutl", "-verify", "-pubin", "-inkey", "key.pem", "-rawin",
        ])
        .args(["-in", "payload.txt", "-sigfile", "sig.bin"])
        .current_dir(dir)
        .output()
        .expect("openssl is needed to check receipts");
    out.status.success()
}

fn payload(signed: &Value) -> Value {
    serde_json::from_str(signed["payload"].as_str().unwrap()).unwrap()
}

both_backends!(
    a_receipt_verifies_with_openssl_and_a_changed_byte_does_not,
    |app| async move {
        let (g, ana) = group_with_member(&app).await;
        let body = contribution(&ana, "500.00", "2025-03-01");
        let key = fresh_key();
        let path = format!("/v1/groups/{g}/contributions");
        let first = app.post_with_key(&path, &key, &body).await;
        let receipt = created(&first)["receipt"].clone();
        assert_reply_matches("POST", "/v1/groups/{group_id}/contributions", &first);
        assert_eq!(receipt["algorithm"], "Ed25519");

        // What the receipt says, as the member would read it.
        let said = payload(&receipt);
        let group = app.get(&format!("/v1/groups/{g}")).await.body;
        assert_eq!(said["type"], "msai-ledger/receipt/v1");
        assert_eq!(said["group_id"], g.as_str());
        assert_eq!(said["member_id"], ana.as_str());
        assert_eq!(said["event_id"], first.body["id"]);
        assert_eq!(said["kind"], "contribution");
        assert_eq!(said["amount_minor"], "50000");
        assert_eq!(said["currency"], "HKD");
        assert_eq!(said["booked_on"], "2025-03-01");
        assert_eq!(said["sequence"], group["head_sequence"].to_string());
        assert_eq!(said["hash"], group["head_hash"]);
        assert_eq!(said["key_id"], receipt["key_id"]);

        // The replay and the GET of one carry the same receipt.
        let replay = app.post_with_key(&path, &key, &body).await;
        assert_eq!(replay.body["receipt"], receipt, "{}", replay.body);
        let id = first.body["id"].as_str().unwrap();
        let one = app.get(&format!("{path}/{id}")).await;
        assert_eq!(one.body["receipt"], receipt, "{}", one.body);
        assert_reply_matches(
            "GET",
            "/v1/groups/{group_id}/contributions/{contribution_id}",
            &one,
        );

        let keys = published(&app).await;
        let pem = key_pem(&keys, receipt["key_id"].as_str().unwrap());
        let dir = tempfile::tempdir().unwrap();
        let text = receipt["payload"].as_str().unwrap().as_bytes().to_vec();
        let signature = receipt["signature"].as_str().unwrap();
        assert!(openssl_verifies(dir.path(), &pem, &text, signature));
        for at in [0, text.len() / 2, text.len() - 1] {
            let mut changed = text.clone();
            changed[at] ^= 0x01;
            assert!(
                !openssl_verifies(dir.path(), &pem, &changed, signature),
                "a receipt changed at byte {at} still verified"
            );
        }

        // A withdrawal and a remittance carry theirs; the statement shows all three.
        let reply = app
            .post_with_key(
                &format!("/v1/groups/{g}/withdrawals"),
                &fresh_key(),
                &json!({"member_id": ana, "amount": "100.00", "from": "savings",
                        "channel": "cash", "booked_on": "2025-03-02"}),
            )
            .await;
        let withdrawal = created(&reply)["receipt"].clone();
        assert_reply_matches("POST", "/v1/groups/{group_id}/withdrawals", &reply);
        assert_eq!(payload(&withdrawal)["kind"], "withdrawal");
        assert_eq!(payload(&withdrawal)["amount_minor"], "10000");
        let reply = app
            .post_with_key(
                &format!("/v1/groups/{g}/remittances"),
                &fresh_key(),
                &json!({"member_id": ana, "send_amount": "100.00", "send_currency": "HKD",
                        "fee": "0.50", "receive_amount": "700.00", "receive_currency": "PHP",
                        "provider": "Padala Express", "channel": "money_transfer_operator",
                        "send_country": "HK", "receive_country": "PH", "booked_on": "2025-03-03",
                        "uses": [{"purpose": "group_savings", "amount": "700.00"}]}),
            )
            .await;
        let remittance = created(&reply)["receipt"].clone();
        assert_reply_matches("POST", "/v1/groups/{group_id}/remittances", &reply);
        assert_eq!(payload(&remittance)["kind"], "remittance", "{}", reply.body);
        assert_eq!(payload(&remittance)["amount_minor"], "10000");
        let id = reply.body["id"].as_str().unwrap();
        let one = app.get(&format!("/v1/groups/{g}/remittances/{id}")).await;
        assert_eq!(one.body["receipt"], remittance);
        assert_reply_matches(
            "GET",
            "/v1/groups/{group_id}/remittances/{remittance_id}",
            &one,
        );

        let statement = app
            .get(&format!("/v1/groups/{g}/members/{ana}/statement"))
            .await;
        assert_eq!(statement.status, StatusCode::OK, "{}", statement.body);
        assert_reply_matches(
            "GET",
            "/v1/groups/{group_id}/members/{member_id}/statement",
            &statement,
        );
        assert_eq!(
            statement.body["receipts"],
            json!([receipt, withdrawal, remittance]),
            "{}",
            statement.body
        );
        for signed in [&withdrawal, &remittance] {
            let text = signed["payload"].as_str().unwrap().as_bytes();
            let signature = signed["signature"].as_str().unwrap();
            assert!(openssl_verifies(dir.path(), &pem, text, signature));
        }

        // The printable statement shows each receipt's signed text and signature.
        let page = app
            .get(&format!(
                "/v1/groups/{g}/members/{ana}/statement?format=html"
            ))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        for signed in [&receipt, &withdrawal, &remittance] {
            let shown = signed["payload"].as_str().unwrap().replace('"', "&quot;");
            assert!(page.text.contains(&shown), "{}", page.text);
            assert!(
                page.text.contains(signed["signature"].as_str().unwrap()),
                "{}",
                page.text
            );
        }
        assert!(page.text.contains("<td>contribution</td>"), "{}", page.text);
    }
);

both_backends!(
    checkpoints_give_the_trial_balance_at_their_sequence,
    |app| async move {
        let (g, ana) = group_with_member(&app).await;
        let empty = app.get(&format!("/v1/groups/{g}/checkpoints/latest")).await;
        assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
        assert_reply_matches("GET", LATEST, &empty);
        assert_eq!(empty.body["sequence"], 0);
        assert_eq!(empty.body["head_hash"], "0".repeat(64));

        contribute(&app, &g, &contribution(&ana, "500.00", "2025-03-01")).await;
        let after_first = app.get(&format!("/v1/groups/{g}/trial-balance")).await;
        contribute(&app, &g, &contribution(&ana, "250.50", "2025-03-08")).await;
        let group = app.get(&format!("/v1/groups/{g}")).await.body;
        let now = app.get(&format!("/v1/groups/{g}/trial-balance")).await;

        let latest = app.get(&format!("/v1/groups/{g}/checkpoints/latest")).await;
        assert_eq!(latest.status, StatusCode::OK, "{}", latest.body);
        assert_reply_matches("GET", LATEST, &latest);
        assert_eq!(latest.body["sequence"], group["head_sequence"]);
        assert_eq!(latest.body["head_hash"], group["head_hash"]);
        assert_balances_agree(&latest.body, &now.body);
        let at_one = app.get(&format!("/v1/groups/{g}/checkpoints/1")).await;
        assert_eq!(at_one.status, StatusCode::OK, "{}", at_one.body);
        assert_reply_matches("GET", AT_SEQUENCE, &at_one);
        assert_balances_agree(&at_one.body, &after_first.body);

        // What is signed says the same as the answer.
        let said = payload(&latest.body);
        assert_eq!(said["type"], "msai-ledger/checkpoint/v1");
        assert_eq!(said["sequence"], "2");
        assert_eq!(said["head_hash"], latest.body["head_hash"]);
        for (signed, shown) in said["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .zip(latest.body["accounts"].as_array().unwrap())
        {
            assert_eq!(signed["id"], shown["id"]);
            assert_eq!(signed["debits_minor"], shown["debits_minor"]);
            assert_eq!(signed["credits_minor"], shown["credits_minor"]);
        }
        let keys = published(&app).await;
        let pem = key_pem(&keys, latest.body["key_id"].as_str().unwrap());
        let dir = tempfile::tempdir().unwrap();
        let text = latest.body["payload"].as_str().unwrap().as_bytes();
        assert!(openssl_verifies(
            dir.path(),
            &pem,
            text,
            latest.body["signature"].as_str().unwrap()
        ));

        let beyond = app.get(&format!("/v1/groups/{g}/checkpoints/3")).await;
        assert_problem(&beyond, StatusCode::NOT_FOUND, "not-found");
        assert_reply_matches("GET", AT_SEQUENCE, &beyond);
        assert!(
            beyond.body["detail"]
                .as_str()
                .unwrap()
                .contains("ends at sequence 2"),
            "{}",
            beyond.body
        );
        // An unknown query parameter is told first, as on every route.
        for path in ["latest", "1", "x"] {
            let reply = app
                .get(&format!("/v1/groups/{g}/checkpoints/{path}?colour=blue"))
                .await;
            assert_problem(
                &reply,
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-parameter",
            );
        }
        for bad in ["-1", "01", "x", "99999999999999999999"] {
            let reply = app.get(&format!("/v1/groups/{g}/checkpoints/{bad}")).await;
            assert_problem(&reply, StatusCode::NOT_FOUND, "not-found");
            assert_reply_matches("GET", AT_SEQUENCE, &reply);
        }

        // A member reads her own receipts, not the group's every balance.
        let (_, member) = app
            .user_with(
                "ana",
                json!([{"role": "member", "group_id": g, "member_id": ana}]),
            )
            .await;
        let reply = app
            .send(member.get(app.url(&format!("/v1/groups/{g}/checkpoints/latest"))))
            .await;
        assert_problem(&reply, StatusCode::FORBIDDEN, "forbidden");
        assert_reply_matches("GET", LATEST, &reply);
    }
);

/// Every account's totals in the checkpoint equal the trial balance's.
fn assert_balances_agree(checkpoint: &Value, trial_balance: &Value) {
    let lines = trial_balance["accounts"]
        .as_array()
        .unwrap_or_else(|| panic!("{trial_balance}"));
    let accounts = checkpoint["accounts"].as_array().unwrap();
    for line in lines {
        let account = accounts
            .iter()
            .find(|a| a["code"] == line["code"])
            .unwrap_or_else(|| panic!("{} is not in {checkpoint}", line["code"]));
        assert_eq!(
            account["debits"], line["debits"],
            "{checkpoint} {trial_balance}"
        );
        assert_eq!(
            account["credits"], line["credits"],
            "{checkpoint} {trial_balance}"
        );
    }
    for account in accounts {
        if account["debits_minor"] != "0" || account["credits_minor"] != "0" {
            assert!(
                lines.iter().any(|l| l["code"] == account["code"]),
                "{account} is not in the trial balance {trial_balance}"
            );
        }
    }
}

/// Runs the auditor's script over the group with `kept` as its file of kept documents.
fn run_script(app: &TestApp, group: &str, kept: &[&Value]) -> (bool, Value) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/verify-chain.py");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kept.json");
    std::fs::write(&file, serde_json::to_string(&kept).unwrap()).unwrap();
    let out = Command::new("python3")
        .args([script, &app.base, group, "--kept"])
        .arg(&file)
        .env("MSAI_TOKEN", &app.admin_token)
        .output()
        .expect("python3 is needed to run the auditor's script");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summary = serde_json::from_str(stdout.trim()).unwrap_or_else(|_| {
        panic!(
            "unexpected script output: {stdout} {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.success(), summary)
}

/// The hashes of the group's journal as it now reads, recomputed with the auditor's script's
/// own function: (sequence, previous hash, hash).
fn rehash(app: &TestApp, group: &str) -> Vec<(i64, String, String)> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/verify-chain.py");
    let program = "import importlib.util, json, sys\n\
        spec = importlib.util.spec_from_file_location('chain', sys.argv[1])\n\
        chain = importlib.util.module_from_spec(spec)\n\
        spec.loader.exec_module(chain)\n\
        items = chain.get(sys.argv[2], f'/v1/groups/{sys.argv[3]}/transactions?limit=500')['items']\n\
        previous, out = chain.GENESIS, []\n\
        for t in items:\n    h = chain.transaction_hash(previous, sys.argv[3], t)\n    out.append([t['sequence'], previous, h])\n    previous = h\n\
        print(json.dumps(out))\n";
    let out = Command::new("python3")
        .args(["-c", program, script, &app.base, group])
        .env("MSAI_TOKEN", &app.admin_token)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Runs `sql` against the service's database behind its back.
async fn behind_the_back(app: &TestApp, statements: &[String]) {
    match app.backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&app.database_url).await.unwrap();
            for sql in statements {
                sqlx::query(AssertSqlSafe(sql.clone()))
                    .execute(&pool)
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
            pool.close().await;
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&app.database_url).await.unwrap();
            for sql in statements {
                sqlx::query(AssertSqlSafe(sql.clone()))
                    .execute(&pool)
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
            pool.close().await;
        }
    }
}

both_backends!(
    a_journal_rewritten_and_rehashed_is_caught_by_what_was_kept,
    |app| async move {
        let (g, ana) = group_with_member(&app).await;
        let receipt =
            contribute(&app, &g, &contribution(&ana, "500.00", "2025-03-01")).await["receipt"]
                .clone();
        contribute(&app, &g, &contribution(&ana, "250.50", "2025-03-08")).await;
        let checkpoint = app
            .get(&format!("/v1/groups/{g}/checkpoints/latest"))
            .await
            .body;
        let (ok, summary) = run_script(&app, &g, &[&receipt, &checkpoint]);
        assert!(ok, "{summary}");
        assert_eq!(summary["kept_checked"], 2, "{summary}");

        // Someone with the database turns Ana's 500.00 into 50.00, keeps the accounts' totals
        // in step, and recomputes every hash from there on.
        let (drop_transactions, drop_entries) = match app.backend {
            Backend::Sqlite => (
                "DROP TRIGGER transactions_no_update",
                "DROP TRIGGER entries_no_update",
            ),
            Backend::Postgres => (
                "ALTER TABLE transactions DISABLE TRIGGER transactions_immutable",
                "ALTER TABLE entries DISABLE TRIGGER entries_immutable",
            ),
        };
        behind_the_back(
            &app,
            &[
                drop_transactions.to_string(),
                drop_entries.to_string(),
                "UPDATE accounts SET debits_minor = debits_minor - 45000 WHERE id IN \
                 (SELECT account_id FROM entries WHERE sequence = 1 AND direction = 'debit')"
                    .to_string(),
                "UPDATE accounts SET credits_minor = credits_minor - 45000 WHERE id IN \
                 (SELECT account_id FROM entries WHERE sequence = 1 AND direction = 'credit')"
                    .to_string(),
                "UPDATE entries SET amount_minor = 5000 WHERE sequence = 1".to_string(),
            ],
        )
        .await;
        let hashes = rehash(&app, &g);
        let mut rewrite: Vec<String> = hashes
            .iter()
            .map(|(sequence, previous, hash)| {
                format!(
                    "UPDATE transactions SET previous_hash = '{previous}', hash = '{hash}' WHERE sequence = {sequence}"
                )
            })
            .collect();
        let head = &hashes.last().unwrap().2;
        rewrite.push(format!("UPDATE groups SET head_hash = '{head}'"));
        behind_the_back(&app, &rewrite).await;

        // The service's own verification and the plain recomputation find nothing wrong...
        let verified = app.get(&format!("/v1/groups/{g}/ledger/verify")).await;
        assert_eq!(verified.body["ok"], true, "{}", verified.body);
        let (ok, summary) = run_script(&app, &g, &[]);
        assert!(ok, "{summary}");

        // ...but what the member and the auditor kept contradicts the journal.
        let (ok, summary) = run_script(&app, &g, &[&receipt]);
        assert!(!ok, "the rewrite went unnoticed: {summary}");
        let failure = summary["failure"].as_str().unwrap();
        assert!(failure.contains("receipt of contribution"), "{summary}");
        let (ok, summary) = run_script(&app, &g, &[&checkpoint]);
        assert!(!ok, "the rewrite went unnoticed: {summary}");
        let failure = summary["failure"].as_str().unwrap();
        assert!(failure.contains("checkpoint names head hash"), "{summary}");

        // A kept document changed by one byte is refused for its signature.
        let mut forged = receipt.clone();
        forged["payload"] = json!(
            receipt["payload"]
                .as_str()
                .unwrap()
                .replace("\"50000\"", "\"5000\"")
        );
        let (ok, summary) = run_script(&app, &g, &[&forged]);
        assert!(!ok, "{summary}");
        assert!(
            summary["failure"]
                .as_str()
                .unwrap()
                .contains("signature does not verify"),
            "{summary}"
        );
    }
);

both_backends!(
    the_key_survives_a_restart_and_rotation_keeps_old_receipts_checkable,
    |app| async move {
        let (g, ana) = group_with_member(&app).await;
        let event = contribute(&app, &g, &contribution(&ana, "500.00", "2025-03-01")).await;
        let receipt = event["receipt"].clone();
        let first_key = receipt["key_id"].as_str().unwrap().to_string();
        assert_eq!(first_key.len(), 16);
        let keys = published(&app).await;
        assert_eq!(keys.len(), 1, "{keys:?}");
        assert_eq!(keys[0]["until"], Value::Null);
        let one = format!(
            "/v1/groups/{g}/contributions/{}",
            event["id"].as_str().unwrap()
        );

        // Another start on the same database signs with the same key: the same receipt.
        let again = support::app::spawn_on(
            app.backend,
            app.database_url.clone(),
            None,
            AppConfig::default(),
        )
        .await;
        assert_eq!(again.get(&one).await.body["receipt"], receipt);
        assert_eq!(published(&again).await, keys);

        // The operator rotates; a process started after it signs with the new key.
        let done = msai_ledger::admin::rotate_signing_key(&msai_ledger::config::DatabaseOptions {
            database_url: app.database_url.clone(),
        })
        .await
        .expect("rotation");
        assert!(done.contains("is current"), "{done}");
        let rotated = support::app::spawn_on(
            app.backend,
            app.database_url.clone(),
            None,
            AppConfig::default(),
        )
        .await;
        let new_receipt = rotated.get(&one).await.body["receipt"].clone();
        let second_key = new_receipt["key_id"].as_str().unwrap().to_string();
        assert_ne!(second_key, first_key);
        let keys = published(&rotated).await;
        assert_eq!(keys.len(), 2, "{keys:?}");
        assert_eq!(keys[0]["key_id"], first_key.as_str());
        assert_ne!(keys[0]["until"], Value::Null, "{keys:?}");
        assert_eq!(keys[1]["key_id"], second_key.as_str());
        assert_eq!(keys[1]["until"], Value::Null, "{keys:?}");

        // The receipt kept before the rotation still checks, with the old published key.
        let dir = tempfile::tempdir().unwrap();
        for signed in [&receipt, &new_receipt] {
            let pem = key_pem(&keys, signed["key_id"].as_str().unwrap());
            let text = signed["payload"].as_str().unwrap().as_bytes();
            assert!(openssl_verifies(
                dir.path(),
                &pem,
                text,
                signed["signature"].as_str().unwrap()
            ));
        }
        let (ok, summary) = run_script(&rotated, &g, &[&receipt, &new_receipt]);
        assert!(ok, "{summary}");
    }
);

/// Two processes starting at once on one fresh database end with one key.
async fn two_first_starts_make_one_key(backend: Backend) {
    let Some((url, _dir)) = support::app::fresh_database_url(backend).await else {
        return;
    };
    let config = AppConfig {
        auth: msai_ledger::app::AuthConfig {
            bootstrap_admin_password: Some(support::app::ADMIN_PASSWORD.into()),
            ..Default::default()
        },
        ..AppConfig::default()
    };
    let one = msai_ledger::store::connect(&url).await.unwrap();
    let two = msai_ledger::store::connect(&url).await.unwrap();
    let (a, b) = tokio::join!(
        msai_ledger::app::prepare(one.clone(), &config),
        msai_ledger::app::prepare(two.clone(), &config)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.signer.key_id(), b.signer.key_id());
    let keys = one.published_keys().await.unwrap();
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert_eq!(keys[0].key_id, a.signer.key_id());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_two_first_starts_make_one_key() {
    two_first_starts_make_one_key(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_two_first_starts_make_one_key() {
    two_first_starts_make_one_key(Backend::Postgres).await;
}

both_backends!(a_key_from_a_file_signs_and_is_published, |app| async move {
    // The operator's own key, made with OpenSSL.
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new("openssl")
        .args(["genpkey", "-algorithm", "ed25519", "-out", "signing.pem"])
        .current_dir(dir.path())
        .status()
        .expect("openssl");
    assert!(status.success());
    let config = AppConfig {
        signing_key_file: Some(dir.path().join("signing.pem")),
        ..AppConfig::default()
    };
    let from_file =
        support::app::spawn_on(app.backend, app.database_url.clone(), None, config).await;
    let (g, ana) = group_with_member(&from_file).await;
    let receipt =
        contribute(&from_file, &g, &contribution(&ana, "1.00", "2025-03-01")).await["receipt"]
            .clone();
    let keys = published(&app).await;
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert_eq!(keys[1]["key_id"], receipt["key_id"]);
    let out = Command::new("openssl")
        .args(["pkey", "-in", "signing.pem", "-pubout"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        keys[1]["public_key_pem"].as_str().unwrap()
    );
    // The private key of a file is never copied into the database.
    let private: Option<String> = match app.backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&app.database_url).await.unwrap();
            sqlx::query_scalar("SELECT private_key FROM signing_keys WHERE is_current = 1")
                .fetch_one(&pool)
                .await
                .unwrap()
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&app.database_url).await.unwrap();
            sqlx::query_scalar("SELECT private_key FROM signing_keys WHERE is_current")
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(private, None);
});

both_backends!(
    a_remittance_in_transit_keeps_the_receipt_of_its_sending,
    |app| async move {
        let (g, ana) = group_with_member(&app).await;
        let reply = app
            .post_with_key(
                &format!("/v1/groups/{g}/remittances"),
                &fresh_key(),
                &json!({"member_id": ana, "send_amount": "100.00", "send_currency": "HKD",
                        "fee": "0.50", "receive_amount": "700.00", "receive_currency": "PHP",
                        "provider": "Padala Express", "channel": "money_transfer_operator",
                        "send_country": "HK", "receive_country": "PH", "booked_on": "2025-03-03",
                        "uses": [{"purpose": "group_savings", "amount": "700.00"}],
                        "status": "in_transit"}),
            )
            .await;
        let sent = created(&reply).clone();
        let receipt = sent["receipt"].clone();
        assert_eq!(payload(&receipt)["kind"], "remittance", "{sent}");
        assert_eq!(payload(&receipt)["amount_minor"], "10000");
        let id = sent["id"].as_str().unwrap();
        let done = app
            .post_with_key(
                &format!("/v1/groups/{g}/remittances/{id}/completion"),
                &fresh_key(),
                &json!({"receive_amount": "700.00"}),
            )
            .await;
        assert!(done.status.is_success(), "{}", done.body);
        // The receipt names the transaction that sent it, which completion does not change.
        let one = app.get(&format!("/v1/groups/{g}/remittances/{id}")).await;
        assert_eq!(one.body["status"], "completed", "{}", one.body);
        assert_eq!(one.body["receipt"], receipt);
        let (ok, summary) = run_script(&app, &g, &[&receipt]);
        assert!(ok, "{summary}");
    }
);

both_backends!(
    the_statement_csv_carries_each_lines_receipt_which_verifies,
    |app| async move {
        let (g, ana) = group_with_member(&app).await;
        contribute(&app, &g, &contribution(&ana, "500.00", "2025-03-01")).await;
        let mut capital = contribution(&ana, "200.00", "2025-03-01");
        capital["fund"] = json!("capital");
        contribute(&app, &g, &capital).await;
        let reply = app
            .post_with_key(
                &format!("/v1/groups/{g}/withdrawals"),
                &fresh_key(),
                &json!({"member_id": ana, "amount": "100.00", "from": "savings",
                        "channel": "cash", "booked_on": "2025-03-02"}),
            )
            .await;
        created(&reply);
        let reply = app
            .post_with_key(
                &format!("/v1/groups/{g}/remittances"),
                &fresh_key(),
                &json!({"member_id": ana, "send_amount": "100.00", "send_currency": "HKD",
                        "fee": "0.50", "receive_amount": "700.00", "receive_currency": "PHP",
                        "provider": "Padala Express", "channel": "money_transfer_operator",
                        "send_country": "HK", "receive_country": "PH", "booked_on": "2025-03-03",
                        "uses": [{"purpose": "group_savings", "amount": "700.00"}]}),
            )
            .await;
        created(&reply);

        let path = format!("/v1/groups/{g}/members/{ana}/statement");
        let json = app.get(&path).await;
        assert_eq!(json.status, StatusCode::OK, "{}", json.body);
        let receipts = json.body["receipts"].as_array().unwrap().clone();
        assert_eq!(receipts.len(), 4, "{}", json.body);

        let csv = app.get(&format!("{path}?format=csv")).await;
        assert_eq!(csv.status, StatusCode::OK, "{}", csv.text);
        let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(csv.text.as_bytes())
            .records()
            .map(|r| r.expect("a CSV record").iter().map(String::from).collect())
            .collect();
        let header = &rows[0];
        let column = |name: &str| {
            header
                .iter()
                .position(|c| c == name)
                .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
        };
        let (sequence, description) = (column("sequence"), column("description"));
        let (text, signature, key_id) = (
            column("receipt_payload"),
            column("receipt_signature"),
            column("receipt_key_id"),
        );

        // Every movement that has a receipt carries it, once, on its own row; the opening and
        // closing rows carry none.
        let mut from_csv = Vec::new();
        for row in &rows[1..] {
            if row[text].is_empty() {
                assert!(
                    row[signature].is_empty() && row[key_id].is_empty(),
                    "{row:?}"
                );
                continue;
            }
            assert!(!row[description].ends_with(" balance"), "{row:?}");
            let said: Value = serde_json::from_str(&row[text]).unwrap();
            assert_eq!(said["sequence"], row[sequence].as_str(), "{row:?}");
            from_csv.push(json!({"payload": row[text], "signature": row[signature],
                                 "key_id": row[key_id]}));
        }
        let mut from_json: Vec<Value> = receipts
            .iter()
            .map(|r| {
                json!({"payload": r["payload"], "signature": r["signature"],
                            "key_id": r["key_id"]})
            })
            .collect();
        let by_text = |v: &Value| v["payload"].as_str().unwrap().to_string();
        from_csv.sort_by_key(by_text);
        from_json.sort_by_key(by_text);
        assert_eq!(from_csv, from_json, "{}", csv.text);

        // Each receipt read from the CSV verifies with OpenSSL like the JSON one; one changed
        // byte does not.
        let keys = published(&app).await;
        let dir = tempfile::tempdir().unwrap();
        for kept in &from_csv {
            let pem = key_pem(&keys, kept["key_id"].as_str().unwrap());
            let bytes = kept["payload"].as_str().unwrap().as_bytes().to_vec();
            let signed = kept["signature"].as_str().unwrap();
            assert!(openssl_verifies(dir.path(), &pem, &bytes, signed), "{kept}");
            let mut changed = bytes.clone();
            changed[bytes.len() / 2] ^= 0x01;
            assert!(
                !openssl_verifies(dir.path(), &pem, &changed, signed),
                "{kept}"
            );
        }
    }
);

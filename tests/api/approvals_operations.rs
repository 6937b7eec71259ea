//! Four eyes on the operations a group's policy may make wait besides withdrawals and exits,
//! on both backends: a disbursement, a distribution that posts, a reversal and a period close
//! each answer 202 with a pending item and post nothing; a second person's approval posts it
//! once (`result_id` names what was posted); the maker cannot approve it; a rejection never
//! posts; an approval that a rule now refuses answers as the operation would and leaves the
//! item pending. A new group's policy is the safe default.

use crate::support;

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use support::app::{Backend, Reply, TestApp, no_approvals};
use support::openapi::assert_reply_matches;
use support::story::{Story, story};
use uuid::Uuid;

/// The story's group with only `switch` on, and two of its treasurers: Tess asks, Rosa
/// decides.
struct Waiting {
    story: Story,
    tess: Client,
    tess_id: String,
    rosa: Client,
}

async fn waiting_on(app: &TestApp, switch: &str) -> Waiting {
    let story = story(app).await;
    let mut policy = no_approvals();
    policy[switch] = json!(true);
    let path = format!("/v1/groups/{}/approval-policy", story.group);
    let reply = app.send(app.client.put(app.url(&path)).json(&policy)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body[switch], true, "{}", reply.body);
    let grant = json!([{"role": "treasurer", "group_id": story.group}]);
    let (tess_id, tess) = app
        .user_with(&format!("tess-{switch}"), grant.clone())
        .await;
    let (_, rosa) = app.user_with(&format!("rosa-{switch}"), grant).await;
    Waiting {
        story,
        tess,
        tess_id,
        rosa,
    }
}

async fn ask(app: &TestApp, client: &Client, path: &str, key: &str, body: &Value) -> Reply {
    app.send(
        client
            .post(app.url(path))
            .header("Idempotency-Key", key)
            .json(body),
    )
    .await
}

async fn decide(app: &TestApp, w: &Waiting, client: &Client, item: &str, verdict: &str) -> Reply {
    let path = format!("/v1/groups/{}/approvals/{item}/{verdict}", w.story.group);
    let request = client
        .post(app.url(&path))
        .header("Idempotency-Key", Uuid::new_v4().to_string())
        .json(&json!({"note": "seen the papers"}));
    app.send(request).await
}

/// What a reader of the group sees of its books: the trial balance and the head of its chain.
async fn books(app: &TestApp, group: &str) -> (Value, Value) {
    let trial = app.get(&format!("/v1/groups/{group}/trial-balance")).await;
    assert_eq!(trial.status, StatusCode::OK, "{}", trial.body);
    let head = app.get(&format!("/v1/groups/{group}")).await;
    let head = json!([head.body["head_sequence"], head.body["closed_through"]]);
    (trial.body, head)
}

/// Asks for the operation as Tess and checks it waits: 202 with a pending item of `kind`,
/// as the document describes, nothing posted, and the same item again on a retry.
async fn asked_and_waiting(
    app: &TestApp,
    w: &Waiting,
    template: &str,
    path: &str,
    body: &Value,
    kind: &str,
) -> Reply {
    let before = books(app, &w.story.group).await;
    let key = Uuid::new_v4().to_string();
    let asked = ask(app, &w.tess, path, &key, body).await;
    assert_eq!(asked.status, StatusCode::ACCEPTED, "{}", asked.body);
    assert_reply_matches("POST", template, &asked);
    assert_eq!(asked.body["status"], "pending");
    assert_eq!(asked.body["operation"]["kind"], kind, "{}", asked.body);
    assert_eq!(asked.body["asked_by"], w.tess_id.as_str());
    assert_eq!(books(app, &w.story.group).await, before, "{kind} posted");
    let again = ask(app, &w.tess, path, &key, body).await;
    assert_eq!(again.status, StatusCode::ACCEPTED, "{}", again.body);
    assert_eq!(again.body["id"], asked.body["id"]);
    assert_eq!(books(app, &w.story.group).await, before, "{kind} posted");
    asked
}

/// Asserts that the item `asked` for shows, among the lines it would post, `amount` on
/// `account` in `direction`.
#[track_caller]
fn assert_would_post(asked: &Reply, account: &str, direction: &str, amount: &str) {
    let lines = asked.body["would_post"].as_array().unwrap();
    assert!(
        lines.iter().any(|l| l["account"] == account
            && l["direction"] == direction
            && l["amount"] == amount),
        "{}",
        asked.body
    );
}

fn id(reply: &Reply) -> String {
    reply.body["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {}", reply.body))
        .to_string()
}

/// The maker is refused (403), a second person approves (200, posted once), and a second
/// approval is refused (409): the approved item as answered.
async fn approved_once(app: &TestApp, w: &Waiting, item: &str) -> Reply {
    let template = "/v1/groups/{group_id}/approvals/{approval_id}/approve";
    let own = decide(app, w, &w.tess, item, "approve").await;
    assert_eq!(own.status, StatusCode::FORBIDDEN, "{}", own.body);
    let approved = decide(app, w, &w.rosa, item, "approve").await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_reply_matches("POST", template, &approved);
    assert_eq!(approved.body["status"], "approved");
    let twice = decide(app, w, &app.client, item, "approve").await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.body);
    approved
}

/// A rejected item is decided for good and posts nothing.
async fn rejected_never_posts(app: &TestApp, w: &Waiting, item: &str) {
    let before = books(app, &w.story.group).await;
    let rejected = decide(app, w, &w.rosa, item, "reject").await;
    assert_eq!(rejected.status, StatusCode::OK, "{}", rejected.body);
    assert_eq!(rejected.body["status"], "rejected");
    assert_eq!(rejected.body["result_id"], Value::Null);
    let later = decide(app, w, &app.client, item, "approve").await;
    assert_eq!(later.status, StatusCode::CONFLICT, "{}", later.body);
    assert_eq!(books(app, &w.story.group).await, before);
}

/// An approval a rule now refuses answers `status` and leaves the item pending.
async fn refused_and_still_pending(app: &TestApp, w: &Waiting, item: &str, status: StatusCode) {
    let before = books(app, &w.story.group).await;
    let refused = decide(app, w, &w.rosa, item, "approve").await;
    assert_eq!(refused.status, status, "{}", refused.body);
    assert_eq!(books(app, &w.story.group).await, before);
    let still = app
        .get(&format!("/v1/groups/{}/approvals/{item}", w.story.group))
        .await;
    assert_eq!(still.body["status"], "pending", "{}", still.body);
    assert_eq!(still.body["decided_by"], Value::Null);
}

both_backends!(a_disbursement_waits_for_a_second_person, |app| async move {
    let w = waiting_on(&app, "disbursements").await;
    let g = w.story.group.clone();
    let template = "/v1/groups/{group_id}/investments/{investment_id}/disbursements";
    let path = format!("/v1/groups/{g}/investments/{}/disbursements", w.story.coop);
    let disbursements = || async { app.get(&path).await.body["items"].clone() };
    let before = disbursements().await;
    // The group holds PHP 6,950 at the home bank.
    let body = json!({"amount": "5000.00", "booked_on": "2026-07-02", "note": "second tranche"});
    let asked = asked_and_waiting(&app, &w, template, &path, &body, "disbursement").await;
    assert_eq!(asked.body["operation"]["amount"], "5000.00");
    assert_eq!(asked.body["operation"]["booked_on"], "2026-07-02");
    assert_eq!(
        asked.body["operation"]["investment_id"],
        w.story.coop.as_str()
    );
    assert_would_post(&asked, "assets:home-bank:PHP", "credit", "5000.00");
    assert_eq!(disbursements().await, before);
    // A second one waits beside it; together they are more than the group holds.
    let second = asked_and_waiting(&app, &w, template, &path, &body, "disbursement").await;
    let third = asked_and_waiting(&app, &w, template, &path, &body, "disbursement").await;
    // More than the group holds is refused when asked, as the disbursement itself would be.
    let too_much = json!({"amount": "100000.00", "booked_on": "2026-07-02"});
    let refused = ask(&app, &w.tess, &path, "too-much", &too_much).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );

    let approved = approved_once(&app, &w, &id(&asked)).await;
    let posted = disbursements().await;
    assert_eq!(
        posted.as_array().unwrap().len(),
        before.as_array().unwrap().len() + 1
    );
    let made = posted
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == approved.body["result_id"])
        .unwrap_or_else(|| panic!("{} not in {posted}", approved.body));
    assert_eq!(made["amount"], "5000.00");
    assert_eq!(app.balance(&g, "assets:home-bank:PHP").await, "1950.00");

    // The home bank now holds less than the second asks for.
    refused_and_still_pending(&app, &w, &id(&second), StatusCode::UNPROCESSABLE_ENTITY).await;
    rejected_never_posts(&app, &w, &id(&third)).await;
    assert_eq!(app.balance(&g, "assets:home-bank:PHP").await, "1950.00");
});

both_backends!(a_distribution_waits_for_a_second_person, |app| async move {
    let w = waiting_on(&app, "distributions").await;
    let g = w.story.group.clone();
    let template = "/v1/groups/{group_id}/distributions";
    let path = format!("/v1/groups/{g}/distributions");
    let distributions = || async { app.get(&path).await.body["items"].clone() };
    let before = distributions().await;
    // The group has PHP 2,450 undistributed.
    let body = json!({"pool": "2000.00", "currency": "PHP", "as_of": "2026-06-30",
                      "pay_to": "payable", "booked_on": "2026-07-01"});
    // A dry run posts nothing and never waits.
    let mut dry = body.clone();
    dry["dry_run"] = json!(true);
    let preview = app.post(&path, &dry).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);

    let asked = asked_and_waiting(&app, &w, template, &path, &body, "distribution").await;
    assert_eq!(asked.body["operation"]["pool"], "2000.00");
    assert_eq!(asked.body["operation"]["as_of"], "2026-06-30");
    assert_eq!(asked.body["operation"]["booked_on"], "2026-07-01");
    assert_would_post(&asked, "equity:undistributed:PHP", "debit", "2000.00");
    assert_eq!(distributions().await, before);
    let second = asked_and_waiting(&app, &w, template, &path, &body, "distribution").await;
    let third = asked_and_waiting(&app, &w, template, &path, &body, "distribution").await;

    let approved = approved_once(&app, &w, &id(&asked)).await;
    let posted = distributions().await;
    let items = posted.as_array().unwrap();
    assert_eq!(items.len(), before.as_array().unwrap().len() + 1);
    assert!(
        items.iter().any(|d| d["id"] == approved.body["result_id"]),
        "{} not in {posted}",
        approved.body
    );
    assert_eq!(app.balance(&g, "equity:undistributed:PHP").await, "450.00");

    // The pool is now more than the group has undistributed.
    refused_and_still_pending(&app, &w, &id(&second), StatusCode::UNPROCESSABLE_ENTITY).await;
    rejected_never_posts(&app, &w, &id(&third)).await;
    assert_eq!(distributions().await, posted);
});

both_backends!(a_reversal_waits_for_a_second_person, |app| async move {
    let w = waiting_on(&app, "reversals").await;
    let g = w.story.group.clone();
    let mistake = app
        .transfer(&g, "assets:cash:HKD", "income:investments:HKD", "40.00")
        .await;
    assert_eq!(mistake.status, StatusCode::CREATED, "{}", mistake.body);
    let original = id(&mistake);
    let template = "/v1/groups/{group_id}/transactions/{transaction_id}/reversal";
    let path = format!("/v1/groups/{g}/transactions/{original}/reversal");
    let body = json!({"description": "typed into the wrong account"});
    let asked = asked_and_waiting(&app, &w, template, &path, &body, "reversal").await;
    assert_eq!(asked.body["operation"]["transaction_id"], original.as_str());
    // Its booking date is resolved when asked: the original's own, an open date.
    assert_eq!(
        asked.body["operation"]["booked_on"], mistake.body["booked_on"],
        "{}",
        asked.body
    );
    assert_would_post(&asked, "assets:cash:HKD", "credit", "40.00");
    let shown = app
        .get(&format!("/v1/groups/{g}/transactions/{original}"))
        .await;
    assert_eq!(shown.body["reversed_by"], Value::Null, "{}", shown.body);
    let second = asked_and_waiting(&app, &w, template, &path, &body, "reversal").await;
    let third = asked_and_waiting(&app, &w, template, &path, &body, "reversal").await;

    let approved = approved_once(&app, &w, &id(&asked)).await;
    let shown = app
        .get(&format!("/v1/groups/{g}/transactions/{original}"))
        .await;
    assert_eq!(
        shown.body["reversed_by"], approved.body["result_id"],
        "{}",
        shown.body
    );
    let reversing = approved.body["result_id"].as_str().unwrap();
    let reversing = app
        .get(&format!("/v1/groups/{g}/transactions/{reversing}"))
        .await;
    assert_eq!(
        reversing.body["description"],
        "typed into the wrong account"
    );
    assert_eq!(app.balance(&g, "income:investments:HKD").await, "0.00");

    // The transaction was reversed meanwhile: a second reversal is refused.
    refused_and_still_pending(&app, &w, &id(&second), StatusCode::CONFLICT).await;
    rejected_never_posts(&app, &w, &id(&third)).await;
});

both_backends!(a_period_close_waits_for_a_second_person, |app| async move {
    let w = waiting_on(&app, "period_closes").await;
    let g = w.story.group.clone();
    // Some income in the next period, for the close to move into undistributed surplus.
    let income = app
        .post_with_key(
            &format!("/v1/groups/{g}/transactions"),
            &Uuid::new_v4().to_string(),
            &json!({"description": "interest", "booked_on": "2026-08-15", "entries": [
                {"account": "assets:cash:HKD", "direction": "debit", "amount": "40.00"},
                {"account": "income:investments:HKD", "direction": "credit", "amount": "40.00"},
            ]}),
        )
        .await;
    assert_eq!(income.status, StatusCode::CREATED, "{}", income.body);
    let template = "/v1/groups/{group_id}/period-closes";
    let path = format!("/v1/groups/{g}/period-closes");
    let september = json!({"through": "2026-09-30"});
    let asked = asked_and_waiting(&app, &w, template, &path, &september, "period_close").await;
    assert_eq!(asked.body["operation"]["through"], "2026-09-30");
    assert_eq!(asked.body["operation"]["fx_rates"], json!([]));
    assert_would_post(&asked, "income:investments:HKD", "debit", "40.00");
    // Not closed yet: the income is still income, and a posting in September is taken.
    assert_eq!(app.balance(&g, "income:investments:HKD").await, "40.00");
    let august = json!({"through": "2026-08-31"});
    let earlier = asked_and_waiting(&app, &w, template, &path, &august, "period_close").await;
    let again = asked_and_waiting(&app, &w, template, &path, &september, "period_close").await;

    let approved = approved_once(&app, &w, &id(&asked)).await;
    let group = app.get(&format!("/v1/groups/{g}")).await;
    assert_eq!(group.body["closed_through"], "2026-09-30", "{}", group.body);
    assert_eq!(app.balance(&g, "income:investments:HKD").await, "0.00");
    let closing = approved.body["result_id"].as_str().unwrap();
    let closing = app
        .get(&format!("/v1/groups/{g}/transactions/{closing}"))
        .await;
    assert_eq!(closing.status, StatusCode::OK, "{}", closing.body);
    assert_eq!(closing.body["booked_on"], "2026-09-30");

    // The books are closed through September now: August is closed already.
    refused_and_still_pending(&app, &w, &id(&earlier), StatusCode::CONFLICT).await;
    rejected_never_posts(&app, &w, &id(&again)).await;
});

both_backends!(
    a_new_group_makes_money_leaving_in_bulk_wait,
    |app| async move {
        let created = app
            .post(
                "/v1/groups",
                &json!({"name": "Fresh Savers", "currency": "HKD", "host_country": "HK",
                        "home_country": "PH"}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let g = id(&created);
        let path = format!("/v1/groups/{g}/approval-policy");
        let policy = app.get(&path).await;
        assert_eq!(policy.status, StatusCode::OK, "{}", policy.body);
        assert_reply_matches("GET", "/v1/groups/{group_id}/approval-policy", &policy);
        assert_eq!(
            policy.body,
            json!({"withdrawals_above": {}, "exits": true, "disbursements": true,
                   "distributions": true, "reversals": false, "period_closes": false,
                   "expires_after_hours": 168})
        );
        // A member's exit waits with no policy set.
        let member = app
            .post(
                &format!("/v1/groups/{g}/members"),
                &json!({"name": "Ana", "sex": "female", "home_country": "PH",
                        "host_country": "HK", "joined_on": "2026-01-10"}),
            )
            .await;
        assert_eq!(member.status, StatusCode::CREATED, "{}", member.body);
        let exit = app
            .post_with_key(
                &format!("/v1/groups/{g}/members/{}/exit", id(&member)),
                "leaving",
                &json!({"status": "exited", "channel": "cash", "on": "2026-02-01"}),
            )
            .await;
        assert_eq!(exit.status, StatusCode::ACCEPTED, "{}", exit.body);
        // A switch left out of a change is as a new group has it; one named is as named.
        let set = app
            .send(
                app.client
                    .put(app.url(&path))
                    .json(&json!({"withdrawals_above": {}, "reversals": true,
                                  "distributions": false})),
            )
            .await;
        assert_eq!(set.status, StatusCode::OK, "{}", set.body);
        assert_eq!(
            (
                &set.body["exits"],
                &set.body["disbursements"],
                &set.body["distributions"],
                &set.body["reversals"],
                &set.body["period_closes"]
            ),
            (
                &json!(true),
                &json!(true),
                &json!(false),
                &json!(true),
                &json!(false)
            ),
            "{}",
            set.body
        );
    }
);

const INSERT_GROUP: &str = "INSERT INTO groups (id, name, currency, host_country, \
     home_country, created_at, closed_through, head_sequence, head_hash) \
     VALUES ($1, $2, 'HKD', 'HK', 'PH', $3, NULL, 0, $4)";

const INSERT_POLICY: &str = "INSERT INTO approval_policies (group_id, withdrawals_above, \
     expires_after_hours, updated_at, updated_by, exits) VALUES ($1, '{\"HKD\":500000}', 48, $2, \
     NULL, $3)";

/// A database as it was before the policy's switches (migration 0020): a group that never set
/// a policy, and one whose policy limits withdrawals and makes exits wait.
async fn database_before_the_switches(
    backend: Backend,
) -> Option<(String, Option<tempfile::TempDir>, Uuid, Uuid)> {
    let (url, dir) = support::app::fresh_database_url(backend).await?;
    let (unset, limited) = (Uuid::now_v7(), Uuid::now_v7());
    match backend {
        Backend::Sqlite => {
            let options = url
                .parse::<sqlx::sqlite::SqliteConnectOptions>()
                .unwrap()
                .create_if_missing(true);
            let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
            sqlx::migrate!("./migrations/sqlite")
                .run_to(20, &pool)
                .await
                .unwrap();
            groups_before_the_switches(&pool, unset, limited).await;
            pool.close().await;
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&url).await.unwrap();
            sqlx::migrate!("./migrations/postgres")
                .run_to(20, &pool)
                .await
                .unwrap();
            groups_before_the_switches(&pool, unset, limited).await;
            pool.close().await;
        }
    }
    Some((url, dir, unset, limited))
}

/// Writes the groups `unset` (no policy) and `limited` (withdrawals limited, exits waiting)
/// into a database migrated up to the policy's switches.
async fn groups_before_the_switches<DB>(pool: &sqlx::Pool<DB>, unset: Uuid, limited: Uuid)
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    DB::Arguments: sqlx::IntoArguments<DB>,
    for<'q> Uuid: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> chrono::DateTime<chrono::Utc>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> bool: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let now = chrono::Utc::now();
    let zero_hash = "0".repeat(64);
    for (id, name) in [(unset, "Unset Savers"), (limited, "Careful Savers")] {
        sqlx::query(INSERT_GROUP)
            .bind(id)
            .bind(name)
            .bind(now)
            .bind(zero_hash.as_str())
            .execute(pool)
            .await
            .unwrap();
    }
    sqlx::query(INSERT_POLICY)
        .bind(limited)
        .bind(now)
        .bind(true)
        .execute(pool)
        .await
        .unwrap();
}

async fn groups_of_before_keep_behaving_as_they_did(backend: Backend) {
    let Some((url, dir, unset, limited)) = database_before_the_switches(backend).await else {
        return;
    };
    let config = msai_ledger::app::AppConfig::default();
    let app = support::app::spawn_on(backend, url, dir, config).await;
    let policy = |group: Uuid| {
        let app = &app;
        async move {
            let reply = app
                .get(&format!("/v1/groups/{group}/approval-policy"))
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            reply.body
        }
    };
    // Nothing waits in a group that had set nothing, as before.
    assert_eq!(
        policy(unset).await,
        json!({"withdrawals_above": {}, "exits": false, "disbursements": false,
               "distributions": false, "reversals": false, "period_closes": false,
               "expires_after_hours": 168})
    );
    // A group's own policy is kept, the new switches off.
    assert_eq!(
        policy(limited).await,
        json!({"withdrawals_above": {"HKD": "5000.00"}, "exits": true, "disbursements": false,
               "distributions": false, "reversals": false, "period_closes": false,
               "expires_after_hours": 48})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn groups_of_before_keep_behaving_as_they_did_on_sqlite() {
    groups_of_before_keep_behaving_as_they_did(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn groups_of_before_keep_behaving_as_they_did_on_postgres() {
    groups_of_before_keep_behaving_as_they_did(Backend::Postgres).await;
}

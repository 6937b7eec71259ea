//! The authorization matrix, on both backends: every route the router serves, called by every
//! kind of caller, on objects of group A (where the treasurer and the member hold their grants)
//! and of group B (where they hold none). The routes come from `route_access_table()`, so a
//! route added to the router is in the matrix at once, and the answer expected of each call is
//! computed from the route's declared `Access` through the table below: a route whose access
//! the table does not know fails the test.
//!
//! Every write that is refused must leave the ledger as it was: balances, head sequence, head
//! hash and closed period of the group it named, and the users and groups of the service.

use crate::support;

use std::time::Duration;

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode, get_current_timestamp};
use msai_ledger::app::{AppConfig, AuthConfig};
use msai_ledger::auth::caller::Access;
use msai_ledger::http::route_access_table;
use reqwest::{Client, Method};
use serde_json::{Value, json};
use support::app::{ADMIN_PASSWORD, Backend, Reply, TestApp, client_with_token, login, spawn_with};
use uuid::Uuid;

/// The service's HS256 secret in these tests, so an expired token can be minted.
const SECRET: &str = "matrix-secret-matrix-secret-matrix-secret";
/// Password of every user `TestApp::user_with` creates.
const USER_PASSWORD: &str = "a-long-enough-password";

/// What a call must get.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// The route's normal answer (2xx for the valid requests the matrix sends).
    Allowed,
    /// 401 `unauthorized` with a `WWW-Authenticate` challenge.
    Unauthorized,
    /// 403 `forbidden`: the caller may know the object exists but may not do this.
    Forbidden,
    /// 404 `not-found`: the object's existence is private to the caller.
    Hidden,
}

use Expect::{Allowed, Forbidden, Hidden, Unauthorized};

/// How a caller stands towards the object of one call; the columns of [`EXPECTATIONS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Admin = 0,
    Auditor = 1,
    /// Treasurer of the group the call's objects belong to.
    Treasurer = 2,
    /// Chair of the group the call's objects belong to.
    Chair = 3,
    /// Member of the group the call's objects belong to.
    Member = 4,
    /// Signed in, with no grant on the group the call's objects belong to.
    Stranger = 5,
    NoToken = 6,
    ExpiredToken = 7,
}

/// What each access lets each column do. For service-wide routes the group of the objects
/// only matters where the route says so (`AdminOrTreasurer`: a treasurer creates member users
/// of their own groups only).
#[rustfmt::skip]
const EXPECTATIONS: [(Access, [Expect; 8]); 10] = [
    //                        admin      auditor    treasurer  chair      member     stranger   no token      expired token
    (Access::Public,           [Allowed, Allowed,   Allowed,   Allowed,   Allowed,   Allowed,   Allowed,      Allowed]),
    (Access::SignedIn,         [Allowed, Allowed,   Allowed,   Allowed,   Allowed,   Allowed,   Unauthorized, Unauthorized]),
    (Access::Admin,            [Allowed, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Unauthorized, Unauthorized]),
    (Access::AdminOrTreasurer, [Allowed, Forbidden, Allowed,   Forbidden, Forbidden, Forbidden, Unauthorized, Unauthorized]),
    (Access::Oversight,        [Allowed, Allowed,   Forbidden, Forbidden, Forbidden, Forbidden, Unauthorized, Unauthorized]),
    (Access::GroupAnyone,      [Allowed, Allowed,   Allowed,   Allowed,   Allowed,   Hidden,    Unauthorized, Unauthorized]),
    (Access::GroupRead,        [Allowed, Allowed,   Allowed,   Allowed,   Forbidden, Hidden,    Unauthorized, Unauthorized]),
    (Access::GroupWrite,       [Allowed, Forbidden, Allowed,   Forbidden, Forbidden, Hidden,    Unauthorized, Unauthorized]),
    (Access::GroupApprove,     [Allowed, Forbidden, Allowed,   Allowed,   Forbidden, Hidden,    Unauthorized, Unauthorized]),
    // The member column calls on another member's record: hidden, like a stranger's call.
    (Access::MemberSelf,       [Allowed, Allowed,   Allowed,   Allowed,   Hidden,    Hidden,    Unauthorized, Unauthorized]),
];

fn expectation(access: Access, column: Column, route: &str) -> Expect {
    let (_, row) = EXPECTATIONS
        .iter()
        .find(|(known, _)| *known == access)
        .unwrap_or_else(|| {
            panic!("{route} declares {access:?}, which the authorization matrix does not know")
        });
    row[column as usize]
}

/// The callers of the matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Admin,
    Auditor,
    TreasurerOfA,
    ChairOfA,
    MemberOfA,
    NoToken,
    ExpiredToken,
}

const EVERYONE: [Who; 7] = [
    Who::Admin,
    Who::Auditor,
    Who::TreasurerOfA,
    Who::ChairOfA,
    Who::MemberOfA,
    Who::NoToken,
    Who::ExpiredToken,
];

/// Group A or group B.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    A,
    B,
}

fn column(who: Who, side: Side) -> Column {
    match (who, side) {
        (Who::Admin, _) => Column::Admin,
        (Who::Auditor, _) => Column::Auditor,
        (Who::TreasurerOfA, Side::A) => Column::Treasurer,
        (Who::ChairOfA, Side::A) => Column::Chair,
        (Who::MemberOfA, Side::A) => Column::Member,
        (Who::TreasurerOfA | Who::ChairOfA | Who::MemberOfA, Side::B) => Column::Stranger,
        (Who::NoToken, _) => Column::NoToken,
        (Who::ExpiredToken, _) => Column::ExpiredToken,
    }
}

/// One group's objects.
struct Objects {
    group: String,
    /// Codes of its two accounts.
    cash: String,
    savings: String,
    transaction: String,
    /// A member user of the group who calls nothing, target of the user routes.
    user: String,
    /// A member record of the group, with a contribution and a withdrawal recorded for it.
    member: String,
    contribution: String,
    withdrawal: String,
    /// An investment in HKD with a disbursement, an income return and a write-down; a
    /// remittance, a transfer and a distribution.
    investment: String,
    disbursement: String,
    income: String,
    write_down: String,
    remittance: String,
    transfer: String,
    distribution: String,
    meeting: String,
    /// A change of the approval policy asked for by the group's maker, waiting for approval.
    approval: String,
    /// A treasurer of the group who calls nothing in the matrix but asks for the items others
    /// approve or reject (no one decides her own).
    maker: Client,
}

struct Caller {
    client: Client,
    /// The user's id, username and password, for signed-in callers.
    user: Option<(String, &'static str, &'static str)>,
}

struct World {
    app: TestApp,
    a: Objects,
    b: Objects,
    callers: Vec<(Who, Caller)>,
    /// Makes names and dates unique across the calls.
    counter: u32,
}

fn mint(claims: &Value) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .expect("sign a token")
}

fn remittance_body(member: &str) -> Value {
    json!({
        "member_id": member, "send_amount": "10.00", "send_currency": "HKD", "fee": "0.50",
        "receive_amount": "70.00", "receive_currency": "PHP", "provider": "Padala Express",
        "channel": "money_transfer_operator", "send_country": "HK", "receive_country": "PH",
        "uses": [{"purpose": "family_support", "amount": "70.00"}],
    })
}

/// A change of `group`'s approval policy (to the default) asked for by its treasurer `maker`:
/// the id of the item waiting for another person.
async fn propose_policy(app: &TestApp, maker: &Client, group: &str) -> String {
    let reply = app
        .send(
            maker
                .put(app.url(&format!("/v1/groups/{group}/approval-policy")))
                .json(&json!({"withdrawals_above": {}})),
        )
        .await;
    assert_eq!(reply.status, 202, "{}", reply.body);
    reply.body["id"].as_str().unwrap().to_string()
}

async fn objects(app: &TestApp, name: &str) -> Objects {
    let group = app.create_group(name).await;
    let cash = "assets:cash".to_string();
    let savings = "liabilities:savings".to_string();
    app.create_account(&group, &cash, "asset", "HKD", false)
        .await;
    app.create_account(&group, &savings, "liability", "HKD", false)
        .await;
    let posted = app.transfer(&group, &cash, &savings, "500.00").await;
    assert_eq!(posted.status, 201, "{}", posted.body);
    let record = app
        .post(
            &format!("/v1/groups/{group}/members"),
            &json!({"name": format!("Saver {name}"), "home_country": "PH", "host_country": "HK"}),
        )
        .await;
    assert_eq!(record.status, 201, "{}", record.body);
    let record = record.body["id"].as_str().unwrap().to_string();
    let member = app
        .post(
            "/v1/users",
            &json!({
                "username": format!("bystander-{}", name.to_lowercase()),
                "password": USER_PASSWORD,
                "grants": [{"role": "member", "group_id": group, "member_id": record}],
            }),
        )
        .await;
    assert_eq!(member.status, 201, "{}", member.body);
    let contribution = app
        .post_with_key(
            &format!("/v1/groups/{group}/contributions"),
            &format!("matrix-contribution-{name}"),
            &json!({"member_id": record, "amount": "100.00", "fund": "savings", "channel": "cash"}),
        )
        .await;
    assert_eq!(contribution.status, 201, "{}", contribution.body);
    let withdrawal = app
        .post_with_key(
            &format!("/v1/groups/{group}/withdrawals"),
            &format!("matrix-withdrawal-{name}"),
            &json!({"member_id": record, "amount": "1.00", "from": "savings", "channel": "cash"}),
        )
        .await;
    assert_eq!(withdrawal.status, 201, "{}", withdrawal.body);
    let created = |reply: Reply| -> String {
        assert_eq!(reply.status, 201, "{}", reply.body);
        reply.body["id"].as_str().unwrap().to_string()
    };
    app.create_account(&group, "assets:bank:HKD", "asset", "HKD", false)
        .await;
    app.create_account(&group, "equity:undistributed:HKD", "equity", "HKD", false)
        .await;
    let surplus = app
        .transfer(&group, &cash, "equity:undistributed:HKD", "50.00")
        .await;
    assert_eq!(surplus.status, 201, "{}", surplus.body);
    let groups = format!("/v1/groups/{group}");
    let investment = created(
        app.post_with_key(
            &format!("{groups}/investments"),
            &format!("matrix-investment-{name}"),
            &json!({"name": "Coop", "kind": "cooperative", "sector": "agriculture", "country": "PH", "currency": "HKD"}),
        )
        .await,
    );
    let event = |kind: &str, body: Value| {
        let path = format!("{groups}/investments/{investment}/{kind}");
        let key = format!("matrix-{kind}-{name}");
        async move { app.post_with_key(&path, &key, &body).await }
    };
    let disbursement =
        created(event("disbursements", json!({"amount": "10.00", "account": cash})).await);
    let income = created(
        event(
            "returns",
            json!({"kind": "income", "amount": "1.00", "account": cash}),
        )
        .await,
    );
    let write_down = created(event("write-downs", json!({"amount": "0.01"})).await);
    let remittance = created(
        app.post_with_key(
            &format!("{groups}/remittances"),
            &format!("matrix-remittance-{name}"),
            &remittance_body(&record),
        )
        .await,
    );
    let transfer = created(
        app.post_with_key(
            &format!("{groups}/transfers"),
            &format!("matrix-transfer-{name}"),
            &json!({"from": cash, "to": "assets:bank:HKD", "amount": "1.00"}),
        )
        .await,
    );
    let distribution = created(
        app.post_with_key(
            &format!("{groups}/distributions"),
            &format!("matrix-distribution-{name}"),
            &json!({"pool": "1.00", "pay_to": "payable"}),
        )
        .await,
    );
    let meeting = created(
        app.post_with_key(
            &format!("{groups}/meetings"),
            &format!("matrix-meeting-{name}"),
            &json!({"attendance": [record], "events": [
                {"type": "contribution", "member_id": record, "amount": "1.00", "fund": "savings", "channel": "cash"},
            ]}),
        )
        .await,
    );
    let (_, maker) = app
        .user_with(
            &format!("maker-{}", name.to_lowercase()),
            json!([{"role": "treasurer", "group_id": group}]),
        )
        .await;
    let approval = propose_policy(app, &maker, &group).await;
    Objects {
        approval,
        maker,
        meeting,
        investment,
        disbursement,
        income,
        write_down,
        remittance,
        transfer,
        distribution,
        member: record,
        contribution: contribution.body["id"].as_str().unwrap().to_string(),
        withdrawal: withdrawal.body["id"].as_str().unwrap().to_string(),
        transaction: posted.body["id"].as_str().unwrap().to_string(),
        user: member.body["id"].as_str().unwrap().to_string(),
        group,
        cash,
        savings,
    }
}

impl World {
    async fn build(app: TestApp) -> World {
        let a = objects(&app, "A").await;
        let b = objects(&app, "B").await;
        let (treasurer, treasurer_client) = app
            .user_with(
                "treasurer-a",
                json!([{"role": "treasurer", "group_id": a.group}]),
            )
            .await;
        // member-a is a member of group A, but not the member whose records the paths name.
        let own_record = app
            .post(
                &format!("/v1/groups/{}/members", a.group),
                &json!({"name": "Member A", "home_country": "PH", "host_country": "HK"}),
            )
            .await;
        assert_eq!(own_record.status, 201, "{}", own_record.body);
        let (member, member_client) = app
            .user_with(
                "member-a",
                json!([{"role": "member", "group_id": a.group, "member_id": own_record.body["id"]}]),
            )
            .await;
        let (auditor, auditor_client) =
            app.user_with("auditor", json!([{"role": "auditor"}])).await;
        let (chair, chair_client) = app
            .user_with("chair-a", json!([{"role": "chair", "group_id": a.group}]))
            .await;
        let me = app.get("/v1/me").await;
        let admin = me.body["user"]["id"].as_str().unwrap().to_string();
        let now = get_current_timestamp();
        let expired = mint(&json!({
            "sub": admin, "iss": "msai-ledger", "aud": "msai-ledger",
            "iat": now - 7200, "exp": now - 3600,
        }));
        let callers = vec![
            (
                Who::Admin,
                Caller {
                    client: app.client.clone(),
                    user: Some((admin, "admin", ADMIN_PASSWORD)),
                },
            ),
            (
                Who::Auditor,
                Caller {
                    client: auditor_client,
                    user: Some((auditor, "auditor", USER_PASSWORD)),
                },
            ),
            (
                Who::TreasurerOfA,
                Caller {
                    client: treasurer_client,
                    user: Some((treasurer, "treasurer-a", USER_PASSWORD)),
                },
            ),
            (
                Who::ChairOfA,
                Caller {
                    client: chair_client,
                    user: Some((chair, "chair-a", USER_PASSWORD)),
                },
            ),
            (
                Who::MemberOfA,
                Caller {
                    client: member_client,
                    user: Some((member, "member-a", USER_PASSWORD)),
                },
            ),
            (
                Who::NoToken,
                Caller {
                    client: app.anonymous.clone(),
                    user: None,
                },
            ),
            (
                Who::ExpiredToken,
                Caller {
                    client: client_with_token(&expired),
                    user: None,
                },
            ),
        ];
        World {
            app,
            a,
            b,
            callers,
            counter: 0,
        }
    }

    fn objects(&self, side: Side) -> &Objects {
        match side {
            Side::A => &self.a,
            Side::B => &self.b,
        }
    }

    fn caller(&self, who: Who) -> &Caller {
        &self
            .callers
            .iter()
            .find(|(w, _)| *w == who)
            .expect("every caller is set up")
            .1
    }

    /// Signs `who` in again: changing a password ends the tokens issued before it.
    async fn sign_in_again(&mut self, who: Who) {
        let Some((_, username, password)) = self.caller(who).user.clone() else {
            return;
        };
        let token = login(&self.app.anonymous, &self.app.base, username, password)
            .await
            .unwrap_or_else(|status| panic!("{username} signs in again: {status}"));
        let client = client_with_token(&token);
        if who == Who::Admin {
            self.app.client = client.clone();
        }
        if let Some((_, caller)) = self.callers.iter_mut().find(|(w, _)| *w == who) {
            caller.client = client;
        }
    }

    /// A GET of `path` signed in by a session cookie of `who`, made by signing in from a
    /// browser: none for the caller with no token, one already ended for the expired token.
    async fn by_session_cookie(&self, who: Who, path: &str) -> reqwest::RequestBuilder {
        let browser = Client::new();
        let request = browser.get(self.app.url(path));
        let (username, password) = match (who, &self.caller(who).user) {
            (Who::NoToken, _) => return request,
            (_, Some((_, username, password))) => (*username, *password),
            (_, None) => ("admin", ADMIN_PASSWORD),
        };
        let signed_in = self
            .app
            .send(
                browser
                    .post(self.app.url("/v1/auth/session"))
                    .json(&json!({"username": username, "password": password})),
            )
            .await;
        assert_eq!(signed_in.status, 201, "{}", signed_in.body);
        let cookie = signed_in
            .headers
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .expect("a session cookie")
            .to_string();
        if who == Who::ExpiredToken {
            let out = self
                .app
                .send(
                    browser
                        .delete(self.app.url("/v1/auth/session"))
                        .header("Cookie", &cookie)
                        .header("Origin", &self.app.base)
                        .header(
                            "X-CSRF-Token",
                            signed_in.body["csrf_token"].as_str().unwrap(),
                        ),
                )
                .await;
            assert_eq!(out.status, 204, "{}", out.body);
        }
        request.header("Cookie", cookie)
    }

    fn next(&mut self) -> u32 {
        self.counter += 1;
        self.counter
    }

    /// A transaction of the group that nothing has reversed yet, posted by the administrator.
    async fn fresh_transaction(&self, side: Side) -> String {
        let o = self.objects(side);
        let reply = self
            .app
            .transfer(&o.group, &o.cash, &o.savings, "1.00")
            .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        reply.body["id"].as_str().unwrap().to_string()
    }

    /// An item waiting for approval, for a call that decides it.
    async fn fresh_approval(&self, side: Side) -> String {
        let o = self.objects(side);
        propose_policy(&self.app, &o.maker, &o.group).await
    }

    /// A member of the group with nothing recorded, for a call that sends them home.
    async fn fresh_member(&self, side: Side) -> String {
        let o = self.objects(side);
        let reply = self
            .app
            .post(
                &format!("/v1/groups/{}/members", o.group),
                &json!({"name": "Leaver", "home_country": "PH", "host_country": "HK"}),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        reply.body["id"].as_str().unwrap().to_string()
    }

    /// A remittance recorded in transit, for a call to complete or fail.
    async fn fresh_remittance_in_transit(&self, side: Side) -> String {
        let o = self.objects(side);
        let mut body = remittance_body(&o.member);
        body["status"] = json!("in_transit");
        let reply = self
            .app
            .post_with_key(
                &format!("/v1/groups/{}/remittances", o.group),
                &Uuid::new_v4().to_string(),
                &body,
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        reply.body["id"].as_str().unwrap().to_string()
    }

    /// A grant given by the administrator to the group's bystander, for a call to remove.
    async fn fresh_grant(&self, side: Side) -> String {
        let o = self.objects(side);
        let reply = self
            .app
            .post(
                &format!("/v1/users/{}/grants", o.user),
                &json!({"role": "member", "group_id": o.group, "member_id": o.member}),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        reply.body["id"].as_str().unwrap().to_string()
    }

    /// A webhook of the group, for a call that reads, replays or deletes it. Nothing listens
    /// at its address: deliveries to it fail, which changes nothing the matrix checks.
    async fn fresh_webhook(&self, side: Side) -> String {
        let o = self.objects(side);
        let reply = self
            .app
            .post_with_key(
                &format!("/v1/groups/{}/webhooks", o.group),
                &Uuid::new_v4().to_string(),
                &json!({"url": "http://127.0.0.1:9/matrix"}),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        reply.body["id"].as_str().unwrap().to_string()
    }

    /// The concrete path of `template` for a call by `who` on `side`'s objects. Writes get
    /// objects of their own where a write uses them up (a reversal, a removed grant).
    async fn path(
        &self,
        method: &Method,
        template: &str,
        access: Access,
        who: Who,
        side: Side,
    ) -> String {
        let o = self.objects(side);
        let write = *method != Method::GET;
        let mut path = String::new();
        for segment in template.split('/').skip(1) {
            path.push('/');
            let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
                path.push_str(segment);
                continue;
            };
            let value = match name {
                "group_id" => o.group.clone(),
                "account" => o.cash.clone(),
                "transaction_id" if write => self.fresh_transaction(side).await,
                "transaction_id" => o.transaction.clone(),
                // A route open to every signed-in user acts on the caller's own user.
                "user_id" => match (&self.caller(who).user, access) {
                    (Some((own, _, _)), Access::SignedIn) => own.clone(),
                    _ => o.user.clone(),
                },
                "grant_id" => self.fresh_grant(side).await,
                // Leaving is for good: each exit gets a member of its own.
                "member_id" if template.ends_with("/exit") => self.fresh_member(side).await,
                "member_id" => o.member.clone(),
                "investment_id" => o.investment.clone(),
                "event_id" if template.contains("/disbursements/") => o.disbursement.clone(),
                "event_id" if template.contains("/returns/") => o.income.clone(),
                "event_id" if template.contains("/write-downs/") => o.write_down.clone(),
                // Completing or failing settles a remittance for good: each call gets one
                // in transit of its own.
                "remittance_id" if write => self.fresh_remittance_in_transit(side).await,
                "remittance_id" => o.remittance.clone(),
                "transfer_id" => o.transfer.clone(),
                "distribution_id" => o.distribution.clone(),
                "meeting_id" => o.meeting.clone(),
                "contribution_id" => o.contribution.clone(),
                // Every group of the matrix has transactions by then.
                "sequence" => "1".to_string(),
                "withdrawal_id" => o.withdrawal.clone(),
                "approval_id" if write => self.fresh_approval(side).await,
                "approval_id" => o.approval.clone(),
                "webhook_id" => self.fresh_webhook(side).await,
                other => panic!(
                    "{method} {template} has a path parameter {{{other}}} the matrix cannot fill"
                ),
            };
            path.push_str(&value);
        }
        // A route whose query is required gets a valid one.
        if template.ends_with("/export") {
            path.push_str("?format=csv");
        }
        path
    }

    /// A valid body for a write to `template` by `who` on `side`'s objects.
    fn body(&mut self, method: &Method, template: &str, who: Who, side: Side) -> Option<Value> {
        if *method == Method::GET {
            return None;
        }
        let n = self.next();
        let o = self.objects(side);
        let body = match (method.as_str(), template) {
            ("POST", "/v1/auth/token" | "/v1/auth/session") => {
                json!({"username": "treasurer-a", "password": USER_PASSWORD})
            }
            ("POST", "/v1/users") => json!({
                "username": format!("new-member-{n}"),
                "password": USER_PASSWORD,
                "grants": [{"role": "member", "group_id": o.group, "member_id": o.member}],
            }),
            ("POST", "/v1/users/{user_id}/grants") => {
                json!({"role": "member", "group_id": o.group, "member_id": o.member})
            }
            ("POST", "/v1/users/{user_id}/password") => {
                // The password the caller already has, so later sign-ins still work.
                let password = self
                    .caller(who)
                    .user
                    .as_ref()
                    .map_or(USER_PASSWORD, |u| u.2);
                json!({ "password": password, "current_password": password })
            }
            ("POST", "/v1/users/{user_id}/disable") | ("DELETE", _) => return None,
            ("POST", "/v1/groups") => json!({
                "name": format!("Group {n}"), "currency": "HKD", "host_country": "HK", "home_country": "PH",
            }),
            ("POST", "/v1/groups/{group_id}/accounts") => json!({
                "code": format!("expenses:matrix-{n}"), "name": "Matrix", "type": "expense", "currency": "HKD",
            }),
            ("POST", "/v1/groups/{group_id}/transactions") => json!({
                "description": "contribution",
                "entries": [
                    {"account": o.cash, "direction": "debit", "amount": "2.00"},
                    {"account": o.savings, "direction": "credit", "amount": "2.00"},
                ],
            }),
            ("POST", "/v1/groups/{group_id}/transactions/{transaction_id}/reversal") => {
                json!({"description": "entered twice"})
            }
            ("POST", "/v1/groups/{group_id}/period-closes") => {
                // Each close reaches a later day, long past, so it is never already closed and
                // never stops today's postings.
                let through = chrono::NaiveDate::from_ymd_opt(2001, 1, 1).unwrap()
                    + chrono::Duration::days(i64::from(n));
                json!({ "through": through.to_string() })
            }
            ("POST", "/v1/groups/{group_id}/members") => json!({
                "name": format!("Member {n}"), "home_country": "PH", "host_country": "HK",
            }),
            ("PATCH", "/v1/groups/{group_id}/members/{member_id}") => {
                json!({ "occupation": format!("domestic worker {n}") })
            }
            ("POST", "/v1/groups/{group_id}/contributions") => json!({
                "member_id": o.member, "amount": "2.00", "fund": "savings", "channel": "cash",
            }),
            ("POST", "/v1/groups/{group_id}/withdrawals") => json!({
                "member_id": o.member, "amount": "0.01", "from": "savings", "channel": "cash",
            }),
            ("PATCH", "/v1/groups/{group_id}") => json!({ "distribution_basis": "savings" }),
            ("POST", "/v1/groups/{group_id}/members/{member_id}/exit") => {
                json!({ "status": "returned_home", "channel": "cash" })
            }
            ("POST", "/v1/groups/{group_id}/remittances") => remittance_body(&o.member),
            ("POST", "/v1/groups/{group_id}/remittances/{remittance_id}/completion") => {
                json!({ "receive_amount": "70.00" })
            }
            ("POST", "/v1/groups/{group_id}/remittances/{remittance_id}/failure") => json!({}),
            ("POST", "/v1/groups/{group_id}/transfers") => json!({
                "from": o.cash, "to": "assets:bank:HKD", "amount": "0.01",
            }),
            ("POST", "/v1/groups/{group_id}/investments") => json!({
                "name": format!("Enterprise {n}"), "kind": "enterprise", "sector": "retail",
                "country": "PH", "currency": "HKD",
            }),
            ("PATCH", "/v1/groups/{group_id}/investments/{investment_id}") => {
                json!({ "status": "active" })
            }
            ("POST", "/v1/groups/{group_id}/investments/{investment_id}/disbursements") => {
                json!({ "amount": "0.02", "account": o.cash })
            }
            ("POST", "/v1/groups/{group_id}/investments/{investment_id}/returns") => {
                json!({ "kind": "income", "amount": "0.02", "account": o.cash })
            }
            ("POST", "/v1/groups/{group_id}/investments/{investment_id}/write-downs") => {
                json!({ "amount": "0.01" })
            }
            ("POST", "/v1/groups/{group_id}/meetings") => json!({
                "attendance": [o.member],
                "events": [{"type": "contribution", "member_id": o.member, "amount": "0.50", "fund": "savings", "channel": "cash"}],
            }),
            // A preview: the pool stays for the next call.
            ("POST", "/v1/groups/{group_id}/distributions") => {
                json!({ "pool": "0.01", "pay_to": "payable", "dry_run": true })
            }
            ("PUT", "/v1/groups/{group_id}/approval-policy") => json!({"withdrawals_above": {}}),
            ("POST", "/v1/groups/{group_id}/webhooks") => {
                json!({"url": "http://127.0.0.1:9/matrix", "event_types": ["contribution"]})
            }
            ("POST", "/v1/groups/{group_id}/webhooks/{webhook_id}/replay") => json!({"after": 0}),
            ("POST", "/v1/groups/{group_id}/approvals/{approval_id}/approve")
            | ("POST", "/v1/groups/{group_id}/approvals/{approval_id}/reject") => {
                json!({"note": "seen"})
            }
            _ => panic!("the authorization matrix knows no valid body for {method} {template}"),
        };
        Some(body)
    }

    /// What a refused write must not change: the group's balances, head and closed period, and
    /// the service's users (with their grants and whether they are disabled) and groups.
    async fn state(&self, side: Side) -> Value {
        let o = self.objects(side);
        let group = self.app.get(&format!("/v1/groups/{}", o.group)).await;
        let accounts = self
            .app
            .get(&format!("/v1/groups/{}/accounts", o.group))
            .await;
        let users = self.app.get("/v1/users?limit=500").await;
        let groups = self.app.get("/v1/groups?limit=500").await;
        for reply in [&group, &accounts, &users, &groups] {
            assert_eq!(reply.status, 200, "{}", reply.body);
        }
        json!({
            "head_sequence": group.body["head_sequence"],
            "head_hash": group.body["head_hash"],
            "closed_through": group.body["closed_through"],
            "balances": accounts.body["items"].as_array().unwrap().iter()
                .map(|a| json!([a["code"], a["debits"], a["credits"], a["balance"]]))
                .collect::<Vec<_>>(),
            "users": users.body["items"].as_array().unwrap().iter()
                .map(|u| json!([u["id"], u["disabled"], u["grants"].as_array().unwrap().iter().map(|g| g["id"].clone()).collect::<Vec<_>>()]))
                .collect::<Vec<_>>(),
            "groups": groups.body["items"].as_array().unwrap().len(),
        })
    }
}

/// Whether `reply` is what `expect` promises; the reason when it is not.
fn judge(expect: Expect, reply: &Reply) -> Result<(), String> {
    let problem = reply.problem_type();
    let challenge = reply
        .headers
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let ok = match expect {
        Allowed => reply.status.is_success(),
        Unauthorized => {
            reply.status == 401
                && problem == "/problems/unauthorized"
                && challenge.starts_with("Bearer")
        }
        Forbidden => reply.status == 403 && problem == "/problems/forbidden",
        Hidden => reply.status == 404 && problem == "/problems/not-found",
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "expected {expect:?}, got {} {} (WWW-Authenticate: {challenge:?})",
            reply.status, reply.body
        ))
    }
}

/// The service with a secret the test knows.
fn config() -> AppConfig {
    AppConfig {
        auth: AuthConfig {
            jwt_secret: Some(SECRET.to_string()),
            ..AuthConfig::default()
        },
        ..AppConfig::default()
    }
}

/// Like `both_backends!`, for a service started with [`config`].
macro_rules! both_backends_with_secret {
    ($name:ident, $test:path) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let app = super::spawn_with(super::Backend::Sqlite, super::config())
                    .await
                    .expect("SQLite is always available");
                $test(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                if let Some(app) =
                    super::spawn_with(super::Backend::Postgres, super::config()).await
                {
                    $test(app).await;
                }
            }
        }
    };
}

async fn every_route_answers_every_caller_as_its_access_says(app: TestApp) {
    let backend = app.backend;
    let mut world = World::build(app).await;
    let routes = route_access_table();
    assert!(!routes.is_empty(), "the router serves no route");
    let mut failures = Vec::new();
    let mut calls = 0;
    for (method, template, access) in &routes {
        for who in EVERYONE {
            for side in [Side::A, Side::B] {
                let route = format!("{method} {template}");
                let expect = expectation(*access, column(who, side), &route);
                let body = world.body(method, template, who, side);
                let path = world.path(method, template, *access, who, side).await;
                let refused_write = *method != Method::GET && expect != Allowed;
                let before = if refused_write {
                    Some(world.state(side).await)
                } else {
                    None
                };
                let client = &world.caller(who).client;
                let mut request = if *method == Method::GET && *template == "/v1/auth/session" {
                    // The route reads the session a cookie names: each caller calls it signed
                    // in by a session cookie of their own instead of their token.
                    world.by_session_cookie(who, &path).await
                } else {
                    client.request(method.clone(), world.app.url(&path))
                }
                .timeout(Duration::from_secs(30));
                if *method != Method::GET {
                    request = request.header("Idempotency-Key", Uuid::new_v4().to_string());
                }
                if let Some(body) = &body {
                    request = request.json(body);
                }
                let reply = world.app.send(request).await;
                calls += 1;
                if template == &"/v1/users/{user_id}/password" && reply.status == 204 {
                    world.sign_in_again(who).await;
                }
                let context = format!("{route} as {who:?} on group {side:?} ({path})");
                if let Err(why) = judge(expect, &reply) {
                    failures.push(format!("{context}: {why}"));
                }
                if let Some(before) = before {
                    let after = world.state(side).await;
                    if before != after {
                        failures.push(format!(
                            "{context}: the refused write changed the service\n  before: {before}\n  after:  {after}"
                        ));
                    }
                }
            }
        }
    }
    assert_eq!(calls, routes.len() * EVERYONE.len() * 2);
    assert!(
        failures.is_empty(),
        "{} of {calls} calls on {backend:?} were answered against their route's access:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

both_backends_with_secret!(
    every_route_answers_every_caller_as_its_access_says,
    super::every_route_answers_every_caller_as_its_access_says
);

#[test]
fn every_declared_access_has_a_row_in_the_matrix() {
    for (method, template, access) in route_access_table() {
        let route = format!("{method} {template}");
        for column in [
            Column::Admin,
            Column::Auditor,
            Column::Treasurer,
            Column::Chair,
            Column::Member,
            Column::Stranger,
            Column::NoToken,
            Column::ExpiredToken,
        ] {
            expectation(access, column, &route);
        }
    }
}

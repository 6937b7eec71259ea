//! Bearer tokens, on both backends: every kind of bad token is refused with 401
//! `/problems/unauthorized` and a `Bearer` challenge, and a token from the configured outside
//! identity provider (EdDSA) is accepted only when it names that provider as its issuer.

use crate::support;

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode, get_current_timestamp};
use msai_ledger::app::{AppConfig, AuthConfig, ExternalKeyConfig};
use reqwest::Client;
use serde_json::{Value, json};
use support::app::{Backend, Reply, TestApp, client_with_token, spawn_with};
use uuid::Uuid;

/// The service's own HS256 secret in these tests.
const SECRET: &str = "token-tests-secret-token-tests-secret";
const ISSUER: &str = "msai-ledger";
const AUDIENCE: &str = "msai-ledger";
/// The outside identity provider the service trusts.
const OUTSIDE_ISSUER: &str = "https://id.example.org";

/// Ed25519 key pairs in PEM, made once per test run with `openssl`.
struct KeyPair {
    private_pem: Vec<u8>,
    public_pem: Vec<u8>,
}

fn openssl(args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .output()
        .expect("the openssl command line tool makes the Ed25519 test keys");
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn generate_key_pair() -> KeyPair {
    let dir = tempfile::tempdir().expect("temp dir");
    let private = dir.path().join("private.pem");
    let public = dir.path().join("public.pem");
    let (private_s, public_s) = (private.to_str().unwrap(), public.to_str().unwrap());
    openssl(&["genpkey", "-algorithm", "ed25519", "-out", private_s]);
    openssl(&["pkey", "-in", private_s, "-pubout", "-out", public_s]);
    KeyPair {
        private_pem: std::fs::read(&private).unwrap(),
        public_pem: std::fs::read(&public).unwrap(),
    }
}

/// The outside provider's key pair (its public key configured in the service).
fn provider() -> &'static KeyPair {
    static KEYS: OnceLock<KeyPair> = OnceLock::new();
    KEYS.get_or_init(generate_key_pair)
}

/// A key pair the service has never heard of.
fn stranger_keys() -> &'static KeyPair {
    static KEYS: OnceLock<KeyPair> = OnceLock::new();
    KEYS.get_or_init(generate_key_pair)
}

/// A service with a known secret that also trusts the outside provider's EdDSA tokens.
struct Service {
    app: TestApp,
    /// The administrator's user id.
    admin_id: String,
    _keys_dir: tempfile::TempDir,
}

async fn start(backend: Backend) -> Option<Service> {
    let dir = tempfile::tempdir().expect("temp dir");
    let public_key_pem: PathBuf = dir.path().join("provider.pem");
    std::fs::write(&public_key_pem, &provider().public_pem).unwrap();
    let config = AppConfig {
        auth: AuthConfig {
            jwt_secret: Some(SECRET.to_string()),
            issuer: ISSUER.to_string(),
            audience: AUDIENCE.to_string(),
            external: Some(ExternalKeyConfig {
                public_key_pem,
                algorithm: "EdDSA".to_string(),
                issuer: OUTSIDE_ISSUER.to_string(),
                audience: AUDIENCE.to_string(),
            }),
            ..AuthConfig::default()
        },
        ..AppConfig::default()
    };
    let app = spawn_with(backend, config).await?;
    let me = app.get("/v1/me").await;
    assert_eq!(me.status, 200, "{}", me.body);
    let admin_id = me.body["user"]["id"].as_str().unwrap().to_string();
    Some(Service {
        app,
        admin_id,
        _keys_dir: dir,
    })
}

/// Like `both_backends!`, for a service started by [`start`].
macro_rules! both_backends_with_keys {
    ($name:ident, |$s:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($s: Service) {
                $body.await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let service = start(Backend::Sqlite)
                    .await
                    .expect("SQLite is always available");
                run(service).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                if let Some(service) = start(Backend::Postgres).await {
                    run(service).await;
                }
            }
        }
    };
}

/// The claims of a token the service itself would issue to `sub`, valid for ten minutes.
fn claims(sub: &str) -> Value {
    let now = get_current_timestamp();
    json!({"sub": sub, "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 600})
}

fn with(mut claims: Value, name: &str, value: Value) -> Value {
    claims[name] = value;
    claims
}

fn without(mut claims: Value, name: &str) -> Value {
    claims.as_object_mut().unwrap().remove(name);
    claims
}

fn hs256(claims: &Value, secret: &[u8]) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

/// A token signed with the service's own secret.
fn signed(claims: &Value) -> String {
    hs256(claims, SECRET.as_bytes())
}

fn eddsa(claims: &Value, keys: &KeyPair) -> String {
    encode(
        &Header::new(Algorithm::EdDSA),
        claims,
        &EncodingKey::from_ed_pem(&keys.private_pem).expect("an Ed25519 private key"),
    )
    .unwrap()
}

fn now() -> u64 {
    get_current_timestamp()
}

impl Service {
    async fn me_with(&self, client: &Client) -> Reply {
        self.app.send(client.get(self.app.url("/v1/me"))).await
    }

    async fn me_with_token(&self, token: &str) -> Reply {
        self.me_with(&client_with_token(token)).await
    }

    async fn me_with_authorization(&self, value: &str) -> Reply {
        self.app
            .send(
                self.app
                    .anonymous
                    .get(self.app.url("/v1/me"))
                    .header("Authorization", value),
            )
            .await
    }

    /// `token` is refused: 401 `unauthorized` with a Bearer challenge naming an invalid token.
    async fn assert_refused(&self, token: &str, what: &str) {
        let reply = self.me_with_token(token).await;
        assert_invalid_token(&reply, what);
        // A group route refuses it the same way, before looking at the group.
        let group = Uuid::new_v4();
        let reply = self
            .app
            .send(client_with_token(token).get(self.app.url(&format!("/v1/groups/{group}"))))
            .await;
        assert_invalid_token(&reply, what);
    }
}

fn challenge(reply: &Reply) -> String {
    reply
        .headers
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

fn assert_unauthorized(reply: &Reply, what: &str) {
    assert_eq!(reply.status, 401, "{what}: {}", reply.body);
    assert_eq!(
        reply.problem_type(),
        "/problems/unauthorized",
        "{what}: {}",
        reply.body
    );
    assert!(
        challenge(reply).starts_with("Bearer"),
        "{what}: the WWW-Authenticate challenge is {:?}",
        challenge(reply)
    );
}

/// RFC 6750: a request whose token is bad gets `error="invalid_token"` in its challenge.
fn assert_invalid_token(reply: &Reply, what: &str) {
    assert_unauthorized(reply, what);
    assert!(
        challenge(reply).contains("error=\"invalid_token\""),
        "{what}: the challenge {:?} does not say the token is invalid",
        challenge(reply)
    );
}

both_backends_with_keys!(
    a_token_minted_like_the_service_s_own_is_accepted,
    |s| async move {
        let reply = s.me_with_token(&signed(&claims(&s.admin_id))).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(reply.body["user"]["username"], "admin");
    }
);

both_backends_with_keys!(a_request_without_a_token_is_refused, |s| async move {
    let reply = s.me_with(&s.app.anonymous).await;
    assert_unauthorized(&reply, "no token");
    // Nothing was presented, so the challenge names no error (RFC 6750, section 3.1).
    assert!(
        !challenge(&reply).contains("error="),
        "{}",
        challenge(&reply)
    );
});

both_backends_with_keys!(a_malformed_token_is_refused, |s| async move {
    for token in ["not-a-token", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30"] {
        s.assert_refused(token, &format!("malformed token {token:?}"))
            .await;
    }
    // The right token under another scheme is no bearer token.
    let token = signed(&claims(&s.admin_id));
    let reply = s.me_with_authorization(&format!("Basic {token}")).await;
    assert_unauthorized(&reply, "a token sent as Basic credentials");
});

both_backends_with_keys!(a_token_with_alg_none_is_refused, |s| async move {
    let body = URL_SAFE_NO_PAD.encode(claims(&s.admin_id).to_string());
    for header in [
        r#"{"alg":"none","typ":"JWT"}"#,
        r#"{"alg":"None","typ":"JWT"}"#,
    ] {
        let header = URL_SAFE_NO_PAD.encode(header);
        s.assert_refused(&format!("{header}.{body}."), "alg none, no signature")
            .await;
        // Nor does the signature of a real token make it valid.
        let real = signed(&claims(&s.admin_id));
        let signature = real.rsplit('.').next().unwrap();
        s.assert_refused(
            &format!("{header}.{body}.{signature}"),
            "alg none with a signature",
        )
        .await;
    }
});

both_backends_with_keys!(
    a_token_signed_with_another_secret_is_refused,
    |s| async move {
        let token = hs256(
            &claims(&s.admin_id),
            b"another-secret-another-secret-another-secret",
        );
        s.assert_refused(&token, "HS256 with another secret").await;
    }
);

both_backends_with_keys!(
    a_token_signed_with_the_outside_provider_s_public_key_as_an_hs256_secret_is_refused,
    |s| async move {
        // The classic confusion: the public key is public, so anyone can sign with it.
        let secret = &provider().public_pem;
        for iss in [ISSUER, OUTSIDE_ISSUER] {
            let token = hs256(&with(claims(&s.admin_id), "iss", iss.into()), secret);
            s.assert_refused(
                &token,
                &format!("HS256 keyed with the public key, iss {iss}"),
            )
            .await;
        }
        // The bare key inside the PEM, too.
        let pem = String::from_utf8(secret.clone()).unwrap();
        let base64_key: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(base64_key)
            .unwrap();
        let token = hs256(&claims(&s.admin_id), &der);
        s.assert_refused(&token, "HS256 keyed with the public key's DER")
            .await;
    }
);

both_backends_with_keys!(an_expired_token_is_refused, |s| async move {
    let t = now();
    let token = signed(&with(
        with(claims(&s.admin_id), "iat", (t - 7200).into()),
        "exp",
        (t - 120).into(),
    ));
    s.assert_refused(&token, "expired two minutes ago").await;
});

both_backends_with_keys!(
    a_token_expired_within_the_clock_skew_leeway_is_still_accepted,
    |s| async move {
        let t = now();
        let token = signed(&with(
            with(claims(&s.admin_id), "iat", (t - 600).into()),
            "exp",
            (t - 5).into(),
        ));
        let reply = s.me_with_token(&token).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
);

both_backends_with_keys!(a_token_not_yet_valid_is_refused, |s| async move {
    let token = signed(&with(claims(&s.admin_id), "nbf", (now() + 300).into()));
    s.assert_refused(&token, "nbf five minutes ahead").await;
});

both_backends_with_keys!(a_token_issued_in_the_future_is_refused, |s| async move {
    let t = now();
    let token = signed(&with(
        with(claims(&s.admin_id), "iat", (t + 300).into()),
        "exp",
        (t + 900).into(),
    ));
    s.assert_refused(&token, "iat five minutes ahead").await;
});

both_backends_with_keys!(
    a_token_without_the_right_issuer_is_refused,
    |s| async move {
        s.assert_refused(&signed(&without(claims(&s.admin_id), "iss")), "no iss")
            .await;
        for iss in ["someone-else", OUTSIDE_ISSUER, ""] {
            let token = signed(&with(claims(&s.admin_id), "iss", iss.into()));
            s.assert_refused(&token, &format!("iss {iss:?}")).await;
        }
    }
);

both_backends_with_keys!(
    a_token_without_the_right_audience_is_refused,
    |s| async move {
        s.assert_refused(&signed(&without(claims(&s.admin_id), "aud")), "no aud")
            .await;
        for aud in ["someone-else", ""] {
            let token = signed(&with(claims(&s.admin_id), "aud", aud.into()));
            s.assert_refused(&token, &format!("aud {aud:?}")).await;
        }
    }
);

both_backends_with_keys!(a_token_without_a_subject_is_refused, |s| async move {
    s.assert_refused(&signed(&without(claims(&s.admin_id), "sub")), "no sub")
        .await;
    s.assert_refused(
        &signed(&with(claims(&s.admin_id), "sub", "".into())),
        "empty sub",
    )
    .await;
});

both_backends_with_keys!(
    a_token_without_an_expiry_or_issue_time_is_refused,
    |s| async move {
        s.assert_refused(&signed(&without(claims(&s.admin_id), "exp")), "no exp")
            .await;
        s.assert_refused(&signed(&without(claims(&s.admin_id), "iat")), "no iat")
            .await;
    }
);

both_backends_with_keys!(
    a_token_for_a_user_who_does_not_exist_is_refused,
    |s| async move {
        let token = signed(&claims(&Uuid::new_v4().to_string()));
        s.assert_refused(&token, "sub names no user").await;
        let token = signed(&claims("nobody-by-this-name"));
        s.assert_refused(&token, "sub names no username").await;
    }
);

both_backends_with_keys!(
    a_disabled_user_s_token_stops_working_at_once,
    |s| async move {
        let (id, client) = s
            .app
            .user_with("soon-disabled", json!([{"role": "auditor"}]))
            .await;
        let reply = s.me_with(&client).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        let disabled = s
            .app
            .send(
                s.app
                    .client
                    .post(s.app.url(&format!("/v1/users/{id}/disable"))),
            )
            .await;
        assert_eq!(disabled.status, 200, "{}", disabled.body);
        assert_eq!(disabled.body["disabled"], true);
        let reply = s.me_with(&client).await;
        assert_invalid_token(&reply, "the token of a disabled user");
        let reply = s.app.send(client.get(s.app.url("/v1/audit-events"))).await;
        assert_invalid_token(&reply, "the token of a disabled user, on the audit log");
    }
);

both_backends_with_keys!(
    an_outside_provider_s_eddsa_token_naming_a_user_is_accepted_only_from_that_provider,
    |s| async move {
        let group = s.app.create_group("Outside").await;
        let created = s
            .app
            .post(
                "/v1/users",
                &json!({
                    "username": "ana.santos",
                    "password": "a-long-enough-password",
                    "grants": [{"role": "treasurer", "group_id": group}],
                }),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
        let outside = with(claims("ana.santos"), "iss", OUTSIDE_ISSUER.into());

        let token = eddsa(&outside, provider());
        let reply = s.me_with_token(&token).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(reply.body["user"]["username"], "ana.santos");
        assert_eq!(reply.body["user"]["id"], created.body["id"]);
        let reply = s
            .app
            .send(client_with_token(&token).get(s.app.url(&format!("/v1/groups/{group}/accounts"))))
            .await;
        assert_eq!(
            reply.status, 200,
            "the treasurer reads their group: {}",
            reply.body
        );

        for iss in ["https://evil.example.org", ISSUER] {
            let token = eddsa(&with(outside.clone(), "iss", iss.into()), provider());
            s.assert_refused(&token, &format!("EdDSA with iss {iss}"))
                .await;
        }
        let token = eddsa(
            &with(outside.clone(), "aud", "someone-else".into()),
            provider(),
        );
        s.assert_refused(&token, "EdDSA for another audience").await;
        let token = eddsa(&outside, stranger_keys());
        s.assert_refused(&token, "EdDSA signed by a key the service does not trust")
            .await;
        let expired = with(
            with(outside.clone(), "iat", (now() - 7200).into()),
            "exp",
            (now() - 120).into(),
        );
        s.assert_refused(&eddsa(&expired, provider()), "expired EdDSA")
            .await;
    }
);

/// Signs in as `username` through the token route and returns the token.
async fn sign_in(s: &Service, username: &str, password: &str) -> String {
    support::app::login(&s.app.anonymous, &s.app.base, username, password)
        .await
        .unwrap_or_else(|status| panic!("{username} could not sign in: {status}"))
}

both_backends_with_keys!(
    a_password_change_ends_every_token_issued_before_it,
    |s| async move {
        let (id, first) = s
            .app
            .user_with("changes.her.password", json!([{"role": "auditor"}]))
            .await;
        let second = sign_in(&s, "changes.her.password", "a-long-enough-password").await;
        let password = s.app.url(&format!("/v1/users/{id}/password"));

        // By herself: the token she changed it with, and every other one she had, end at once,
        // even those issued in the same second as the change.
        let changed = s
            .app
            .send(first.post(&password).json(
                &json!({"password": "her-second-password", "current_password": "a-long-enough-password"}),
            ))
            .await;
        assert_eq!(changed.status, 204, "{}", changed.body);
        let after = sign_in(&s, "changes.her.password", "her-second-password").await;
        for (client, what) in [
            (first.clone(), "the token the password was changed with"),
            (client_with_token(&second), "another token issued before"),
        ] {
            let reply = s.me_with(&client).await;
            assert_invalid_token(&reply, what);
            let reply = s.app.send(client.get(s.app.url("/v1/audit-events"))).await;
            assert_invalid_token(&reply, what);
        }
        let reply = s.me_with_token(&after).await;
        assert_eq!(
            reply.status, 200,
            "a token issued after the change works: {}",
            reply.body
        );

        // Reset by an administrator: the same.
        let reset = s
            .app
            .post(
                &format!("/v1/users/{id}/password"),
                &json!({"password": "reset-by-the-admin"}),
            )
            .await;
        assert_eq!(reset.status, 204, "{}", reset.body);
        assert_invalid_token(
            &s.me_with_token(&after).await,
            "a token issued before the reset",
        );
        let fresh = sign_in(&s, "changes.her.password", "reset-by-the-admin").await;
        assert_eq!(s.me_with_token(&fresh).await.status, 200);
        // The administrator's own token is untouched by another user's change.
        assert_eq!(s.me_with(&s.app.client).await.status, 200);
    }
);

both_backends_with_keys!(
    a_password_change_here_leaves_the_outside_provider_s_tokens_alone,
    |s| async move {
        let (id, _) = s
            .app
            .user_with("signs.in.outside", json!([{"role": "auditor"}]))
            .await;
        let outside = eddsa(
            &with(claims("signs.in.outside"), "iss", OUTSIDE_ISSUER.into()),
            provider(),
        );
        assert_eq!(s.me_with_token(&outside).await.status, 200);
        let reset = s
            .app
            .post(
                &format!("/v1/users/{id}/password"),
                &json!({"password": "reset-by-the-admin"}),
            )
            .await;
        assert_eq!(reset.status, 204, "{}", reset.body);
        let reply = s.me_with_token(&outside).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        // Disabling the user is what ends them.
        let disabled = s
            .app
            .post(&format!("/v1/users/{id}/disable"), &json!({}))
            .await;
        assert_eq!(disabled.status, 200, "{}", disabled.body);
        assert_invalid_token(
            &s.me_with_token(&outside).await,
            "a disabled user's outside token",
        );
    }
);

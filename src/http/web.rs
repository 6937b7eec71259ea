//! The web app people use on their phones: its files, compiled into the binary, served at `/`
//! (the page), `/sw.js` (the service worker that keeps the app for offline use, which must sit
//! at the root to serve the whole site) and `/app/{file}` (scripts, styles, message
//! catalogues). The app reads and writes through `/v1` like every other client; nothing here
//! touches the store.

use std::sync::OnceLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use super::AppState;
use super::error::ApiError;

/// One file of the app.
struct Asset {
    path: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

macro_rules! asset {
    ($path:literal, $type:expr) => {
        Asset {
            path: $path,
            content_type: $type,
            bytes: include_bytes!(concat!("../../web/", $path)),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";
const FTL: &str = "text/plain; charset=utf-8";

/// Every file of the app. The service worker's list of files to keep offline is made from this
/// table (see [`service_worker`]), so a file added here is kept offline too.
static ASSETS: &[Asset] = &[
    asset!("index.html", "text/html; charset=utf-8"),
    asset!("app.css", "text/css; charset=utf-8"),
    asset!("print.css", "text/css; charset=utf-8"),
    asset!("app.js", JS),
    asset!("api.js", JS),
    asset!("i18n.js", JS),
    asset!("money.js", JS),
    asset!("outbox.js", JS),
    asset!("ui.js", JS),
    asset!("screens/admin.js", JS),
    asset!("screens/dashboard.js", JS),
    asset!("screens/group.js", JS),
    asset!("screens/meeting.js", JS),
    asset!("screens/member.js", JS),
    asset!("screens/money.js", JS),
    asset!("screens/oversight.js", JS),
    asset!("screens/performance.js", JS),
    asset!("locales/en.ftl", FTL),
    asset!("locales/fil.ftl", FTL),
    asset!("locales/id.ftl", FTL),
    asset!("locales/ne.ftl", FTL),
    asset!("icon.svg", "image/svg+xml"),
    asset!("manifest.webmanifest", "application/manifest+json"),
];

const SERVICE_WORKER: &str = include_str!("../../web/sw.js");

/// The app's version: a digest of all its files, so a phone holding an older copy offline
/// learns of the new one the next time it is online.
fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let mut digest = Sha256::new();
        for asset in ASSETS {
            digest.update(asset.path.as_bytes());
            digest.update((asset.bytes.len() as u64).to_be_bytes());
            digest.update(asset.bytes);
        }
        digest.update(SERVICE_WORKER.as_bytes());
        hex::encode(&digest.finalize()[..8])
    })
}

/// The routes of the app (no `/v1` route is among them).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/sw.js", get(service_worker))
        .route("/app/{*file}", get(file))
}

fn find(path: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.path == path)
}

/// A file, with an entity tag so that a phone revalidates it cheaply; `no-cache` because the
/// service worker, not the HTTP cache, keeps the app offline.
fn serve(asset: &Asset, headers: &HeaderMap) -> Response {
    let etag = format!("\"{}\"", version());
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (StatusCode::OK, asset.bytes).into_response()
    };
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, value);
    }
    response
}

async fn index(headers: HeaderMap) -> Response {
    match find("index.html") {
        Some(asset) => serve(asset, &headers),
        None => not_found(),
    }
}

async fn file(Path(path): Path<String>, headers: HeaderMap) -> Response {
    match find(&path) {
        Some(asset) => serve(asset, &headers),
        None => not_found(),
    }
}

/// The service worker, told the app's version and the files to keep.
async fn service_worker() -> Response {
    let files: Vec<String> = std::iter::once("/".to_string())
        .chain(
            ASSETS
                .iter()
                .filter(|a| a.path != "index.html")
                .map(|a| format!("/app/{}", a.path)),
        )
        .collect();
    let body = SERVICE_WORKER.replace("__VERSION__", version()).replace(
        "__FILES__",
        &serde_json::to_string(&files).unwrap_or_else(|_| "[]".into()),
    );
    let mut response = (StatusCode::OK, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(JS));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

fn not_found() -> Response {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not-found",
        "Not found",
        "the app has no such file",
    )
    .into_response()
}

/// The message ids of a Fluent catalogue, each with the variables its text uses, in order.
pub fn catalogue_messages(text: &str) -> Vec<(String, std::collections::BTreeSet<String>)> {
    let mut messages: Vec<(String, std::collections::BTreeSet<String>)> = Vec::new();
    for line in text.lines() {
        let starts_message = line
            .split_once('=')
            .map(|(id, _)| id.trim_end())
            .filter(|id| {
                !line.starts_with([' ', '\t', '#'])
                    && id.starts_with(|c: char| c.is_ascii_alphabetic())
                    && id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            });
        let body = match starts_message {
            Some(id) => {
                messages.push((id.to_string(), Default::default()));
                line.split_once('=').map_or("", |(_, b)| b)
            }
            None if line.starts_with([' ', '\t']) => line,
            None => continue,
        };
        if let Some((_, vars)) = messages.last_mut() {
            let mut rest = body;
            while let Some(at) = rest.find('$') {
                let name: String = rest[at + 1..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                    .collect();
                rest = &rest[at + 1 + name.len()..];
                vars.insert(name);
            }
        }
    }
    messages
}

#[cfg(test)]
mod catalogue_tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    fn text(path: &str) -> &'static str {
        std::str::from_utf8(find(path).expect("an asset").bytes).expect("UTF-8")
    }

    fn messages(lang: &str) -> BTreeMap<String, BTreeSet<String>> {
        catalogue_messages(text(&format!("locales/{lang}.ftl")))
            .into_iter()
            .collect()
    }

    #[test]
    fn every_catalogue_has_every_english_message_with_its_variables() {
        let english = messages("en");
        assert!(english.len() > 200, "{} English messages", english.len());
        for lang in ["fil", "id", "ne"] {
            let other = messages(lang);
            for (id, vars) in &english {
                let Some(translated) = other.get(id) else {
                    panic!("locales/{lang}.ftl lacks {id}");
                };
                assert_eq!(translated, vars, "{lang}: {id} uses other variables");
            }
            for id in other.keys() {
                assert!(
                    english.contains_key(id),
                    "{lang}: {id} is not an English message"
                );
            }
        }
    }

    #[test]
    fn a_missing_message_is_found() {
        let english =
            catalogue_messages("a = A\nb = { $n ->\n  [one] one\n *[other] { $n } more\n}\n");
        let other = catalogue_messages("a = A\n");
        assert_eq!(english.len(), 2);
        assert_eq!(english[1].1, BTreeSet::from(["n".to_string()]));
        assert!(!other.iter().any(|(id, _)| id == "b"));
    }

    /// The indicators of a group's performance, each with its name (`perf-ind-`) and its
    /// definition (`perf-def-`) in every catalogue.
    const INDICATORS: &[&str] = &[
        "members",
        "members_at_start",
        "women_percent",
        "meetings",
        "attendance_percent",
        "savings",
        "savings_per_member",
        "net_income",
        "return_on_savings_percent",
        "return_on_assets_percent",
        "members_left",
        "dropout_percent",
        "portfolio_written_down_percent",
        "social_fund",
        "savings_mobilised",
    ];

    /// The message families named from a value the service sends: `<family>-<value>`.
    const VALUE_FAMILIES: &[(&str, &[&str])] = &[
        ("status", &["active", "returned_home", "exited"]),
        ("sex", &["female", "male", "other", "undisclosed"]),
        ("fund", &["savings", "capital", "payable", "other"]),
        ("sheet", &["savings", "capital", "social"]),
        (
            "amount",
            &["empty", "format", "decimals", "negative", "zero"],
        ),
        (
            "channel",
            &[
                "cash",
                "bank",
                "mobile_wallet",
                "money_transfer_operator",
                "post",
            ],
        ),
        (
            "purpose",
            &[
                "family_support",
                "education",
                "health",
                "group_savings",
                "investment",
                "debt",
                "other",
            ],
        ),
        (
            "kind",
            &[
                "cooperative",
                "enterprise",
                "livelihood",
                "land",
                "deposit",
                "other",
            ],
        ),
        ("investment-status", &["active", "exited", "written_off"]),
        ("basis", &["savings", "capital", "equal"]),
        ("movement", &["disbursement", "income", "capital_returned"]),
        ("pay-to", &["savings", "capital", "payable"]),
        (
            "role",
            &["admin", "auditor", "treasurer", "chair", "member"],
        ),
        (
            "approval-status",
            &["pending", "approved", "rejected", "expired"],
        ),
        ("approval-kind", &["withdrawal", "exit", "policy"]),
        ("policy", &["exits-on", "exits-off"]),
        ("direction", &["debit", "credit"]),
        (
            "remit-status",
            &["arrived", "in_transit", "completed", "failed"],
        ),
        (
            "report",
            &[
                "savings",
                "portfolio",
                "remittance-corridors",
                "indicators",
                "reintegration",
            ],
        ),
        ("perf-ind", INDICATORS),
        ("perf-def", INDICATORS),
    ];

    /// The messages the scripts ask for by name: `t("id")`.
    fn asked_by_scripts() -> BTreeSet<String> {
        let mut wanted = BTreeSet::new();
        for asset in ASSETS.iter().filter(|a| a.path.ends_with(".js")) {
            let source = std::str::from_utf8(asset.bytes).expect("UTF-8");
            for (at, _) in source.match_indices("t(\"") {
                // `t(` itself, not the end of `get(` or `split(`.
                let before = source[..at].chars().next_back();
                if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
                    continue;
                }
                let id: String = source[at + 3..].chars().take_while(|c| *c != '"').collect();
                wanted.insert(id);
            }
        }
        wanted
    }

    /// The messages named from values: statuses, kinds, the sheets, and the problem types
    /// the API documents.
    fn named_from_values() -> BTreeSet<String> {
        let mut wanted = BTreeSet::new();
        for (family, values) in VALUE_FAMILIES {
            for value in *values {
                wanted.insert(format!("{family}-{value}"));
            }
        }
        for name in ["savings", "capital", "social"] {
            wanted.insert(format!("sheet-{name}-of"));
        }
        let spec = include_str!("../../openapi.yaml");
        for (at, _) in spec.match_indices("/problems/") {
            let slug: String = spec[at + 10..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '-')
                .collect();
            if !slug.is_empty() {
                wanted.insert(format!("problem-{slug}"));
            }
        }
        wanted
    }

    /// Every message the scripts ask for by name, and every message named from a value the
    /// service sends (statuses, kinds, problem types), is in the English catalogue.
    #[test]
    fn every_message_the_app_asks_for_is_in_english() {
        let english = messages("en");
        let mut wanted = asked_by_scripts();
        wanted.extend(named_from_values());
        let missing: Vec<_> = wanted
            .iter()
            .filter(|id| !english.contains_key(*id))
            .collect();
        assert!(
            missing.is_empty(),
            "missing from locales/en.ftl: {missing:?}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_is_found_by_its_path() {
        for asset in ASSETS {
            assert!(find(asset.path).is_some_and(|a| a.bytes == asset.bytes));
        }
        assert!(find("../Cargo.toml").is_none());
        assert_eq!(version().len(), 16);
    }
}

//! Several PostgreSQL hosts, of which one takes writes: a primary and its standbys, as
//! pg_auto_failover or any replication manager keeps them. The database URL names them all,
//! as libpq does (`postgres://user@h1:5432,h2:5432/db?target_session_attrs=read-write`);
//! sqlx connects to one host, so the service finds the writable one itself, and follows it
//! when it moves: a watcher asks the host in use every second whether it still takes writes,
//! and when it does not answer or has become read-only, asks the others in order and points
//! the pool at the first that does. Connections opened before the move are dropped when they
//! are next handed out. Meanwhile requests are answered 503 with `Retry-After`.

use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::postgres::{PgConnectOptions, PgPool};
use sqlx::{ConnectOptions as _, Connection as _};

/// How often the watcher asks the host in use whether it still takes writes.
const WATCH_EVERY: Duration = Duration::from_secs(1);
/// How long a host may take to answer that question.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// The hosts a database URL names, each as the options of a connection to it alone.
#[derive(Debug, Clone)]
pub struct Hosts {
    candidates: Vec<(String, PgConnectOptions)>,
}

impl Hosts {
    /// The hosts of `url`; a URL naming one host gives one. `target_session_attrs` is taken
    /// off (the service always looks for the writable host).
    pub fn parse(url: &str) -> anyhow::Result<Hosts> {
        let urls = split_hosts(url)?;
        let candidates = urls
            .into_iter()
            .map(|(host, url)| {
                let options = PgConnectOptions::from_str(&url)
                    .map_err(|e| anyhow::anyhow!("invalid PostgreSQL URL for host {host}: {e}"))?
                    .application_name("msai-ledger");
                Ok((host, options))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Hosts { candidates })
    }

    pub fn several(&self) -> bool {
        self.candidates.len() > 1
    }

    /// The first host's options (the only one's, for a URL naming one).
    pub fn first(&self) -> &PgConnectOptions {
        &self.candidates[0].1
    }

    /// The first host, in the URL's order, that takes writes: its place and options; the
    /// reason each one was passed over when none does.
    pub async fn find_writable(&self) -> Result<(usize, PgConnectOptions), String> {
        let mut passed = Vec::new();
        for (i, (host, options)) in self.candidates.iter().enumerate() {
            match takes_writes(options).await {
                Ok(()) => return Ok((i, options.clone())),
                Err(why) => passed.push(format!("{host}: {why}")),
            }
        }
        Err(passed.join("; "))
    }

    fn host(&self, i: usize) -> &str {
        &self.candidates[i].0
    }
}

/// Whether a new connection to the host of `options` takes writes.
async fn takes_writes(options: &PgConnectOptions) -> Result<(), String> {
    let probe = async {
        let mut conn = options
            .connect()
            .await
            .map_err(|e| format!("cannot connect: {e}"))?;
        let read_only: String = sqlx::query_scalar("SHOW transaction_read_only")
            .fetch_one(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
        let _ = conn.close().await;
        if read_only == "off" {
            Ok(())
        } else {
            Err("read-only (a standby)".to_string())
        }
    };
    tokio::time::timeout(PROBE_TIMEOUT, probe)
        .await
        .unwrap_or_else(|_| Err("no answer".to_string()))
}

/// Splits a URL naming `h1:p1,h2:p2` into one URL per host, with the user, database and
/// parameters of the original, less `target_session_attrs`; a URL naming one host is kept.
fn split_hosts(url: &str) -> anyhow::Result<Vec<(String, String)>> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| anyhow::anyhow!("a PostgreSQL URL starts with postgres://"))?;
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let (userinfo, hosts) = match authority.rfind('@') {
        Some(at) => (&authority[..=at], &authority[at + 1..]),
        None => ("", authority),
    };
    if !hosts.contains(',') {
        // One host (or none, for a socket named by a parameter): the URL as it is.
        return Ok(vec![(hosts.to_string(), url.to_string())]);
    }
    let (path, query) = match tail.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (tail, None),
    };
    let kept: Vec<&str> = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter(|p| !p.is_empty() && !p.starts_with("target_session_attrs="))
        .collect();
    let query = if kept.is_empty() {
        String::new()
    } else {
        format!("?{}", kept.join("&"))
    };
    hosts
        .split(',')
        .map(|host| {
            anyhow::ensure!(!host.is_empty(), "the PostgreSQL URL names an empty host");
            Ok((
                host.to_string(),
                format!("{scheme}://{userinfo}{host}{path}{query}"),
            ))
        })
        .collect()
}

/// When the pool was last pointed at another host: connections older than that go to the
/// host it left, and are dropped instead of handed out.
#[derive(Clone, Default)]
pub struct LastMove(Arc<Mutex<Option<Instant>>>);

impl LastMove {
    /// Whether a connection opened `age` ago was opened before the last move.
    pub fn predates(&self, age: Duration) -> bool {
        let moved = *self.0.lock().unwrap_or_else(|e| e.into_inner());
        moved.is_some_and(|at| age > at.elapsed())
    }

    fn now(&self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
    }
}

/// Follows the writable host for as long as the pool is open (see the module's comment).
pub fn follow(pool: PgPool, hosts: Hosts, mut current: usize, moved: LastMove) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(WATCH_EVERY).await;
            if pool.is_closed() {
                return;
            }
            let asked = async {
                sqlx::query_scalar::<_, String>("SHOW transaction_read_only")
                    .fetch_one(&pool)
                    .await
            };
            let healthy = matches!(
                tokio::time::timeout(PROBE_TIMEOUT, asked).await,
                Ok(Ok(ref read_only)) if read_only == "off"
            );
            if healthy {
                continue;
            }
            match hosts.find_writable().await {
                Ok((found, options)) if found != current => {
                    tracing::warn!(
                        from = hosts.host(current),
                        to = hosts.host(found),
                        "PostgreSQL: the writable host moved; following it"
                    );
                    pool.set_connect_options(options);
                    moved.now();
                    current = found;
                }
                Ok(_) => {}
                Err(why) => {
                    tracing::warn!(%why, "PostgreSQL: no host takes writes");
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_naming_several_hosts_is_one_url_per_host() {
        let split = split_hosts(
            "postgres://msai:pw@h1:5432,h2:5433/ledger?target_session_attrs=read-write&sslmode=prefer",
        )
        .unwrap();
        assert_eq!(
            split,
            vec![
                (
                    "h1:5432".to_string(),
                    "postgres://msai:pw@h1:5432/ledger?sslmode=prefer".to_string()
                ),
                (
                    "h2:5433".to_string(),
                    "postgres://msai:pw@h2:5433/ledger?sslmode=prefer".to_string()
                ),
            ]
        );
        assert_eq!(
            split_hosts("postgresql://db.example.org/ledger").unwrap(),
            vec![(
                "db.example.org".to_string(),
                "postgresql://db.example.org/ledger".to_string()
            )]
        );
        // A socket directory named by a parameter: no host in the authority at all.
        let socket = "postgres:///ledger?host=/run/postgresql";
        assert_eq!(
            split_hosts(socket).unwrap(),
            vec![(String::new(), socket.to_string())]
        );
        assert_eq!(
            split_hosts("postgres://u@h1,h2?target_session_attrs=read-write").unwrap(),
            vec![
                ("h1".to_string(), "postgres://u@h1".to_string()),
                ("h2".to_string(), "postgres://u@h2".to_string()),
            ]
        );
        assert!(split_hosts("postgres://u@h1,,h2/db").is_err());
        assert!(split_hosts("h1,h2/db").is_err());
    }

    #[test]
    fn a_password_with_an_at_sign_stays_the_password() {
        let split = split_hosts("postgres://u:p%40ss@x@h1,h2/db").unwrap();
        assert_eq!(split[1].1, "postgres://u:p%40ss@x@h2/db");
        let hosts = Hosts::parse("postgres://u@h1:1,h2:2/db").unwrap();
        assert!(hosts.several());
        assert_eq!(hosts.first().get_port(), 1);
    }

    #[test]
    fn only_connections_opened_before_the_move_are_dropped() {
        let moved = LastMove::default();
        assert!(!moved.predates(Duration::from_secs(3600)));
        moved.now();
        std::thread::sleep(Duration::from_millis(20));
        assert!(moved.predates(Duration::from_secs(1)));
        assert!(!moved.predates(Duration::from_millis(1)));
    }
}

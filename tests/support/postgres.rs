//! Throwaway PostgreSQL databases for the integration tests.
//!
//! A test that exercises the PostgreSQL backend asks [`fresh_database`] for an empty database
//! of its own. The databases live on the server named by `MSAI_TEST_POSTGRES_URL` when that is
//! set, and otherwise on a private cluster that this module starts once per test process from
//! the PostgreSQL server binaries installed on the machine: `MSAI_PG_BINDIR`, else the newest
//! `/usr/lib/postgresql/<version>/bin`, else whatever `pg_config --bindir` names.
//!
//! The private cluster listens on a free loopback port, runs with durability switched off, and
//! is killed by the kernel as soon as the test process exits. Its data directory is
//! `target/tmp/pg-test/<pid>`; directories left behind by earlier test processes are removed
//! when the next cluster starts. When the tests run as root, the cluster runs as the `postgres`
//! system user, since PostgreSQL refuses to run as root.
//!
//! Setting `MSAI_REQUIRE_POSTGRES=1` turns a missing PostgreSQL into a test failure instead of
//! a skipped PostgreSQL half.

use std::ffi::CString;
use std::fs::{self, OpenOptions};
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{OnceLock, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use sqlx::{AssertSqlSafe, Connection, PgConnection};

const REQUIRE_ENV: &str = "MSAI_REQUIRE_POSTGRES";
const URL_ENV: &str = "MSAI_TEST_POSTGRES_URL";
const BINDIR_ENV: &str = "MSAI_PG_BINDIR";

/// How long a freshly spawned server may take to accept connections.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How many ports to try when the server cannot listen on the one picked.
const PORT_ATTEMPTS: usize = 5;
/// How many lines of the server's log a start-up failure reports.
const LOG_TAIL_LINES: usize = 40;
/// `sun_path` of `sockaddr_un` on Linux, including the terminating NUL.
const UNIX_SOCKET_PATH_MAX: usize = 108;

/// URL of a fresh, empty PostgreSQL database for one test, or None when PostgreSQL testing
/// is unavailable on this machine. Panics (so the test fails) when MSAI_REQUIRE_POSTGRES=1
/// and no database can be provided.
pub async fn fresh_database() -> Option<String> {
    // Starting the private cluster blocks this thread for a second or two, once per process.
    // It runs on a thread of its own, so it does not depend on the runtime of the test that
    // happens to get here first.
    let admin_url = match SERVER.get_or_init(locate_server) {
        Server::Ready { admin_url } => admin_url,
        Server::Unavailable(why) => {
            if required() {
                panic!("{REQUIRE_ENV}=1, but no PostgreSQL server is available for tests: {why}");
            }
            eprintln!("note: PostgreSQL half of this test skipped: {why}");
            return None;
        }
        Server::Broken(message) => panic!("{message}"),
    };

    let name = format!("t_{}", uuid::Uuid::now_v7().simple());
    let mut admin = PgConnection::connect(admin_url)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to the PostgreSQL test server: {e}"));
    // The name is generated above from hex digits only, so it is safe to splice in.
    sqlx::raw_sql(AssertSqlSafe(format!(
        "CREATE DATABASE {name} TEMPLATE template0"
    )))
    .execute(&mut admin)
    .await
    .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
    // Databases are never dropped: the private cluster is thrown away as a whole, and a
    // database kept on a shared server helps to inspect a failed test.
    let _ = admin.close().await;
    Some(with_database(admin_url, &name))
}

enum Server {
    /// A server is running; the URL names its maintenance database as a superuser.
    Ready { admin_url: String },
    /// Nothing to test against on this machine.
    Unavailable(String),
    /// PostgreSQL is installed but the private cluster could not be started.
    Broken(String),
}

static SERVER: OnceLock<Server> = OnceLock::new();

fn required() -> bool {
    matches!(
        std::env::var(REQUIRE_ENV).as_deref().map(str::trim),
        Ok("1" | "true" | "yes")
    )
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
}

/// Replaces the database of a `postgres://` URL, keeping credentials, host and parameters.
fn with_database(admin_url: &str, database: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (admin_url, None),
    };
    let authority = base.find("://").map_or(0, |i| i + 3);
    let path = base[authority..]
        .find('/')
        .map_or(base.len(), |i| authority + i);
    let mut url = format!("{}/{database}", &base[..path]);
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    url
}

fn locate_server() -> Server {
    if let Some(admin_url) = env_nonempty(URL_ENV) {
        return Server::Ready { admin_url };
    }
    let bindir = match find_bindir() {
        Ok(bindir) => bindir,
        Err(why) => return Server::Unavailable(why),
    };
    // SAFETY: geteuid has no preconditions and cannot fail.
    let owner = if unsafe { libc::geteuid() } == 0 {
        match lookup_user("postgres") {
            Some(owner) => Some(owner),
            None => {
                return Server::Unavailable(
                    "the tests run as root and there is no `postgres` user to run the \
                     server as"
                        .to_owned(),
                );
            }
        }
    } else {
        None
    };

    // The server gets SIGKILL when the thread that spawned it ends (PR_SET_PDEATHSIG is tied
    // to the spawning thread, not the process), so it is spawned from a thread that lives as
    // long as the server does: it waits on the server after reporting the start.
    let (report, outcome) = mpsc::channel();
    let keeper = thread::Builder::new()
        .name("postgres-test-cluster".to_owned())
        .spawn(move || match start_cluster(&bindir, owner) {
            Ok((mut server, admin_url)) => {
                let _ = report.send(Ok(admin_url));
                let _ = server.wait();
            }
            Err(message) => {
                let _ = report.send(Err(message));
            }
        });
    if let Err(e) = keeper {
        return Server::Broken(format!(
            "cannot spawn a thread for the PostgreSQL test cluster: {e}"
        ));
    }
    match outcome.recv() {
        Ok(Ok(admin_url)) => Server::Ready { admin_url },
        Ok(Err(message)) => Server::Broken(message),
        Err(_) => Server::Broken("the thread starting the PostgreSQL test cluster died".to_owned()),
    }
}

/// Finds a directory holding both `initdb` and `postgres`.
fn find_bindir() -> Result<PathBuf, String> {
    let has_server = |dir: &Path| dir.join("initdb").is_file() && dir.join("postgres").is_file();

    if let Some(dir) = env_nonempty(BINDIR_ENV) {
        let dir = PathBuf::from(dir);
        return if has_server(&dir) {
            Ok(dir)
        } else {
            Err(format!(
                "{BINDIR_ENV}={} has no initdb and postgres",
                dir.display()
            ))
        };
    }

    // Debian and Ubuntu install each major version side by side.
    let mut versions: Vec<(Vec<u32>, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let version = name
                .split('.')
                .map(|part| part.parse::<u32>().ok())
                .collect::<Option<Vec<_>>>()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, dir)| has_server(dir))
        .collect();
    versions.sort();
    if let Some((_, dir)) = versions.pop() {
        return Ok(dir);
    }

    if let Ok(output) = Command::new("pg_config")
        .arg("--bindir")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        && output.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        if has_server(&dir) {
            return Ok(dir);
        }
    }

    Err(format!(
        "no PostgreSQL server binaries found (set {URL_ENV} to an admin URL, or {BINDIR_ENV} to \
         a directory with initdb and postgres, or install the `postgresql` package)"
    ))
}

/// The system user the server runs as when the tests run as root.
#[derive(Clone, Copy)]
struct Owner {
    uid: libc::uid_t,
    gid: libc::gid_t,
}

fn lookup_user(name: &str) -> Option<Owner> {
    let name = CString::new(name).ok()?;
    // SAFETY: getpwnam gets a valid NUL-terminated string and returns null or a pointer to a
    // passwd record, whose fields are copied out before any other call could overwrite it.
    // This runs once per process, inside the OnceLock initialiser.
    unsafe {
        let entry = libc::getpwnam(name.as_ptr());
        if entry.is_null() {
            None
        } else {
            Some(Owner {
                uid: (*entry).pw_uid,
                gid: (*entry).pw_gid,
            })
        }
    }
}

fn start_cluster(bindir: &Path, owner: Option<Owner>) -> Result<(Child, String), String> {
    let dir = prepare_data_dir(owner)?;
    let workdir = dir.parent().unwrap_or(&dir).to_path_buf();

    let initdb = command(bindir, "initdb", owner)
        .args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
            "-D",
        ])
        .arg(&dir)
        .current_dir(&workdir)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bindir.join("initdb").display()))?;
    if !initdb.status.success() {
        return Err(format!(
            "initdb for the PostgreSQL test cluster in {} failed ({}):\n{}{}",
            dir.display(),
            initdb.status,
            String::from_utf8_lossy(&initdb.stdout),
            String::from_utf8_lossy(&initdb.stderr),
        ));
    }

    // Only TCP is used; the Unix socket is skipped when its path would be too long.
    let socket_dir = if dir.as_os_str().len() + "/.s.PGSQL.65535".len() < UNIX_SOCKET_PATH_MAX {
        dir.clone().into_os_string()
    } else {
        Default::default()
    };
    let log_path = dir.join("postgres.log");
    let parent_pid = std::process::id() as libc::pid_t;
    let mut failures = Vec::new();

    for _ in 0..PORT_ATTEMPTS {
        let port = free_port().map_err(|e| format!("cannot find a free port: {e}"))?;
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(|e| format!("cannot open {}: {e}", log_path.display()))?;
        let log_err = log
            .try_clone()
            .map_err(|e| format!("cannot open {}: {e}", log_path.display()))?;
        let mut server = command(bindir, "postgres", owner);
        server
            .arg("-D")
            .arg(&dir)
            .arg("-k")
            .arg(&socket_dir)
            .args(["-h", "127.0.0.1", "-p", &port.to_string()])
            .args(["-c", "fsync=off"])
            .args(["-c", "synchronous_commit=off"])
            .args(["-c", "full_page_writes=off"])
            .args(["-c", "max_connections=400"])
            .args(["-c", "shared_buffers=128MB"])
            .current_dir(&workdir)
            .stdout(log)
            .stderr(log_err);
        // SAFETY: the closure runs in the forked child before exec and makes only
        // async-signal-safe system calls, allocating nothing. Standard library runs it after
        // switching user, which matters since a change of credentials clears the death signal.
        unsafe {
            server.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) != 0 {
                    return Err(io::Error::last_os_error());
                }
                // The test process may have died before the death signal was armed.
                if libc::getppid() != parent_pid {
                    return Err(io::Error::from_raw_os_error(libc::ESRCH));
                }
                Ok(())
            });
        }
        let mut child = server
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", bindir.join("postgres").display()))?;

        let admin_url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
        match wait_until_ready(&mut child, port, &admin_url, &dir) {
            Readiness::Ready => return Ok((child, admin_url)),
            Readiness::Exited(status) => {
                // Most likely another process took the port in the meantime.
                failures.push(format!("port {port}: postgres exited ({status})"));
                let _ = child.kill();
                let _ = child.wait();
            }
            Readiness::TimedOut => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(start_failure(
                    &format!(
                        "postgres did not accept connections on port {port} within {} s",
                        START_TIMEOUT.as_secs()
                    ),
                    &log_path,
                ));
            }
        }
    }
    Err(start_failure(&failures.join("; "), &log_path))
}

fn start_failure(what: &str, log_path: &Path) -> String {
    let log = fs::read_to_string(log_path).unwrap_or_default();
    let lines: Vec<&str> = log.lines().collect();
    let tail = lines[lines.len().saturating_sub(LOG_TAIL_LINES)..].join("\n");
    format!(
        "the PostgreSQL test cluster did not start: {what}\n--- tail of {} ---\n{tail}",
        log_path.display()
    )
}

fn command(bindir: &Path, program: &str, owner: Option<Owner>) -> Command {
    let mut command = Command::new(bindir.join(program));
    command.stdin(Stdio::null());
    if let Some(owner) = owner {
        // Setting the uid also drops the supplementary groups of the test process.
        command.uid(owner.uid).gid(owner.gid);
    }
    command
}

/// Creates an empty data directory for this process, the server's user owning it.
fn prepare_data_dir(owner: Option<Owner>) -> Result<PathBuf, String> {
    // The build directory is preferred; the system temporary directory serves when the
    // server's user cannot reach into the build directory.
    let bases = [
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pg-test"),
        std::env::temp_dir().join("msai-ledger-pg-test"),
    ];
    let mut problems = Vec::new();
    for base in bases {
        if let Err(e) = fs::create_dir_all(&base) {
            problems.push(format!("cannot create {}: {e}", base.display()));
            continue;
        }
        if let Some(owner) = owner {
            let _ = fs::set_permissions(&base, fs::Permissions::from_mode(0o755));
            if !reachable(&base, owner) {
                problems.push(format!("user postgres cannot reach {}", base.display()));
                continue;
            }
        }
        remove_stale_dirs(&base);
        let dir = base.join(std::process::id().to_string());
        if dir.exists() {
            // Left behind by an earlier process with the same pid.
            let _ = fs::remove_dir_all(&dir);
        }
        if let Err(e) = fs::create_dir(&dir) {
            problems.push(format!("cannot create {}: {e}", dir.display()));
            continue;
        }
        if let Some(owner) = owner
            && let Err(e) = std::os::unix::fs::chown(&dir, Some(owner.uid), Some(owner.gid))
        {
            problems.push(format!(
                "cannot hand {} to user postgres: {e}",
                dir.display()
            ));
            continue;
        }
        return Ok(dir);
    }
    Err(format!(
        "no data directory for the PostgreSQL test cluster: {}",
        problems.join("; ")
    ))
}

/// Whether `owner` may traverse every directory from the root down to `dir`.
fn reachable(dir: &Path, owner: Owner) -> bool {
    dir.ancestors().all(|ancestor| {
        let Ok(meta) = fs::metadata(ancestor) else {
            return false;
        };
        let mode = meta.mode();
        if meta.uid() == owner.uid {
            mode & 0o100 != 0
        } else if meta.gid() == owner.gid {
            mode & 0o010 != 0
        } else {
            mode & 0o001 != 0
        }
    })
}

/// Removes the data directories of test processes that are gone.
fn remove_stale_dirs(base: &Path) {
    let Ok(entries) = fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse::<libc::pid_t>().ok())
        else {
            continue;
        };
        if pid > 0 && pid as u32 != std::process::id() && !process_alive(pid) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

fn process_alive(pid: libc::pid_t) -> bool {
    // SAFETY: signal 0 sends nothing; it only asks whether the process exists.
    let result = unsafe { libc::kill(pid, 0) };
    result == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

fn free_port() -> io::Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok(listener.local_addr()?.port())
}

enum Readiness {
    Ready,
    Exited(ExitStatus),
    TimedOut,
}

/// Polls until the server spawned as `child` answers queries on `port`.
fn wait_until_ready(child: &mut Child, port: u16, admin_url: &str, dir: &Path) -> Readiness {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(_) => return Readiness::TimedOut,
    };
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let ours = fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Readiness::Exited(status),
            Ok(None) => {}
            Err(_) => return Readiness::TimedOut,
        }
        if TcpStream::connect_timeout(&address, Duration::from_secs(1)).is_ok()
            && let Some(served) = runtime.block_on(served_directory(admin_url))
        {
            // Another server may have taken the port before ours could; ours reports its own
            // data directory.
            if fs::canonicalize(&served).unwrap_or_else(|_| PathBuf::from(&served)) == ours {
                return Readiness::Ready;
            }
        }
        if Instant::now() >= deadline {
            return Readiness::TimedOut;
        }
        thread::sleep(Duration::from_millis(50));
    }
}

/// The data directory of the server at `admin_url`, if it answers a query.
async fn served_directory(admin_url: &str) -> Option<String> {
    let probe = async {
        let mut conn = PgConnection::connect(admin_url).await.ok()?;
        let one: i32 = sqlx::query_scalar("SELECT 1")
            .fetch_one(&mut conn)
            .await
            .ok()?;
        let dir: String = sqlx::query_scalar("SELECT current_setting('data_directory')")
            .fetch_one(&mut conn)
            .await
            .ok()?;
        let _ = conn.close().await;
        (one == 1).then_some(dir)
    };
    tokio::time::timeout(Duration::from_secs(5), probe)
        .await
        .ok()
        .flatten()
}

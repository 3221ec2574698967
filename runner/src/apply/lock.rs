//! The advisory lock that keeps two runners apart, and the monitor that measures lock waits.
//!
//! In: the runner's connection. Out: the session-level advisory lock [`KEY`] held by it, or
//! [`ApplyError::Locked`] naming the holder; per step, the time the runner's backend spent
//! waiting for a lock (`pg_locks.granted = false`), sampled from a second connection.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sqlx::postgres::PgConnection;

use super::{ApplyError, db_error};

/// `"lockstep"` in ASCII as a bigint: the advisory lock every runner takes.
pub(crate) const KEY: i64 = 0x6c6f_636b_7374_6570;

/// Takes the advisory lock, waiting up to `wait` for a runner that holds it.
pub(crate) async fn acquire(conn: &mut PgConnection, wait: Duration) -> Result<(), ApplyError> {
    let start = Instant::now();
    loop {
        let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(KEY)
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| db_error("while taking the advisory lock", &e))?;
        if got {
            return Ok(());
        }
        if start.elapsed() >= wait {
            return Err(ApplyError::Locked {
                holder: holder(conn).await,
            });
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Who holds the lock, for the refusal message.
async fn holder(conn: &mut PgConnection) -> String {
    let high = KEY >> 32;
    let low = KEY & 0xffff_ffff;
    let row: Option<Holder> = sqlx::query_as(
        "SELECT l.pid, a.application_name AS app, a.client_addr::text AS addr, \
                to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS TZ') AS since \
         FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid \
         WHERE l.locktype = 'advisory' AND l.granted AND l.database = \
               (SELECT oid FROM pg_database WHERE datname = current_database()) \
           AND l.classid::bigint = $1 AND l.objid::bigint = $2 AND l.objsubid = 1",
    )
    .bind(high)
    .bind(low)
    .fetch_optional(conn)
    .await
    .ok()
    .flatten();
    match row {
        Some(h) => format!(
            "backend pid {}, application `{}`{}{}",
            h.pid,
            h.app.unwrap_or_default(),
            h.addr.map(|a| format!(" from {a}")).unwrap_or_default(),
            h.since
                .map(|s| format!(", connected since {s}"))
                .unwrap_or_default()
        ),
        None => "a session that has since let go".to_owned(),
    }
}

/// The session holding the lock.
#[derive(sqlx::FromRow)]
struct Holder {
    pid: i32,
    app: Option<String>,
    addr: Option<String>,
    since: Option<String>,
}

/// Samples, from its own connection, whether the runner's backend waits for a lock.
pub(crate) struct Monitor {
    shared: Arc<Shared>,
}

struct Shared {
    pid: AtomicI32,
    waited_ms: AtomicU64,
    longest_ms: AtomicU64,
    stop: AtomicBool,
}

/// How often the monitor looks.
const SAMPLE: Duration = Duration::from_millis(20);

impl Monitor {
    /// Starts sampling the backend of `conn`. Without a second connection the figures stay 0.
    pub(crate) async fn start(url: &str, conn: &mut PgConnection) -> Self {
        let shared = Arc::new(Shared {
            pid: AtomicI32::new(0),
            waited_ms: AtomicU64::new(0),
            longest_ms: AtomicU64::new(0),
            stop: AtomicBool::new(false),
        });
        let monitor = Self {
            shared: Arc::clone(&shared),
        };
        monitor.follow(conn).await;
        let Ok(mut watcher) = crate::db::connect(url).await else {
            return monitor;
        };
        let _ = sqlx::query("SET application_name = 'lockstep-monitor'")
            .execute(&mut watcher)
            .await;
        tokio::spawn(async move {
            let mut current = Duration::ZERO;
            let mut last = Instant::now();
            while !shared.stop.load(Ordering::Relaxed) {
                tokio::time::sleep(SAMPLE).await;
                let pid = shared.pid.load(Ordering::Relaxed);
                let waiting: Result<bool, _> = sqlx::query_scalar(
                    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted)",
                )
                .bind(pid)
                .fetch_one(&mut watcher)
                .await;
                let now = Instant::now();
                let step = now - last;
                last = now;
                match waiting {
                    Ok(true) => {
                        current += step;
                        let ms = u64::try_from(step.as_millis()).unwrap_or(u64::MAX);
                        shared.waited_ms.fetch_add(ms, Ordering::Relaxed);
                        let cur = u64::try_from(current.as_millis()).unwrap_or(u64::MAX);
                        shared.longest_ms.fetch_max(cur, Ordering::Relaxed);
                    }
                    Ok(false) => current = Duration::ZERO,
                    Err(_) => break,
                }
            }
        });
        monitor
    }

    /// Follows the backend of `conn` (after a reconnect).
    pub(crate) async fn follow(&self, conn: &mut PgConnection) {
        if let Ok(pid) = sqlx::query_scalar::<_, i32>("SELECT pg_backend_pid()")
            .fetch_one(conn)
            .await
        {
            self.shared.pid.store(pid, Ordering::Relaxed);
        }
    }

    /// Total milliseconds waited for locks so far.
    pub(crate) fn waited_ms(&self) -> u64 {
        self.shared.waited_ms.load(Ordering::Relaxed)
    }

    /// Ends sampling.
    pub(crate) fn stop(&self) {
        self.shared.stop.store(true, Ordering::Relaxed);
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        self.stop();
    }
}

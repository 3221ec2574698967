//! The journal: what the runner did, in the target database itself (schema `lockstep`).
//!
//! In: the runner's progress. Out: rows in `lockstep.runs`, `lockstep.steps`,
//! `lockstep.attempts` and `lockstep.batches`. Invariant: a transactional step's row turns
//! `done` in the step's own transaction, and a backfill batch's row is inserted in the batch's
//! transaction (its primary key refuses a batch number twice), so after any crash the journal
//! says exactly what is in effect. Step rows are keyed by plan digest, direction and step id,
//! not by run, so the next run of the same plan resumes where the last one stopped.

use std::collections::BTreeMap;

use sqlx::postgres::PgConnection;

/// The journal's tables. `IF NOT EXISTS` throughout: creating it is idempotent and happens
/// under the advisory lock.
const SCHEMA: &str = r"
CREATE SCHEMA IF NOT EXISTS lockstep;
CREATE TABLE IF NOT EXISTS lockstep.runs (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_digest text NOT NULL,
    command text NOT NULL,
    lockstep_version text NOT NULL,
    started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at timestamptz,
    state text NOT NULL DEFAULT 'running',
    error text
);
CREATE TABLE IF NOT EXISTS lockstep.steps (
    plan_digest text NOT NULL,
    direction text NOT NULL,
    step_id text NOT NULL,
    position integer NOT NULL,
    app text NOT NULL,
    migration text NOT NULL,
    kind text NOT NULL,
    state text NOT NULL,
    run_id bigint REFERENCES lockstep.runs (id),
    attempts integer NOT NULL DEFAULT 0,
    statements_done integer NOT NULL DEFAULT 0,
    started_at timestamptz,
    finished_at timestamptz,
    duration_ms bigint,
    lock_wait_ms bigint NOT NULL DEFAULT 0,
    rows bigint NOT NULL DEFAULT 0,
    batches integer NOT NULL DEFAULT 0,
    last_key text,
    note text,
    error text,
    PRIMARY KEY (plan_digest, direction, step_id)
);
CREATE TABLE IF NOT EXISTS lockstep.attempts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id bigint NOT NULL REFERENCES lockstep.runs (id),
    plan_digest text NOT NULL,
    direction text NOT NULL,
    step_id text NOT NULL,
    attempt integer NOT NULL,
    started_at timestamptz NOT NULL,
    duration_ms bigint NOT NULL,
    outcome text NOT NULL,
    sqlstate text,
    message text
);
CREATE TABLE IF NOT EXISTS lockstep.batches (
    plan_digest text NOT NULL,
    step_id text NOT NULL,
    batch integer NOT NULL,
    from_key text,
    to_key text NOT NULL,
    rows bigint NOT NULL,
    duration_ms bigint NOT NULL,
    committed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (plan_digest, step_id, batch)
);
CREATE TABLE IF NOT EXISTS lockstep.checks (
    plan_digest text NOT NULL,
    step_id text NOT NULL,
    position integer NOT NULL,
    ok boolean NOT NULL,
    detail text NOT NULL,
    checked_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (plan_digest, step_id, position)
);
";

/// Forward (`apply`) or reverse (`rollback`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    /// `apply`.
    Forward,
    /// `rollback`.
    Reverse,
}

impl Direction {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Forward => "forward",
            Self::Reverse => "reverse",
        }
    }
}

/// A step's state in the journal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum State {
    /// Started and not finished: a crash, a failure being retried, or in flight.
    Running,
    /// In effect.
    Done,
    /// Failed; the next run retries it.
    Failed,
    /// Not run because Django had already applied its migration.
    Skipped,
    /// Undone by `rollback` (forward rows only).
    RolledBack,
}

impl State {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
            Self::RolledBack => "rolled_back",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "done" => Self::Done,
            "failed" => Self::Failed,
            "skipped" => Self::Skipped,
            "rolled_back" => Self::RolledBack,
            _ => Self::Running,
        }
    }
}

/// What the journal holds for one step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StepRow {
    pub(crate) state: State,
    pub(crate) attempts: i32,
    pub(crate) statements_done: i32,
    pub(crate) rows: i64,
    pub(crate) batches: i32,
    pub(crate) last_key: Option<String>,
}

/// Whether the journal exists (reading it must not create it: a refused run changes nothing).
pub(crate) async fn exists(conn: &mut PgConnection) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT to_regclass('lockstep.steps') IS NOT NULL")
        .fetch_one(conn)
        .await
}

/// Creates the journal's schema and tables when missing.
pub(crate) async fn ensure(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::raw_sql(SCHEMA).execute(conn).await.map(|_| ())
}

/// Every step row of a plan in one direction.
pub(crate) async fn load(
    conn: &mut PgConnection,
    digest: &str,
    direction: Direction,
) -> sqlx::Result<BTreeMap<String, StepRow>> {
    if !exists(conn).await? {
        return Ok(BTreeMap::new());
    }
    let rows: Vec<StepRecord> = sqlx::query_as(
        "SELECT step_id, state, attempts, statements_done, rows, batches, last_key \
         FROM lockstep.steps WHERE plan_digest = $1 AND direction = $2",
    )
    .bind(digest)
    .bind(direction.as_str())
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.step_id,
                StepRow {
                    state: State::parse(&r.state),
                    attempts: r.attempts,
                    statements_done: r.statements_done,
                    rows: r.rows,
                    batches: r.batches,
                    last_key: r.last_key,
                },
            )
        })
        .collect())
}

/// A `lockstep.steps` row as read.
#[derive(sqlx::FromRow)]
struct StepRecord {
    step_id: String,
    state: String,
    attempts: i32,
    statements_done: i32,
    rows: i64,
    batches: i32,
    last_key: Option<String>,
}

/// One step's row, re-read (after a reconnect the in-memory copy may be stale).
pub(crate) async fn load_one(
    conn: &mut PgConnection,
    digest: &str,
    direction: Direction,
    step_id: &str,
) -> sqlx::Result<Option<StepRow>> {
    let mut all = load(conn, digest, direction).await?;
    Ok(all.remove(step_id))
}

/// Opens a run; runs a crash left `running` are marked `interrupted` (the caller holds the
/// advisory lock, so none of them is still going).
pub(crate) async fn start_run(
    conn: &mut PgConnection,
    digest: &str,
    command: &str,
) -> sqlx::Result<i64> {
    sqlx::query(
        "UPDATE lockstep.runs SET state = 'interrupted', finished_at = clock_timestamp() \
         WHERE state = 'running'",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query_scalar(
        "INSERT INTO lockstep.runs (plan_digest, command, lockstep_version) \
         VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(digest)
    .bind(command)
    .bind(env!("CARGO_PKG_VERSION"))
    .fetch_one(conn)
    .await
}

/// Closes a run as `done` or `failed`.
pub(crate) async fn finish_run(
    conn: &mut PgConnection,
    run_id: i64,
    error: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE lockstep.runs SET finished_at = clock_timestamp(), \
             state = CASE WHEN $2::text IS NULL THEN 'done' ELSE 'failed' END, error = $2 \
         WHERE id = $1",
    )
    .bind(run_id)
    .bind(error)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Identifies a step row.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Key<'a> {
    pub(crate) digest: &'a str,
    pub(crate) direction: Direction,
    pub(crate) step_id: &'a str,
}

/// What a step row is created with.
pub(crate) struct NewStep<'a> {
    pub(crate) position: usize,
    pub(crate) app: &'a str,
    pub(crate) migration: &'a str,
    pub(crate) kind: &'a str,
}

/// Marks a step `running` for this run. A row in any other state than `running` starts over
/// (`fresh`: a step rolled back and now applied again); a `running` one keeps its progress.
pub(crate) async fn begin_step(
    conn: &mut PgConnection,
    key: Key<'_>,
    new: &NewStep<'_>,
    run_id: i64,
    fresh: bool,
) -> sqlx::Result<()> {
    let position = i32::try_from(new.position).unwrap_or(i32::MAX);
    sqlx::query(
        "INSERT INTO lockstep.steps (plan_digest, direction, step_id, position, app, migration, \
             kind, state, run_id, started_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'running', $8, clock_timestamp()) \
         ON CONFLICT (plan_digest, direction, step_id) DO UPDATE SET \
             state = 'running', run_id = $8, error = NULL, finished_at = NULL, \
             started_at = CASE WHEN $9 THEN clock_timestamp() ELSE lockstep.steps.started_at END, \
             attempts = CASE WHEN $9 THEN 0 ELSE lockstep.steps.attempts END, \
             statements_done = CASE WHEN $9 THEN 0 ELSE lockstep.steps.statements_done END, \
             rows = CASE WHEN $9 THEN 0 ELSE lockstep.steps.rows END, \
             batches = CASE WHEN $9 THEN 0 ELSE lockstep.steps.batches END, \
             last_key = CASE WHEN $9 THEN NULL ELSE lockstep.steps.last_key END, \
             lock_wait_ms = CASE WHEN $9 THEN 0 ELSE lockstep.steps.lock_wait_ms END, \
             duration_ms = CASE WHEN $9 THEN NULL ELSE lockstep.steps.duration_ms END, \
             note = CASE WHEN $9 THEN NULL ELSE lockstep.steps.note END",
    )
    .bind(key.digest)
    .bind(key.direction.as_str())
    .bind(key.step_id)
    .bind(position)
    .bind(new.app)
    .bind(new.migration)
    .bind(new.kind)
    .bind(run_id)
    .bind(fresh)
    .execute(&mut *conn)
    .await?;
    if fresh && key.direction == Direction::Forward {
        sqlx::query("DELETE FROM lockstep.batches WHERE plan_digest = $1 AND step_id = $2")
            .bind(key.digest)
            .bind(key.step_id)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Marks a step finished (`done` or `skipped`); inside the step's transaction when it has one.
/// `duration_ms` accumulates over resumed runs.
pub(crate) async fn finish_step(
    conn: &mut PgConnection,
    key: Key<'_>,
    state: State,
    elapsed_ms: i64,
    lock_wait_ms: i64,
    note: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE lockstep.steps SET state = $4, finished_at = clock_timestamp(), \
             duration_ms = coalesce(duration_ms, 0) + $5, lock_wait_ms = lock_wait_ms + $6, \
             note = coalesce($7, note), error = NULL \
         WHERE plan_digest = $1 AND direction = $2 AND step_id = $3",
    )
    .bind(key.digest)
    .bind(key.direction.as_str())
    .bind(key.step_id)
    .bind(state.as_str())
    .bind(elapsed_ms)
    .bind(lock_wait_ms)
    .bind(note)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Marks a step `failed` with the error, adding the time and lock waits spent.
pub(crate) async fn fail_step(
    conn: &mut PgConnection,
    key: Key<'_>,
    error: &str,
    elapsed_ms: i64,
    lock_wait_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE lockstep.steps SET state = 'failed', error = $4, \
             duration_ms = coalesce(duration_ms, 0) + $5, lock_wait_ms = lock_wait_ms + $6 \
         WHERE plan_digest = $1 AND direction = $2 AND step_id = $3",
    )
    .bind(key.digest)
    .bind(key.direction.as_str())
    .bind(key.step_id)
    .bind(error)
    .bind(elapsed_ms)
    .bind(lock_wait_ms)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Records that statement `done` (count) of an autocommit step is in effect.
pub(crate) async fn statements_done(
    conn: &mut PgConnection,
    key: Key<'_>,
    done: usize,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE lockstep.steps SET statements_done = $4 \
         WHERE plan_digest = $1 AND direction = $2 AND step_id = $3",
    )
    .bind(key.digest)
    .bind(key.direction.as_str())
    .bind(key.step_id)
    .bind(i32::try_from(done).unwrap_or(i32::MAX))
    .execute(conn)
    .await
    .map(|_| ())
}

/// One attempt of a step, as it ended.
pub(crate) struct Attempt<'a> {
    pub(crate) number: u32,
    pub(crate) started: std::time::SystemTime,
    pub(crate) duration_ms: i64,
    pub(crate) outcome: &'a str,
    pub(crate) sqlstate: Option<&'a str>,
    pub(crate) message: Option<&'a str>,
}

/// Logs an attempt and counts it on the step row.
pub(crate) async fn record_attempt(
    conn: &mut PgConnection,
    run_id: i64,
    key: Key<'_>,
    attempt: &Attempt<'_>,
) -> sqlx::Result<()> {
    let started: f64 = attempt
        .started
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    sqlx::query(
        "INSERT INTO lockstep.attempts (run_id, plan_digest, direction, step_id, attempt, \
             started_at, duration_ms, outcome, sqlstate, message) \
         VALUES ($1, $2, $3, $4, $5, to_timestamp($6), $7, $8, $9, $10)",
    )
    .bind(run_id)
    .bind(key.digest)
    .bind(key.direction.as_str())
    .bind(key.step_id)
    .bind(i32::try_from(attempt.number).unwrap_or(i32::MAX))
    .bind(started)
    .bind(attempt.duration_ms)
    .bind(attempt.outcome)
    .bind(attempt.sqlstate)
    .bind(attempt.message)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE lockstep.steps SET attempts = attempts + 1 \
         WHERE plan_digest = $1 AND direction = $2 AND step_id = $3",
    )
    .bind(key.digest)
    .bind(key.direction.as_str())
    .bind(key.step_id)
    .execute(conn)
    .await
    .map(|_| ())
}

/// One committed backfill batch; called inside the batch's transaction.
pub(crate) struct Batch<'a> {
    pub(crate) number: i32,
    pub(crate) from_key: Option<&'a str>,
    pub(crate) to_key: &'a str,
    pub(crate) rows: i64,
    pub(crate) duration_ms: i64,
}

/// Records a batch and moves the step's last key; the batch's primary key makes applying the
/// same batch twice fail instead of silently happening.
pub(crate) async fn record_batch(
    conn: &mut PgConnection,
    key: Key<'_>,
    batch: &Batch<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO lockstep.batches (plan_digest, step_id, batch, from_key, to_key, rows, \
             duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(key.digest)
    .bind(key.step_id)
    .bind(batch.number)
    .bind(batch.from_key)
    .bind(batch.to_key)
    .bind(batch.rows)
    .bind(batch.duration_ms)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE lockstep.steps SET last_key = $4, rows = rows + $5, batches = $6 \
         WHERE plan_digest = $1 AND direction = $2 AND step_id = $3",
    )
    .bind(key.digest)
    .bind(key.direction.as_str())
    .bind(key.step_id)
    .bind(batch.to_key)
    .bind(batch.rows)
    .bind(batch.number)
    .execute(conn)
    .await
    .map(|_| ())
}

/// The step's `expect` as evaluated right after it (replacing an earlier evaluation).
pub(crate) async fn record_checks(
    conn: &mut PgConnection,
    digest: &str,
    step_id: &str,
    results: &[(bool, String)],
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM lockstep.checks WHERE plan_digest = $1 AND step_id = $2")
        .bind(digest)
        .bind(step_id)
        .execute(&mut *conn)
        .await?;
    for (position, (ok, detail)) in results.iter().enumerate() {
        sqlx::query(
            "INSERT INTO lockstep.checks (plan_digest, step_id, position, ok, detail) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(digest)
        .bind(step_id)
        .bind(i32::try_from(position).unwrap_or(i32::MAX))
        .bind(ok)
        .bind(detail)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Every journaled check result of a plan: (step, position) → (ok, detail).
pub(crate) async fn load_checks(
    conn: &mut PgConnection,
    digest: &str,
) -> sqlx::Result<BTreeMap<(String, usize), (bool, String)>> {
    if !sqlx::query_scalar::<_, bool>("SELECT to_regclass('lockstep.checks') IS NOT NULL")
        .fetch_one(&mut *conn)
        .await?
    {
        return Ok(BTreeMap::new());
    }
    let rows: Vec<(String, i32, bool, String)> = sqlx::query_as(
        "SELECT step_id, position, ok, detail FROM lockstep.checks WHERE plan_digest = $1",
    )
    .bind(digest)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(step, position, ok, detail)| {
            ((step, usize::try_from(position).unwrap_or(0)), (ok, detail))
        })
        .collect())
}

/// A forward step undone by `rollback`: its row says so, in the reverse step's transaction.
pub(crate) async fn mark_rolled_back(
    conn: &mut PgConnection,
    digest: &str,
    step_id: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE lockstep.steps SET state = 'rolled_back' \
         WHERE plan_digest = $1 AND direction = 'forward' AND step_id = $2",
    )
    .bind(digest)
    .bind(step_id)
    .execute(conn)
    .await
    .map(|_| ())
}

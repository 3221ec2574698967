//! Running one step: its timeouts, its attempts, its journal row.
//!
//! In: a [`Step`] and what the journal says about it. Out: the step in effect and its row
//! `done`, or an [`ApplyError`]. Transactional steps run all their statements and the journal
//! update in one transaction under `SET LOCAL lock_timeout/statement_timeout`; autocommit steps
//! run statement by statement under session settings, journaling each statement after it, and
//! on resume look at the catalog to tell whether the statement a crash interrupted is in effect
//! (an `INVALID` index from a `CONCURRENTLY` build is dropped and built again). Lock timeouts
//! (`55P03`) are retried with exponential backoff and jitter up to the step's `max_attempts`.

use std::hash::{BuildHasher as _, Hasher as _};
use std::time::{Duration, Instant, SystemTime};

use lockstep_core::plan::{Plan, Step, StepKind, TransactionMode};
use sqlx::Connection as _;
use sqlx::postgres::PgConnection;

use super::journal::{self, Direction, Key, State, StepRow};
use super::progress::Observer;
use super::statement::{self, Action};
use super::{ApplyError, LOCK_TIMEOUT, Options, db_error, fault, is_connection_lost, millis};

/// Everything a step needs: the connection (holding the advisory lock), the run, the options.
pub(crate) struct Runner<'o> {
    pub(crate) conn: PgConnection,
    pub(crate) digest: String,
    pub(crate) run_id: i64,
    pub(crate) direction: Direction,
    pub(crate) options: &'o Options,
    pub(crate) monitor: super::lock::Monitor,
    pub(crate) plan: &'o Plan,
    /// The monitor's total when the current step began.
    pub(crate) wait_base: u64,
}

/// How one attempt ended, when not well.
#[derive(Debug)]
pub(crate) enum Failure {
    /// `lock_timeout` fired: worth another attempt.
    LockTimeout(String),
    /// The session is gone: reconnect and resume.
    ConnectionLost(String),
    /// Anything else: the step fails.
    Error {
        sqlstate: Option<String>,
        message: String,
    },
}

impl Failure {
    pub(crate) fn from_sqlx(error: &sqlx::Error) -> Self {
        let message = error.to_string();
        if is_connection_lost(error) {
            return Self::ConnectionLost(message);
        }
        match super::sqlstate(error) {
            Some(code) if code == LOCK_TIMEOUT => Self::LockTimeout(message),
            sqlstate => Self::Error { sqlstate, message },
        }
    }

    fn message(&self) -> &str {
        match self {
            Self::LockTimeout(m) | Self::ConnectionLost(m) | Self::Error { message: m, .. } => m,
        }
    }
}

impl From<sqlx::Error> for Failure {
    fn from(error: sqlx::Error) -> Self {
        Self::from_sqlx(&error)
    }
}

/// The wait before attempt `attempt + 1`: 250 ms doubling up to 8 s, plus up to half again
/// at random so that runners retrying together do not collide again.
pub(crate) fn backoff(attempt: u32) -> Duration {
    let base = 250u64.saturating_mul(1u64 << attempt.saturating_sub(1).min(5));
    let base = base.min(8_000);
    let random = std::hash::RandomState::new().build_hasher().finish();
    Duration::from_millis(base + random % (base / 2 + 1))
}

impl Runner<'_> {
    /// Runs a step; when the connection is lost, reconnects (taking the advisory lock again)
    /// and resumes the step from its journal row, up to `options.reconnects` times.
    pub(crate) async fn run_with_reconnects(
        &mut self,
        step: &Step,
        position: usize,
        total: usize,
        resume: Option<&StepRow>,
        observer: &mut dyn Observer,
    ) -> Result<(), ApplyError> {
        let mut resume = resume.cloned();
        let mut reconnects = 0;
        loop {
            match self
                .run(step, position, total, resume.as_ref(), observer)
                .await
            {
                Err(ApplyError::ConnectionLost { message, .. })
                    if reconnects < self.options.reconnects =>
                {
                    reconnects += 1;
                    observer.note(&format!(
                        "step `{}`: connection lost ({message}); reconnecting ({reconnects}/{})",
                        step.id, self.options.reconnects
                    ));
                    tokio::time::sleep(Duration::from_millis(500 * u64::from(reconnects))).await;
                    let Ok(conn) = super::open(self.options).await else {
                        continue;
                    };
                    self.conn = conn;
                    self.monitor.follow(&mut self.conn).await;
                    resume =
                        journal::load_one(&mut self.conn, &self.digest, self.direction, &step.id)
                            .await
                            .map_err(|e| db_error("while re-reading the journal", &e))?;
                    if resume.as_ref().is_some_and(|r| r.state == State::Done) {
                        observer.step_done(step, "done (before the connection was lost)", 0);
                        return Ok(());
                    }
                }
                Err(ApplyError::ConnectionLost { message, .. }) => {
                    return Err(ApplyError::ConnectionLost {
                        step: Some(step.id.clone()),
                        message,
                    });
                }
                other => return other,
            }
        }
    }

    async fn run(
        &mut self,
        step: &Step,
        position: usize,
        total: usize,
        resume: Option<&StepRow>,
        observer: &mut dyn Observer,
    ) -> Result<(), ApplyError> {
        let key_digest = self.digest.clone();
        let key = Key {
            digest: &key_digest,
            direction: self.direction,
            step_id: &step.id,
        };
        let fresh = resume.is_none();
        journal::begin_step(
            &mut self.conn,
            key,
            &super::new_step(step, position),
            self.run_id,
            fresh,
        )
        .await
        .map_err(|e| db_error("while journaling the step's start", &e))?;
        observer.step_start(step, position, total, resume.is_some());
        fault::point("before", &step.id);
        let start = Instant::now();
        let waited_before = self.monitor.waited_ms();
        self.wait_base = waited_before;
        let result = match (self.direction, step.kind) {
            (Direction::Forward, StepKind::Backfill) => {
                super::backfill::run(self, step, resume, observer).await
            }
            (Direction::Forward, StepKind::Django) => {
                super::django::run_step(self, step, observer).await
            }
            (Direction::Forward, StepKind::Record) => super::django::record_step(self, step).await,
            (Direction::Forward, StepKind::Verify) => self.verify_step(step).await,
            (Direction::Forward, StepKind::Ddl) => {
                self.statements(step, &step.sql, step.transaction, resume, observer)
                    .await
            }
            (Direction::Reverse, StepKind::Record) => {
                super::django::unrecord_step(self, step).await
            }
            (Direction::Reverse, StepKind::Django) => {
                super::django::unapply_step(self, step, observer).await
            }
            (Direction::Reverse, StepKind::Verify) => self.finish(step, start, None).await,
            (Direction::Reverse, StepKind::Ddl | StepKind::Backfill) => {
                let sql = step.reverse_sql.clone().unwrap_or_default();
                let mode = if step.kind == StepKind::Backfill {
                    TransactionMode::Transaction
                } else {
                    step.transaction
                };
                self.statements(step, &sql, mode, resume, observer).await
            }
        };
        let lock_wait = self.monitor.waited_ms().saturating_sub(waited_before);
        match result {
            Ok(()) => {
                fault::point("after", &step.id);
                observer.step_done(step, "done", millis(start));
                Ok(())
            }
            Err(error) => {
                if !matches!(error, ApplyError::ConnectionLost { .. }) {
                    let _ = journal::fail_step(
                        &mut self.conn,
                        key,
                        &error.to_string(),
                        millis(start),
                        i64::try_from(lock_wait).unwrap_or(i64::MAX),
                    )
                    .await;
                }
                Err(error)
            }
        }
    }

    /// Marks the step finished outside any transaction of its own (`verify`, reverse of
    /// `verify`) — and, when rolling back, its forward row `rolled_back`.
    pub(crate) async fn finish(
        &mut self,
        step: &Step,
        start: Instant,
        note: Option<&str>,
    ) -> Result<(), ApplyError> {
        let finish = self.finishing(step, start, note);
        let mut tx = self.conn.begin().await.map_err(|e| step_error(step, &e))?;
        finish
            .write(&mut tx)
            .await
            .map_err(|e| step_error(step, &e))?;
        tx.commit().await.map_err(|e| step_error(step, &e))
    }

    /// The journal update that ends a step, to write on the connection or transaction that
    /// makes the step take effect.
    pub(crate) fn finishing(&self, step: &Step, start: Instant, note: Option<&str>) -> Finish {
        Finish {
            digest: self.digest.clone(),
            direction: self.direction,
            step_id: step.id.clone(),
            elapsed_ms: millis(start),
            lock_wait_ms: i64::try_from(self.monitor.waited_ms().saturating_sub(self.wait_base))
                .unwrap_or(i64::MAX),
            note: note.map(str::to_owned),
        }
    }

    async fn verify_step(&mut self, step: &Step) -> Result<(), ApplyError> {
        let start = Instant::now();
        let results = super::verify::evaluate(&mut self.conn, &step.expect)
            .await
            .map_err(|e| step_error(step, &e))?;
        let failed: Vec<String> = results
            .iter()
            .filter(|r| !r.ok)
            .map(|r| format!("{}: {}", r.check, r.detail))
            .collect();
        if !failed.is_empty() {
            return Err(ApplyError::StepFailed {
                step: step.id.clone(),
                message: format!("verification failed: {}", failed.join("; ")),
            });
        }
        fault::point("inside", &step.id);
        self.finish(step, start, None).await
    }

    /// Runs `sql` as the step's statements, in a transaction or one by one.
    pub(crate) async fn statements(
        &mut self,
        step: &Step,
        sql: &[String],
        mode: TransactionMode,
        resume: Option<&StepRow>,
        observer: &mut dyn Observer,
    ) -> Result<(), ApplyError> {
        match mode {
            TransactionMode::Transaction => self.transactional(step, sql, observer).await,
            TransactionMode::Autocommit => self.autocommit(step, sql, resume, observer).await,
        }
    }

    async fn transactional(
        &mut self,
        step: &Step,
        sql: &[String],
        observer: &mut dyn Observer,
    ) -> Result<(), ApplyError> {
        let start = Instant::now();
        let mut retry = Retry::default();
        loop {
            let attempt = retry.begin();
            let result = self.transaction_attempt(step, sql, start).await;
            if retry
                .end(self, step, observer, attempt, result)
                .await?
                .is_some()
            {
                return Ok(());
            }
        }
    }

    async fn transaction_attempt(
        &mut self,
        step: &Step,
        sql: &[String],
        start: Instant,
    ) -> Result<(), Failure> {
        let finish = self.finishing(step, start, None);
        let mut tx = self.conn.begin().await?;
        sqlx::raw_sql(&format!(
            "SET LOCAL lock_timeout = {}; SET LOCAL statement_timeout = {}",
            step.lock_timeout_ms, step.statement_timeout_ms
        ))
        .execute(&mut *tx)
        .await?;
        for text in sql {
            sqlx::raw_sql(text).execute(&mut *tx).await?;
        }
        fault::point("inside", &step.id);
        finish.write(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn autocommit(
        &mut self,
        step: &Step,
        sql: &[String],
        resume: Option<&StepRow>,
        observer: &mut dyn Observer,
    ) -> Result<(), ApplyError> {
        let start = Instant::now();
        let done = resume.map_or(0, |r| usize::try_from(r.statements_done).unwrap_or(0));
        set_session_timeouts(&mut self.conn, step)
            .await
            .map_err(|e| step_error(step, &e))?;
        for (index, text) in sql.iter().enumerate().skip(done) {
            let action = statement::read(text);
            // The statement a crash interrupted may be in effect already (it ran, the journal
            // update after it did not).
            if resume.is_some() && index == done {
                let effect = in_effect(&mut self.conn, &action)
                    .await
                    .map_err(|e| step_error(step, &e))?;
                if effect == Effect::Present {
                    observer.note(&format!(
                        "step `{}`: statement {} is already in effect (resumed)",
                        step.id,
                        index + 1
                    ));
                    journal::statements_done(
                        &mut self.conn,
                        Key {
                            digest: &self.digest,
                            direction: self.direction,
                            step_id: &step.id,
                        },
                        index + 1,
                    )
                    .await
                    .map_err(|e| step_error(step, &e))?;
                    continue;
                }
            }
            let mut retry = Retry::default();
            loop {
                let attempt = retry.begin();
                let result = self.autocommit_attempt(step, text, &action, observer).await;
                if retry
                    .end(self, step, observer, attempt, result)
                    .await?
                    .is_some()
                {
                    break;
                }
            }
            if index == done {
                fault::point("inside", &step.id);
            }
            journal::statements_done(
                &mut self.conn,
                Key {
                    digest: &self.digest,
                    direction: self.direction,
                    step_id: &step.id,
                },
                index + 1,
            )
            .await
            .map_err(|e| step_error(step, &e))?;
        }
        sqlx::raw_sql("RESET lock_timeout; RESET statement_timeout")
            .execute(&mut self.conn)
            .await
            .map_err(|e| step_error(step, &e))?;
        self.finish(step, start, None).await
    }

    async fn autocommit_attempt(
        &mut self,
        step: &Step,
        text: &str,
        action: &Action,
        observer: &mut dyn Observer,
    ) -> Result<(), Failure> {
        // A `CONCURRENTLY` build that failed (a crash, a lock timeout in its later phases, a
        // cancel) leaves an INVALID index of the same name: drop it, then build again.
        if let Action::CreateIndex { .. } = action
            && let Effect::Invalid(name) = in_effect(&mut self.conn, action).await?
        {
            observer.note(&format!(
                "step `{}`: index `{name}` was left INVALID by an interrupted build; dropping \
                 it to build it again",
                step.id
            ));
            sqlx::raw_sql(&format!(
                "DROP INDEX CONCURRENTLY IF EXISTS {}",
                quote_ident(&name)
            ))
            .execute(&mut self.conn)
            .await?;
        }
        sqlx::raw_sql(text).execute(&mut self.conn).await?;
        Ok(())
    }
}

/// The journal update that ends a step.
pub(crate) struct Finish {
    digest: String,
    direction: Direction,
    step_id: String,
    elapsed_ms: i64,
    lock_wait_ms: i64,
    note: Option<String>,
}

impl Finish {
    /// Writes it (and, when rolling back, marks the forward row `rolled_back`).
    pub(crate) async fn write(&self, conn: &mut PgConnection) -> sqlx::Result<()> {
        let key = Key {
            digest: &self.digest,
            direction: self.direction,
            step_id: &self.step_id,
        };
        journal::finish_step(
            &mut *conn,
            key,
            State::Done,
            self.elapsed_ms,
            self.lock_wait_ms,
            self.note.as_deref(),
        )
        .await?;
        if self.direction == Direction::Reverse {
            journal::mark_rolled_back(conn, &self.digest, &self.step_id).await?;
        }
        Ok(())
    }
}

/// Attempts of one unit of work (a transaction, a statement, a batch): each is journaled;
/// lock timeouts are retried after [`backoff`] until the step's `max_attempts`.
#[derive(Default)]
pub(crate) struct Retry {
    number: u32,
}

/// When an attempt began.
pub(crate) struct AttemptStart {
    started: SystemTime,
    start: Instant,
}

impl Retry {
    pub(crate) fn begin(&mut self) -> AttemptStart {
        self.number += 1;
        AttemptStart {
            started: SystemTime::now(),
            start: Instant::now(),
        }
    }

    /// Journals the attempt; `Some(value)` on success, `None` when another attempt should be
    /// made (after the backoff, already waited), or the error that ends the step.
    pub(crate) async fn end<T>(
        &mut self,
        runner: &mut Runner<'_>,
        step: &Step,
        observer: &mut dyn Observer,
        attempt: AttemptStart,
        result: Result<T, Failure>,
    ) -> Result<Option<T>, ApplyError> {
        let number = self.number;
        let (outcome, sqlstate, message) = match &result {
            Ok(_) => ("ok", None, None),
            Err(Failure::LockTimeout(m)) => ("lock_timeout", Some(LOCK_TIMEOUT), Some(m.as_str())),
            Err(Failure::ConnectionLost(m)) => ("connection_lost", None, Some(m.as_str())),
            Err(Failure::Error { sqlstate, message }) => {
                ("error", sqlstate.as_deref(), Some(message.as_str()))
            }
        };
        // Successful attempts of backfill batches are many: the batches table has them.
        let lost = matches!(result, Err(Failure::ConnectionLost(_)));
        let routine_batch = result.is_ok() && number == 1 && step.kind == StepKind::Backfill;
        let journal_it = !lost && !routine_batch;
        if journal_it {
            let record = journal::Attempt {
                number,
                started: attempt.started,
                duration_ms: millis(attempt.start),
                outcome,
                sqlstate,
                message,
            };
            let key_digest = runner.digest.clone();
            let key = Key {
                digest: &key_digest,
                direction: runner.direction,
                step_id: &step.id,
            };
            journal::record_attempt(&mut runner.conn, runner.run_id, key, &record)
                .await
                .map_err(|e| step_error(step, &e))?;
        }
        match result {
            Ok(value) => Ok(Some(value)),
            Err(Failure::LockTimeout(message)) if number < step.max_attempts => {
                let wait = backoff(number);
                observer.attempt_failed(step, number, step.max_attempts, &message, wait);
                tokio::time::sleep(wait).await;
                Ok(None)
            }
            Err(Failure::LockTimeout(message)) => {
                observer.attempt_failed(step, number, step.max_attempts, &message, Duration::ZERO);
                Err(ApplyError::LockTimeout {
                    step: step.id.clone(),
                    attempts: number,
                    lock_timeout_ms: step.lock_timeout_ms,
                })
            }
            Err(Failure::ConnectionLost(message)) => Err(ApplyError::ConnectionLost {
                step: Some(step.id.clone()),
                message,
            }),
            Err(Failure::Error { message, .. }) => Err(ApplyError::StepFailed {
                step: step.id.clone(),
                message,
            }),
        }
    }
}

/// An error outside an attempt (journal, settings) inside a step.
pub(crate) fn step_error(step: &Step, error: &sqlx::Error) -> ApplyError {
    match Failure::from_sqlx(error) {
        Failure::ConnectionLost(message) => ApplyError::ConnectionLost {
            step: Some(step.id.clone()),
            message,
        },
        other => ApplyError::StepFailed {
            step: step.id.clone(),
            message: other.message().to_owned(),
        },
    }
}

async fn set_session_timeouts(conn: &mut PgConnection, step: &Step) -> sqlx::Result<()> {
    sqlx::raw_sql(&format!(
        "SET lock_timeout = {}; SET statement_timeout = {}",
        step.lock_timeout_ms, step.statement_timeout_ms
    ))
    .execute(conn)
    .await
    .map(|_| ())
}

/// Whether a statement's effect is in the catalog.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Effect {
    Present,
    Absent,
    /// An index that a failed `CONCURRENTLY` build left `INVALID`.
    Invalid(String),
    Unknown,
}

/// Looks in the catalog for what `action` would have done.
pub(crate) async fn in_effect(conn: &mut PgConnection, action: &Action) -> sqlx::Result<Effect> {
    let present = match action {
        Action::CreateIndex { name, .. } => {
            let valid: Option<bool> = sqlx::query_scalar(
                "SELECT x.indisvalid FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid \
                 WHERE c.relname = $1 AND pg_table_is_visible(c.oid)",
            )
            .bind(name)
            .fetch_optional(conn)
            .await?;
            return Ok(match valid {
                Some(true) => Effect::Present,
                Some(false) => Effect::Invalid(name.clone()),
                None => Effect::Absent,
            });
        }
        Action::DropIndex { names, .. } => !relation_exists(conn, names).await?,
        Action::CreateTable { table, .. } => {
            relation_exists(conn, std::slice::from_ref(table)).await?
        }
        Action::DropTable { tables, .. } => !relation_exists(conn, tables).await?,
        Action::AlterTable { table, actions, .. } => {
            let [single] = actions.as_slice() else {
                return Ok(Effect::Unknown);
            };
            match single {
                statement::TableAction::AddColumn { column, .. } => {
                    column_exists(conn, table, column).await?
                }
                statement::TableAction::DropColumn { column, .. } => {
                    !column_exists(conn, table, column).await?
                }
                statement::TableAction::AddConstraint { name, .. } => {
                    constraint_exists(conn, table, name).await?
                }
                statement::TableAction::DropConstraint { name, .. } => {
                    !constraint_exists(conn, table, name).await?
                }
                _ => return Ok(Effect::Unknown),
            }
        }
        _ => return Ok(Effect::Unknown),
    };
    Ok(if present {
        Effect::Present
    } else {
        Effect::Absent
    })
}

async fn relation_exists(conn: &mut PgConnection, names: &[String]) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT count(*) > 0 FROM pg_class c WHERE c.relname = ANY($1) AND pg_table_is_visible(c.oid)",
    )
    .bind(names)
    .fetch_one(conn)
    .await
}

async fn column_exists(conn: &mut PgConnection, table: &str, column: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
         WHERE c.relname = $1 AND pg_table_is_visible(c.oid) AND a.attname = $2 \
           AND a.attnum > 0 AND NOT a.attisdropped)",
    )
    .bind(table)
    .bind(column)
    .fetch_one(conn)
    .await
}

async fn constraint_exists(conn: &mut PgConnection, table: &str, name: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid \
         WHERE c.relname = $1 AND pg_table_is_visible(c.oid) AND k.conname = $2)",
    )
    .bind(table)
    .bind(name)
    .fetch_one(conn)
    .await
}

/// `"name"` with embedded quotes doubled.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

//! Applying an approved plan: advisory lock → journal → preconditions → steps.
//!
//! In: a [`Plan`] whose digest the operator approved, a database URL, [`Options`]. Out: the
//! plan's steps in effect, each journaled (schema `lockstep`), or an [`ApplyError`] that says
//! what to do next. Invariants: nothing is changed before every refusal check has passed (the
//! digest, the plan's validity, the advisory lock, every precondition); a step's journal row
//! says `done` exactly when the step is in effect; running `apply` again after any crash or
//! failure resumes from the journal and never applies a step or a backfill batch twice.

pub(crate) mod backfill;
pub(crate) mod django;
pub(crate) mod fault;
pub(crate) mod journal;
pub(crate) mod lock;
pub(crate) mod preconditions;
pub(crate) mod progress;
pub(crate) mod rollback;
pub(crate) mod statement;
pub(crate) mod step;
pub(crate) mod verify;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use lockstep_core::plan::{Plan, Step, StepKind};
use sqlx::postgres::PgConnection;

use journal::{Direction, State, StepRow};
use progress::Observer;

/// How `apply` and `rollback` run (from the command line).
#[derive(Clone, Debug)]
pub(crate) struct Options {
    /// The target database (never printed; messages use [`crate::db::redact`]).
    pub(crate) database_url: String,
    /// The program and arguments `django` steps run, before `migrate APP NAME`.
    pub(crate) django_command: Vec<String>,
    /// The working directory of the Django command.
    pub(crate) django_dir: Option<std::path::PathBuf>,
    /// What a backfill batch should take; the batch size adapts to it.
    pub(crate) batch_target: Duration,
    /// How long to wait for another runner's advisory lock before refusing.
    pub(crate) lock_wait: Duration,
    /// Reconnections tried when the connection is lost mid-run.
    pub(crate) reconnects: u32,
}

/// Why `apply` or `rollback` refused or stopped. Each message says what to do next.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ApplyError {
    /// The plan is not the one approved.
    #[error(
        "the plan's digest is {actual}, but {approved} was approved; nothing was changed. \
         Review this plan and approve its digest, or pass the plan that was approved"
    )]
    DigestMismatch {
        /// `--approve`.
        approved: String,
        /// The plan's.
        actual: String,
    },
    /// Another runner holds the advisory lock.
    #[error(
        "another lockstep run holds this database's lock ({holder}); nothing was changed. \
         Wait for it to finish, then run again"
    )]
    Locked {
        /// Who holds it.
        holder: String,
    },
    /// Preconditions do not hold.
    #[error(
        "the database does not match what the plan expects; nothing was changed:\n{}",
        .problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n")
    )]
    Preconditions {
        /// One line per problem.
        problems: Vec<String>,
    },
    /// Rollback refuses: some applied step cannot be undone.
    #[error(
        "cannot roll back; nothing was changed:\n{}",
        .problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n")
    )]
    Irreversible {
        /// One line per step.
        problems: Vec<String>,
    },
    /// Lock timeouts on every attempt.
    #[error(
        "step `{step}`: lock not acquired in {attempts} attempt(s) of {lock_timeout_ms} ms; \
         what is in effect is journaled. Run again when the table is quieter: it resumes at \
         this step"
    )]
    LockTimeout {
        /// Step id.
        step: String,
        /// Attempts made.
        attempts: u32,
        /// Each attempt's `lock_timeout`.
        lock_timeout_ms: u64,
    },
    /// A step failed.
    #[error(
        "step `{step}` failed: {message}; what is in effect is journaled. Fix the cause and run \
         again: it resumes at this step"
    )]
    StepFailed {
        /// Step id.
        step: String,
        /// Why.
        message: String,
    },
    /// The connection went away and reconnecting did not help.
    #[error(
        "the database connection was lost{}: {message}; what is in effect is journaled. Run \
         again when the database is back: it resumes from the journal",
        .step.as_deref().map(|s| format!(" during step `{s}`")).unwrap_or_default()
    )]
    ConnectionLost {
        /// The step in flight.
        step: Option<String>,
        /// The driver's message.
        message: String,
    },
    /// Cannot connect, or a query outside any step failed.
    #[error("{0}")]
    Database(String),
}

impl ApplyError {
    /// Refusals changed nothing; the command exits with its own status for them.
    pub(crate) fn is_refusal(&self) -> bool {
        matches!(
            self,
            Self::DigestMismatch { .. }
                | Self::Locked { .. }
                | Self::Preconditions { .. }
                | Self::Irreversible { .. }
        )
    }
}

/// A database error outside a step.
pub(crate) fn db_error(context: &str, error: &sqlx::Error) -> ApplyError {
    if is_connection_lost(error) {
        return ApplyError::ConnectionLost {
            step: None,
            message: format!("{context}: {error}"),
        };
    }
    ApplyError::Database(format!("{context}: {error}"))
}

/// Whether the error means the session is gone (terminated backend, restart, network).
pub(crate) fn is_connection_lost(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|code| code.starts_with("57P") || code.starts_with("08")),
        _ => false,
    }
}

/// The SQLSTATE of a database error.
pub(crate) fn sqlstate(error: &sqlx::Error) -> Option<String> {
    error
        .as_database_error()
        .and_then(|db| db.code().map(std::borrow::Cow::into_owned))
}

/// `lock_not_available`: `lock_timeout` fired.
pub(crate) const LOCK_TIMEOUT: &str = "55P03";

/// What the runner will do with one step, decided from the journal and `django_migrations`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// In effect already (journal `done`).
    Done,
    /// Not run: Django already applied the migration (outside this plan's journal).
    Skip,
    /// To run; `resume` is the journal row a crash or failure left.
    Run {
        /// The row, when the step was started before.
        resume: Option<StepRow>,
    },
}

/// What a finished run did.
#[derive(Debug, Default)]
pub(crate) struct Summary {
    pub(crate) ran: usize,
    pub(crate) already_done: usize,
    pub(crate) skipped: usize,
}

/// A connection for running steps, named so `pg_stat_activity` shows it, with the advisory
/// lock taken.
pub(crate) async fn open(options: &Options) -> Result<PgConnection, ApplyError> {
    let mut conn = crate::db::connect(&options.database_url)
        .await
        .map_err(|e| ApplyError::Database(format!("{e:#}")))?;
    sqlx::query("SET application_name = 'lockstep'")
        .execute(&mut conn)
        .await
        .map_err(|e| db_error("while naming the session", &e))?;
    // A killed runner must not leave a `CREATE INDEX CONCURRENTLY` building unattended while
    // holding the advisory lock: PostgreSQL 14+ then notices the client is gone within a
    // second and cancels. Older servers lack the setting; that is fine.
    let _ = sqlx::query("SET client_connection_check_interval = 1000")
        .execute(&mut conn)
        .await;
    lock::acquire(&mut conn, options.lock_wait).await?;
    Ok(conn)
}

/// The migrations `django_migrations` records (empty when the table does not exist).
pub(crate) async fn recorded_migrations(
    conn: &mut PgConnection,
) -> Result<BTreeSet<(String, String)>, ApplyError> {
    django::recorded(conn)
        .await
        .map_err(|e| db_error("while reading django_migrations", &e))
}

/// Applies `plan` (already checked against `--approve` by the caller through [`approve`]).
pub(crate) async fn apply(
    plan: &Plan,
    options: &Options,
    observer: &mut dyn Observer,
) -> Result<Summary, ApplyError> {
    let digest = plan.digest();
    let mut conn = open(options).await?;
    let journal = journal::load(&mut conn, &digest, Direction::Forward)
        .await
        .map_err(|e| db_error("while reading the journal", &e))?;
    let recorded = recorded_migrations(&mut conn).await?;
    let decisions = decide(plan, &journal, &recorded);
    let notes = preconditions::check(&mut conn, plan, &decisions, options).await?;
    for note in notes {
        observer.note(&note);
    }
    journal::ensure(&mut conn)
        .await
        .map_err(|e| db_error("while creating the journal (schema lockstep)", &e))?;
    let run_id = journal::start_run(&mut conn, &digest, "apply")
        .await
        .map_err(|e| db_error("while opening a run in the journal", &e))?;
    let monitor = lock::Monitor::start(&options.database_url, &mut conn).await;
    let mut runner = step::Runner {
        conn,
        digest: digest.clone(),
        run_id,
        direction: Direction::Forward,
        options,
        monitor,
        plan,
        wait_base: 0,
    };
    let result = run_steps(&mut runner, plan, &decisions, observer).await;
    let error = result.as_ref().err().map(ToString::to_string);
    // The run's own row: best effort, the steps' rows already say what is in effect.
    let _ = journal::finish_run(&mut runner.conn, run_id, error.as_deref()).await;
    runner.monitor.stop();
    result
}

async fn run_steps(
    runner: &mut step::Runner<'_>,
    plan: &Plan,
    decisions: &[Decision],
    observer: &mut dyn Observer,
) -> Result<Summary, ApplyError> {
    let mut summary = Summary::default();
    let total = decisions.len();
    for (position, ((_, step), decision)) in plan.steps().zip(decisions).enumerate() {
        match decision {
            Decision::Done => {
                summary.already_done += 1;
                observer.step_skipped(step, position, total, "already done (journal)");
            }
            Decision::Skip => {
                summary.skipped += 1;
                let key = journal::Key {
                    digest: &runner.digest,
                    direction: runner.direction,
                    step_id: &step.id,
                };
                let new = new_step(step, position);
                journal::begin_step(&mut runner.conn, key, &new, runner.run_id, true)
                    .await
                    .map_err(|e| db_error("while journaling a skipped step", &e))?;
                journal::finish_step(
                    &mut runner.conn,
                    key,
                    State::Skipped,
                    0,
                    0,
                    Some("Django had already applied this migration"),
                )
                .await
                .map_err(|e| db_error("while journaling a skipped step", &e))?;
                observer.step_skipped(
                    step,
                    position,
                    total,
                    "skipped: Django already applied this migration",
                );
            }
            Decision::Run { resume } => {
                runner
                    .run_with_reconnects(step, position, total, resume.as_ref(), observer)
                    .await?;
                summary.ran += 1;
                if runner.direction == Direction::Forward {
                    expect_after(runner, step, observer).await;
                }
            }
        }
    }
    Ok(summary)
}

/// A step's own `expect`, right after it, journaled (`lockstep.checks`): later steps may
/// rename or drop what it made, so this is when its post-conditions are checked. A miss is
/// reported and noted on the step; `verify` steps are the ones that stop a run.
async fn expect_after(runner: &mut step::Runner<'_>, step: &Step, observer: &mut dyn Observer) {
    if step.expect.is_empty() {
        return;
    }
    let Ok(results) = verify::evaluate(&mut runner.conn, &step.expect).await else {
        return;
    };
    let journaled: Vec<(bool, String)> = results.iter().map(|r| (r.ok, r.detail.clone())).collect();
    let _ = journal::record_checks(&mut runner.conn, &runner.digest, &step.id, &journaled).await;
    let missed: Vec<String> = results
        .iter()
        .filter(|r| !r.ok)
        .map(|r| format!("{}: {}", r.check, r.detail))
        .collect();
    if missed.is_empty() {
        return;
    }
    let note = format!("expectations not met after the step: {}", missed.join("; "));
    observer.note(&format!("warning: step `{}`: {note}", step.id));
    let _ = sqlx::query(
        "UPDATE lockstep.steps SET note = $4 \
         WHERE plan_digest = $1 AND direction = $2 AND step_id = $3",
    )
    .bind(&runner.digest)
    .bind(runner.direction.as_str())
    .bind(&step.id)
    .bind(&note)
    .execute(&mut runner.conn)
    .await;
}

/// What to do with each step, in plan order.
///
/// A step whose migration `django_migrations` records is skipped, unless this plan's journal
/// wrote that row (then the journal decides): Django, or another tool, applied it.
pub(crate) fn decide(
    plan: &Plan,
    journal: &BTreeMap<String, StepRow>,
    recorded: &BTreeSet<(String, String)>,
) -> Vec<Decision> {
    let recorded_by_us: BTreeSet<(String, String)> = plan
        .steps()
        .filter(|(_, step)| step.kind == StepKind::Record || step.kind == StepKind::Django)
        .filter(|(_, step)| {
            journal
                .get(&step.id)
                .is_some_and(|row| row.state == State::Done)
        })
        .map(|(_, step)| (step.migration.app.clone(), step.migration.name.clone()))
        .collect();
    plan.steps()
        .map(|(_, step)| {
            let row = journal.get(&step.id);
            if let Some(State::Done | State::Skipped) = row.map(|r| r.state) {
                return Decision::Done;
            }
            let migration = (step.migration.app.clone(), step.migration.name.clone());
            if recorded.contains(&migration) && !recorded_by_us.contains(&migration) {
                Decision::Skip
            } else {
                Decision::Run {
                    resume: row
                        .filter(|r| matches!(r.state, State::Running | State::Failed))
                        .cloned(),
                }
            }
        })
        .collect()
}

/// The journal row a step starts with.
pub(crate) fn new_step(step: &Step, position: usize) -> journal::NewStep<'_> {
    journal::NewStep {
        position,
        app: &step.migration.app,
        migration: &step.migration.name,
        kind: kind_name(step.kind),
    }
}

/// As the plan spells it.
pub(crate) fn kind_name(kind: StepKind) -> &'static str {
    match kind {
        StepKind::Ddl => "ddl",
        StepKind::Backfill => "backfill",
        StepKind::Django => "django",
        StepKind::Record => "record",
        StepKind::Verify => "verify",
    }
}

/// Refuses a plan whose digest is not the approved one.
pub(crate) fn approve(plan: &Plan, approved: &str) -> Result<(), ApplyError> {
    let actual = plan.digest();
    if actual == approved.trim() {
        Ok(())
    } else {
        Err(ApplyError::DigestMismatch {
            approved: approved.trim().to_owned(),
            actual,
        })
    }
}

/// Milliseconds since `start`, for the journal.
pub(crate) fn millis(start: Instant) -> i64 {
    i64::try_from(start.elapsed().as_millis()).unwrap_or(i64::MAX)
}

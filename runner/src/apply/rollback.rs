//! `rollback`: the reverse of the applied steps, in reverse order.
//!
//! In: an approved plan and the journal. Out: every step the journal has `done` undone, last
//! first — `reverse_sql` for `ddl` and `backfill` steps, Django's own `migrate APP PREVIOUS` for
//! `django` steps, the row deleted for `record` steps — each journaled in direction `reverse`
//! and its forward row marked `rolled_back` with it. Invariant: if any applied step has no
//! reverse, nothing is changed and every such step is named.

use lockstep_core::plan::{Plan, Step, StepKind};

use super::journal::{self, Direction, State};
use super::progress::Observer;
use super::{ApplyError, Options, Summary, db_error, step};

/// Why `step` cannot be undone, if it cannot.
fn irreversible(plan: &Plan, step: &Step) -> Option<String> {
    match step.kind {
        StepKind::Ddl | StepKind::Backfill if step.reverse_sql.is_none() => Some(format!(
            "step `{}` ({} of {}.{}) has no reverse SQL",
            step.id,
            super::kind_name(step.kind),
            step.migration.app,
            step.migration.name
        )),
        StepKind::Django if super::django::previous_migration(plan, step).is_none() => {
            Some(format!(
                "step `{}` (Django's {}.{}) has no earlier {} migration in the plan to migrate \
                 back to",
                step.id, step.migration.app, step.migration.name, step.migration.app
            ))
        }
        _ => None,
    }
}

/// Rolls back the applied steps of `plan`.
pub(crate) async fn rollback(
    plan: &Plan,
    options: &Options,
    observer: &mut dyn Observer,
) -> Result<Summary, ApplyError> {
    let digest = plan.digest();
    let mut conn = super::open(options).await?;
    let forward = journal::load(&mut conn, &digest, Direction::Forward)
        .await
        .map_err(|e| db_error("while reading the journal", &e))?;
    let reverse = journal::load(&mut conn, &digest, Direction::Reverse)
        .await
        .map_err(|e| db_error("while reading the journal", &e))?;
    let steps: Vec<(usize, &Step)> = plan.steps().map(|(_, s)| s).enumerate().collect();
    let applied: Vec<(usize, &Step)> = steps
        .into_iter()
        .filter(|(_, s)| {
            forward
                .get(&s.id)
                .is_some_and(|row| row.state == State::Done)
        })
        .rev()
        .collect();
    let problems: Vec<String> = applied
        .iter()
        .filter_map(|(_, s)| irreversible(plan, s))
        .collect();
    if !problems.is_empty() {
        return Err(ApplyError::Irreversible { problems });
    }
    let mut summary = Summary::default();
    if applied.is_empty() {
        observer.note("nothing to roll back: the journal has no applied step of this plan");
        return Ok(summary);
    }
    let run_id = journal::start_run(&mut conn, &digest, "rollback")
        .await
        .map_err(|e| db_error("while opening a run in the journal", &e))?;
    let monitor = super::lock::Monitor::start(&options.database_url, &mut conn).await;
    let mut runner = step::Runner {
        conn,
        digest: digest.clone(),
        run_id,
        direction: Direction::Reverse,
        options,
        monitor,
        plan,
        wait_base: 0,
    };
    let total = applied.len();
    let mut result = Ok(());
    for (index, (_, step)) in applied.iter().enumerate() {
        let resume = reverse
            .get(&step.id)
            .filter(|row| matches!(row.state, State::Running | State::Failed))
            .cloned();
        result = runner
            .run_with_reconnects(step, index, total, resume.as_ref(), observer)
            .await;
        if result.is_err() {
            break;
        }
        summary.ran += 1;
    }
    let error = result.as_ref().err().map(ToString::to_string);
    let _ = journal::finish_run(&mut runner.conn, run_id, error.as_deref()).await;
    runner.monitor.stop();
    result.map(|()| summary)
}

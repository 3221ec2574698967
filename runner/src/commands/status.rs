//! `lockstep status`: which of the plan's migrations are applied (like `showmigrations`), then
//! the journal: runs, and each step's state, attempts and timings.

use std::fmt::Write as _;
use std::io::Write as _;

use lockstep_core::plan::Plan;
use sqlx::postgres::PgConnection;

use crate::apply::{journal, verify};
use crate::cli::{Format, StatusArgs};

pub(crate) fn run(args: &StatusArgs) -> anyhow::Result<u8> {
    let plan = args
        .plan
        .as_deref()
        .map(super::apply::read_plan)
        .transpose()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (text, ok) = runtime.block_on(async {
        let mut conn = crate::db::connect(&args.database_url).await?;
        let verification = match (&plan, args.verify) {
            (Some(plan), true) => Some(verify::verify_plan(&mut conn, plan).await?),
            _ => None,
        };
        let ok = verification.as_ref().is_none_or(|v| v.ok);
        let text = if let (true, Some(v)) = (args.for_report, &verification) {
            serde_json::to_string_pretty(&verify::to_report(v))? + "\n"
        } else if let (Format::Json, Some(v)) = (args.format, &verification) {
            serde_json::to_string_pretty(v)? + "\n"
        } else {
            let mut text = status(&mut conn, plan.as_ref()).await?;
            if let Some(v) = &verification {
                text.push_str(&render_verification(v));
            }
            text
        };
        anyhow::Ok((text, ok))
    })?;
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(if ok {
        crate::exit::OK
    } else {
        crate::exit::FINDINGS
    })
}

/// The verification as text: one line per check, then the verdict.
pub(crate) fn render_verification(v: &verify::Verification) -> String {
    let mut out = String::from("\nVerification:\n");
    for check in &v.checks {
        let _ = writeln!(
            out,
            "  [{}] {}{}: {}",
            if check.ok { "ok" } else { "FAIL" },
            check
                .step
                .as_ref()
                .map(|s| format!("{s}: "))
                .unwrap_or_default(),
            check.check,
            check.detail
        );
    }
    for step in &v.steps {
        let _ = writeln!(
            out,
            "  step {}: {}, {} ms, lock wait {} ms, {} attempt(s)",
            step.id,
            step.state.as_deref().unwrap_or("not run"),
            step.duration_ms
                .map_or_else(|| "-".to_owned(), |d| d.to_string()),
            step.lock_wait_ms,
            step.attempts
        );
    }
    let _ = writeln!(
        out,
        "  {}",
        if v.ok {
            "verified: every check holds"
        } else {
            "NOT verified: see FAIL above"
        }
    );
    out
}

async fn status(conn: &mut PgConnection, plan: Option<&Plan>) -> anyhow::Result<String> {
    let mut out = String::new();
    if let Some(plan) = plan {
        let recorded = crate::apply::django::recorded(conn).await?;
        migrations(&mut out, plan, &recorded)?;
    }
    if !journal::exists(conn).await? {
        writeln!(
            out,
            "Journal: none (lockstep has not applied anything to this database)"
        )?;
        return Ok(out);
    }
    let runs: Vec<Run> = sqlx::query_as(
        "SELECT id, command, plan_digest, state, \
                to_char(started_at, 'YYYY-MM-DD HH24:MI:SS') AS started, \
                to_char(finished_at - started_at, 'HH24:MI:SS.MS') AS took, error \
         FROM lockstep.runs WHERE $1::text IS NULL OR plan_digest = $1 ORDER BY id",
    )
    .bind(plan.map(Plan::digest))
    .fetch_all(&mut *conn)
    .await?;
    writeln!(out, "Runs:")?;
    if runs.is_empty() {
        writeln!(out, "  none for this plan")?;
    }
    for run in &runs {
        writeln!(
            out,
            "  #{} {:<8} {:<11} started {}{} plan {}{}",
            run.id,
            run.command,
            run.state,
            run.started,
            run.took
                .as_ref()
                .map(|t| format!(", took {t},"))
                .unwrap_or_default(),
            run.plan_digest.get(..19).unwrap_or(&run.plan_digest),
            run.error
                .as_ref()
                .map(|e| format!("\n      error: {}", e.lines().next().unwrap_or_default()))
                .unwrap_or_default()
        )?;
    }
    let digest = match plan {
        Some(plan) => Some(plan.digest()),
        None => runs.last().map(|r| r.plan_digest.clone()),
    };
    if let Some(digest) = digest {
        steps(&mut out, conn, &digest).await?;
    }
    let invalid = verify::invalid_indexes(conn).await?;
    if !invalid.is_empty() {
        writeln!(out, "\nINVALID indexes: {}", invalid.join(", "))?;
    }
    Ok(out)
}

/// As `showmigrations` lays it out: apps in order of first appearance, then names.
fn migrations(
    out: &mut String,
    plan: &Plan,
    recorded: &std::collections::BTreeSet<(String, String)>,
) -> std::fmt::Result {
    let mut apps: Vec<(String, Vec<String>)> = Vec::new();
    for (_, step) in plan.steps() {
        let name = step.migration.name.clone();
        match apps.iter_mut().find(|(app, _)| *app == step.migration.app) {
            Some((_, names)) if names.contains(&name) => {}
            Some((_, names)) => names.push(name),
            None => apps.push((step.migration.app.clone(), vec![name])),
        }
    }
    writeln!(out, "Migrations of plan {}:", plan.digest())?;
    for (app, names) in apps {
        writeln!(out, "{app}")?;
        for name in names {
            let applied = recorded.contains(&(app.clone(), name.clone()));
            writeln!(out, " [{}] {name}", if applied { "X" } else { " " })?;
        }
    }
    writeln!(out)
}

async fn steps(out: &mut String, conn: &mut PgConnection, digest: &str) -> anyhow::Result<()> {
    let steps: Vec<StepLine> = sqlx::query_as(
        "SELECT direction, step_id, kind, state, attempts, duration_ms, lock_wait_ms, rows, \
                batches, note, error \
         FROM lockstep.steps WHERE plan_digest = $1 ORDER BY direction, position",
    )
    .bind(digest)
    .fetch_all(conn)
    .await?;
    writeln!(out, "\nSteps of plan {digest}:")?;
    writeln!(
        out,
        "  {:<8} {:<44} {:<8} {:<11} {:>8} {:>10} {:>10}  rows/batches",
        "dir", "step", "kind", "state", "attempts", "time ms", "lock ms"
    )?;
    for s in steps {
        writeln!(
            out,
            "  {:<8} {:<44} {:<8} {:<11} {:>8} {:>10} {:>10}  {}",
            s.direction,
            s.step_id,
            s.kind,
            s.state,
            s.attempts,
            s.duration_ms
                .map_or_else(|| "-".to_owned(), |d| d.to_string()),
            s.lock_wait_ms,
            if s.kind == "backfill" {
                format!("{}/{}", s.rows, s.batches)
            } else {
                "-".to_owned()
            }
        )?;
        if let Some(note) = s.note {
            writeln!(out, "      note: {note}")?;
        }
        if let Some(error) = s.error {
            writeln!(
                out,
                "      error: {}",
                error.lines().next().unwrap_or_default()
            )?;
        }
    }
    Ok(())
}

/// A `lockstep.runs` row.
#[derive(sqlx::FromRow)]
struct Run {
    id: i64,
    command: String,
    plan_digest: String,
    state: String,
    started: String,
    took: Option<String>,
    error: Option<String>,
}

/// A `lockstep.steps` row as shown.
#[derive(sqlx::FromRow)]
struct StepLine {
    direction: String,
    step_id: String,
    kind: String,
    state: String,
    attempts: i32,
    duration_ms: Option<i64>,
    lock_wait_ms: i64,
    rows: i64,
    batches: i32,
    note: Option<String>,
    error: Option<String>,
}

//! Verification: the plan's `expect` checks against the live catalog, with the journal's
//! figures per step.
//!
//! In: a connection and a [`Plan`]. Out: [`Verification`] — each [`Check`] with whether it holds
//! and what was found, every `INVALID` index left in the schema, each step's state, attempts,
//! duration and lock wait from the journal, and which of the plan's migrations
//! `django_migrations` records. `lockstep report --database-url` renders it; `verify` steps and
//! the check after each step use [`evaluate`]. Read-only: it never changes the database.

use std::collections::BTreeSet;

use lockstep_core::plan::{Check, Plan};
use serde::Serialize;
use sqlx::postgres::PgConnection;

/// One check as evaluated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct CheckResult {
    /// The step whose `expect` it is (`None` for plan-wide checks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) step: Option<String>,
    /// What is checked, for people (`index "i" is valid`).
    pub(crate) check: String,
    /// Whether it holds.
    pub(crate) ok: bool,
    /// What the catalog says.
    pub(crate) detail: String,
    /// As journaled right after its step (`None`: not journaled, e.g. the step did not run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) after_step: Option<bool>,
    /// Evaluated now (`None`: a later step of the plan changes the same object, so only the
    /// result right after the step counts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) now: Option<bool>,
}

/// The journal's figures for one step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct StepFigures {
    pub(crate) id: String,
    pub(crate) kind: &'static str,
    /// Journal state (`done`, `skipped`, `failed`, `running`, `rolled_back`), `None` when
    /// the step never ran.
    pub(crate) state: Option<String>,
    pub(crate) attempts: i32,
    pub(crate) duration_ms: Option<i64>,
    /// Time the runner's session waited for locks during the step (sampled from
    /// `pg_locks`).
    pub(crate) lock_wait_ms: i64,
    /// Backfills: rows updated and batches.
    pub(crate) rows: i64,
    pub(crate) batches: i32,
}

/// Whether `django_migrations` records one of the plan's migrations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct MigrationStatus {
    pub(crate) app: String,
    pub(crate) name: String,
    pub(crate) applied: bool,
}

/// Everything the report's verification section shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Verification {
    pub(crate) plan_digest: String,
    /// Every step's `expect`, then the plan-wide checks.
    pub(crate) checks: Vec<CheckResult>,
    /// Indexes with `indisvalid = false` in the search path.
    pub(crate) invalid_indexes: Vec<String>,
    pub(crate) steps: Vec<StepFigures>,
    pub(crate) migrations: Vec<MigrationStatus>,
    /// Every check holds, no index is invalid, every step is done or skipped.
    pub(crate) ok: bool,
}

/// What a check says, for people.
pub(crate) fn describe(check: &Check) -> String {
    match check {
        Check::IndexValid { index } => format!("index \"{index}\" exists and is valid"),
        Check::ConstraintValidated { table, constraint } => {
            format!("constraint \"{constraint}\" on \"{table}\" is validated")
        }
        Check::Column {
            table,
            column,
            nullable,
            r#type,
        } => format!(
            "column \"{table}\".\"{column}\" is {}{}",
            if *nullable { "NULL" } else { "NOT NULL" },
            r#type.as_ref().map(|t| format!(" {t}")).unwrap_or_default()
        ),
        Check::ColumnAbsent { table, column } => {
            format!("column \"{table}\".\"{column}\" does not exist")
        }
        Check::TableExists { table } => format!("table \"{table}\" exists"),
        Check::TableAbsent { table } => format!("table \"{table}\" does not exist"),
        Check::DjangoMigration { app, name } => {
            format!("django_migrations records {app}.{name}")
        }
    }
}

/// Evaluates checks against the catalog, in order.
pub(crate) async fn evaluate(
    conn: &mut PgConnection,
    checks: &[Check],
) -> sqlx::Result<Vec<CheckResult>> {
    let mut results = Vec::with_capacity(checks.len());
    for check in checks {
        let (ok, detail) = one(conn, check).await?;
        results.push(CheckResult {
            step: None,
            check: describe(check),
            ok,
            detail,
            after_step: None,
            now: Some(ok),
        });
    }
    Ok(results)
}

async fn one(conn: &mut PgConnection, check: &Check) -> sqlx::Result<(bool, String)> {
    Ok(match check {
        Check::IndexValid { index } => {
            let found: Option<(bool, bool)> = sqlx::query_as(
                "SELECT x.indisvalid, x.indisready FROM pg_index x \
                 JOIN pg_class c ON c.oid = x.indexrelid \
                 WHERE c.relname = $1 AND pg_table_is_visible(c.oid)",
            )
            .bind(index)
            .fetch_optional(conn)
            .await?;
            match found {
                Some((true, _)) => (true, "valid".to_owned()),
                Some((false, _)) => (false, "exists but is INVALID".to_owned()),
                None => (false, "does not exist".to_owned()),
            }
        }
        Check::ConstraintValidated { table, constraint } => {
            let found: Option<bool> = sqlx::query_scalar(
                "SELECT k.convalidated FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid \
                 WHERE c.relname = $1 AND pg_table_is_visible(c.oid) AND k.conname = $2",
            )
            .bind(table)
            .bind(constraint)
            .fetch_optional(conn)
            .await?;
            match found {
                Some(true) => (true, "validated".to_owned()),
                Some(false) => (false, "exists but is NOT VALID".to_owned()),
                None => (false, "does not exist".to_owned()),
            }
        }
        Check::Column {
            table,
            column,
            nullable,
            r#type,
        } => {
            let found: Option<(bool, String)> = sqlx::query_as(
                "SELECT a.attnotnull, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a \
                 JOIN pg_class c ON c.oid = a.attrelid WHERE c.relname = $1 \
                   AND pg_table_is_visible(c.oid) AND a.attname = $2 AND a.attnum > 0 \
                   AND NOT a.attisdropped",
            )
            .bind(table)
            .bind(column)
            .fetch_optional(conn)
            .await?;
            match found {
                None => (false, "does not exist".to_owned()),
                Some((not_null, actual)) => {
                    let null_ok = not_null != *nullable;
                    let type_ok = r#type.as_ref().is_none_or(|t| *t == actual);
                    (
                        null_ok && type_ok,
                        format!("{} {actual}", if not_null { "NOT NULL" } else { "NULL" }),
                    )
                }
            }
        }
        Check::ColumnAbsent { table, column } => {
            let exists: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
                 WHERE c.relname = $1 AND pg_table_is_visible(c.oid) AND a.attname = $2 \
                   AND a.attnum > 0 AND NOT a.attisdropped)",
            )
            .bind(table)
            .bind(column)
            .fetch_one(conn)
            .await?;
            (!exists, if exists { "exists" } else { "absent" }.to_owned())
        }
        Check::TableExists { table } | Check::TableAbsent { table } => {
            let exists: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM pg_class c WHERE c.relname = $1 \
                   AND c.relkind IN ('r', 'p') AND pg_table_is_visible(c.oid))",
            )
            .bind(table)
            .fetch_one(conn)
            .await?;
            let want = matches!(check, Check::TableExists { .. });
            (
                exists == want,
                if exists { "exists" } else { "absent" }.to_owned(),
            )
        }
        Check::DjangoMigration { app, name } => {
            let recorded = super::django::is_recorded(conn, app, name).await?;
            (
                recorded,
                if recorded { "recorded" } else { "not recorded" }.to_owned(),
            )
        }
    })
}

/// Indexes left `INVALID` (a failed `CONCURRENTLY` build) in the search path.
pub(crate) async fn invalid_indexes(conn: &mut PgConnection) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid \
         WHERE NOT x.indisvalid AND pg_table_is_visible(c.oid) ORDER BY 1",
    )
    .fetch_all(conn)
    .await
}

/// The whole verification of a plan against the database: read-only.
///
/// A step's checks held right after it (the journal) and, unless a later step of the plan
/// changes the same table, index or constraint, still hold now.
pub(crate) async fn verify_plan(
    conn: &mut PgConnection,
    plan: &Plan,
) -> sqlx::Result<Verification> {
    let digest = plan.digest();
    let journaled = super::journal::load_checks(conn, &digest).await?;
    let steps: Vec<&lockstep_core::plan::Step> = plan.steps().map(|(_, s)| s).collect();
    // Objects each step's successors touch, computed from the end.
    let mut later = vec![Touched::default(); steps.len()];
    let mut acc = Touched::default();
    for (i, step) in steps.iter().enumerate().rev() {
        if let Some(slot) = later.get_mut(i) {
            slot.clone_from(&acc);
        }
        acc.add(step);
    }
    let mut checks = Vec::new();
    for (step, touched) in steps.iter().zip(&later) {
        for (position, check) in step.expect.iter().enumerate() {
            let after = journaled.get(&(step.id.clone(), position));
            let superseded = touched.covers(check);
            let live = if superseded {
                None
            } else {
                Some(one(conn, check).await?)
            };
            let (ok, detail) = match (after, &live) {
                (Some((a, d)), None) => (*a, format!("{d} (right after the step)")),
                (Some((a, _)), Some((n, d))) => (*a && *n, d.clone()),
                (None, Some((n, d))) => (*n, d.clone()),
                (None, None) => (
                    false,
                    "not checked: the step has not run, and later steps change the object"
                        .to_owned(),
                ),
            };
            checks.push(CheckResult {
                step: Some(step.id.clone()),
                check: describe(check),
                ok,
                detail,
                after_step: after.map(|(a, _)| *a),
                now: live.map(|(n, _)| n),
            });
        }
    }
    let invalid = invalid_indexes(conn).await?;
    checks.push(CheckResult {
        step: None,
        check: "no INVALID index is left".to_owned(),
        ok: invalid.is_empty(),
        detail: if invalid.is_empty() {
            "none".to_owned()
        } else {
            invalid.join(", ")
        },
        after_step: None,
        now: Some(invalid.is_empty()),
    });
    let figures = step_figures(conn, plan, &digest).await?;
    let recorded = super::django::recorded(conn).await?;
    let mut seen = BTreeSet::new();
    let migrations: Vec<MigrationStatus> = plan
        .steps()
        .filter(|(_, s)| seen.insert(s.migration.clone()))
        .map(|(_, s)| MigrationStatus {
            app: s.migration.app.clone(),
            name: s.migration.name.clone(),
            applied: recorded.contains(&(s.migration.app.clone(), s.migration.name.clone())),
        })
        .collect();
    let steps_ok = figures
        .iter()
        .all(|f| matches!(f.state.as_deref(), Some("done" | "skipped")));
    let ok = checks.iter().all(|c| c.ok) && steps_ok;
    Ok(Verification {
        plan_digest: digest,
        checks,
        invalid_indexes: invalid,
        steps: figures,
        migrations,
        ok,
    })
}

/// What `lockstep report --verification FILE` reads: the plan's migrations
/// `django_migrations` records, and each step's checks as passed, failed (with what the
/// catalog showed) or unverified.
pub(crate) fn to_report(v: &Verification) -> lockstep_core::report::Verification {
    use lockstep_core::report::CheckStatus;
    let mut results: std::collections::BTreeMap<String, Vec<CheckStatus>> =
        std::collections::BTreeMap::new();
    for check in &v.checks {
        let Some(step) = &check.step else { continue };
        let status = if check.after_step.is_none() && check.now.is_none() {
            CheckStatus::Unverified
        } else if check.ok {
            CheckStatus::Passed
        } else {
            CheckStatus::Failed {
                detail: check.detail.clone(),
            }
        };
        results.entry(step.clone()).or_default().push(status);
    }
    lockstep_core::report::Verification {
        applied: Some(
            v.migrations
                .iter()
                .filter(|m| m.applied)
                .map(|m| format!("{}.{}", m.app, m.name))
                .collect(),
        ),
        results,
    }
}

/// Tables, indexes and constraints some steps change, by name; `all` after a statement the
/// runner cannot read.
#[derive(Clone, Debug, Default)]
struct Touched {
    all: bool,
    names: BTreeSet<String>,
}

impl Touched {
    fn add(&mut self, step: &lockstep_core::plan::Step) {
        use super::statement::{Action, TableAction};
        if let Some(spec) = &step.backfill {
            self.names
                .insert(super::preconditions::unquote(&spec.table));
        }
        for sql in &step.sql {
            match super::statement::read(sql) {
                Action::CreateTable { table, .. } => {
                    self.names.insert(table);
                }
                Action::DropTable { tables, .. } => self.names.extend(tables),
                Action::AlterTable { table, actions, .. } => {
                    self.names.insert(table);
                    for action in actions {
                        match action {
                            TableAction::AddConstraint { name, .. }
                            | TableAction::DropConstraint { name, .. }
                            | TableAction::ValidateConstraint { name } => {
                                self.names.insert(name);
                            }
                            TableAction::RenameConstraint { from, to } => {
                                self.names.insert(from);
                                self.names.insert(to);
                            }
                            TableAction::RenameTable { to } => {
                                self.names.insert(to);
                            }
                            _ => {}
                        }
                    }
                }
                Action::CreateIndex { name, table, .. } => {
                    self.names.insert(name);
                    self.names.insert(table);
                }
                Action::DropIndex { names, .. } => self.names.extend(names),
                Action::RenameIndex { from, to } => {
                    self.names.insert(from);
                    self.names.insert(to);
                }
                Action::Other { ddl } => self.all |= ddl,
            }
        }
    }

    fn covers(&self, check: &Check) -> bool {
        let names: Vec<&String> = match check {
            Check::IndexValid { index } => vec![index],
            Check::ConstraintValidated { table, constraint } => vec![table, constraint],
            Check::Column { table, .. }
            | Check::ColumnAbsent { table, .. }
            | Check::TableExists { table }
            | Check::TableAbsent { table } => vec![table],
            // Only a rollback removes a django_migrations row.
            Check::DjangoMigration { .. } => return false,
        };
        self.all || names.iter().any(|n| self.names.contains(*n))
    }
}

async fn step_figures(
    conn: &mut PgConnection,
    plan: &Plan,
    digest: &str,
) -> sqlx::Result<Vec<StepFigures>> {
    type Row = (String, String, i32, Option<i64>, i64, i64, i32);
    let rows: Vec<Row> = if super::journal::exists(conn).await? {
        sqlx::query_as(
            "SELECT step_id, state, attempts, duration_ms, lock_wait_ms, rows, batches \
             FROM lockstep.steps WHERE plan_digest = $1 AND direction = 'forward'",
        )
        .bind(digest)
        .fetch_all(conn)
        .await?
    } else {
        Vec::new()
    };
    Ok(plan
        .steps()
        .map(|(_, step)| {
            let row = rows.iter().find(|r| r.0 == step.id);
            StepFigures {
                id: step.id.clone(),
                kind: super::kind_name(step.kind),
                state: row.map(|r| r.1.clone()),
                attempts: row.map_or(0, |r| r.2),
                duration_ms: row.and_then(|r| r.3),
                lock_wait_ms: row.map_or(0, |r| r.4),
                rows: row.map_or(0, |r| r.5),
                batches: row.map_or(0, |r| r.6),
            }
        })
        .collect())
}

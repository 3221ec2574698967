//! The Migration Report: what is pending, what each migration changes and how the plan
//! applies it, what to verify, and the findings with their acknowledgements.
//!
//! In: the [`Analysis`], the [`Plan`] (built with the reviewer's choices), acknowledgements
//! from the review, and — once the runner has looked at a real database — a
//! [`Verification`]. Out: [`Report`], rendered as Markdown ([`Report::to_markdown`]) or
//! serialized as JSON. Invariant: nothing is ticked that was not checked; without a
//! verification every check is `unverified` and the applied count is unknown.

mod markdown;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::analysis::{Analysis, FileAnalysis};
use crate::plan::{Check, PhaseName, Plan, StepKind, TransactionMode};
use crate::rules::Severity;
use crate::source::{SourceFile, SourceKind};

/// The format tag of the JSON report.
pub const FORMAT: &str = "lockstep-report/1";

/// The Migration Report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Always [`FORMAT`].
    pub format: &'static str,
    /// What is pending and what is applied.
    pub current_state: CurrentState,
    /// Per migration, in plan order: its operations, tables and strategy.
    pub changes: Vec<MigrationChanges>,
    /// The plan's post-conditions, each with its status.
    pub verification: Vec<VerificationItem>,
    /// Every finding, with its acknowledgement if it has one.
    pub findings: Vec<ReportFinding>,
}

/// Where the database stands.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CurrentState {
    /// Migrations of the plan not yet applied (all of them when no database was consulted).
    pub pending: Vec<String>,
    /// `django_migrations` rows in the database; `None`: no database consulted.
    pub applied: Option<usize>,
    /// The plan's digest: what approval pins.
    pub plan_digest: String,
    /// Steps before the deploy.
    pub pre_deploy_steps: usize,
    /// Steps after the deploy.
    pub post_deploy_steps: usize,
}

/// One migration's changes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MigrationChanges {
    /// `app.name`.
    pub migration: String,
    /// The file.
    pub path: String,
    /// Its operations (for `.sql` files: its statements).
    pub operations: Vec<OperationChange>,
    /// Whether the whole migration is handed to Django (`RunPython` or SQL not reproduced).
    pub handed_to_django: bool,
}

/// One operation's change.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OperationChange {
    /// Index in the migration.
    pub index: usize,
    /// Django's class, or `SQL`.
    pub kind: String,
    /// Django's description (or the statement's first line).
    pub description: String,
    /// Tables it touches.
    pub tables: Vec<String>,
    /// How the plan applies it.
    pub strategy: Strategy,
}

/// How the plan applies an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// No step of its own: Django state only, or a session `SET` the later steps repeat.
    None,
    /// As written, in one short transaction.
    Direct,
    /// Without blocking writes: `CONCURRENTLY`, or `NOT VALID` then `VALIDATE`.
    Concurrent,
    /// A keyset-batched backfill, each batch its own transaction.
    Batched,
    /// Split around the deploy: expand before, contract after.
    ExpandContract,
    /// Handed to Django's `migrate`.
    Django,
}

impl Strategy {
    /// As the report writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "no step of its own",
            Self::Direct => "direct",
            Self::Concurrent => "concurrent",
            Self::Batched => "batched",
            Self::ExpandContract => "expand–contract",
            Self::Django => "Django migrate",
        }
    }
}

/// A check and whether it held.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VerificationItem {
    /// The step it follows.
    pub step: String,
    /// What must hold.
    pub check: Check,
    /// Checked or not, and how it went.
    pub status: CheckStatus,
}

/// The outcome of one check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CheckStatus {
    /// Not checked against a database.
    Unverified,
    /// It holds.
    Passed,
    /// It does not hold.
    Failed {
        /// What the database showed.
        detail: String,
    },
}

/// What the runner read from a real database, for the report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Verification {
    /// `django_migrations` rows as `app.name`; `None` when the table was not read.
    pub applied: Option<BTreeSet<String>>,
    /// Results by step id, one per check of the step's `expect`, in order.
    pub results: BTreeMap<String, Vec<CheckStatus>>,
}

/// A finding as the report shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReportFinding {
    /// Rule id.
    pub rule: String,
    /// Severity.
    pub severity: Severity,
    /// `path:line:column`.
    pub location: String,
    /// Why it hurts.
    pub message: String,
    /// Its fingerprint.
    pub fingerprint: String,
    /// Who acknowledged it and why, if anyone did.
    pub acknowledged: Option<Acknowledgement>,
}

/// An acknowledgement of a finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledgement {
    /// Who (`source comment` for a `# lockstep: ack` comment).
    pub by: String,
    /// Why.
    pub reason: String,
}

/// Acknowledgements from the review, by finding fingerprint.
pub type Acknowledgements = BTreeMap<String, Acknowledgement>;

/// Builds the report.
pub fn build(
    analysis: &Analysis,
    plan: &Plan,
    sources: &[SourceFile],
    acknowledgements: &Acknowledgements,
    verification: Option<&Verification>,
) -> Report {
    let applied = verification.and_then(|v| v.applied.as_ref());
    let planned: Vec<&FileAnalysis> = analysis.files.iter().filter(|f| f.in_plan).collect();
    let pending = planned
        .iter()
        .filter(|f| f.kind == Some(SourceKind::Django) || f.kind == Some(SourceKind::Sql))
        .map(|f| format!("{}.{}", f.app_label, f.name))
        .filter(|key| applied.is_none_or(|a| !a.contains(key)))
        .collect();
    let count = |name: PhaseName| {
        plan.phases
            .iter()
            .filter(|p| p.name == name)
            .map(|p| p.steps.len())
            .sum()
    };
    let current_state = CurrentState {
        pending,
        applied: applied.map(BTreeSet::len),
        plan_digest: plan.digest(),
        pre_deploy_steps: count(PhaseName::PreDeploy),
        post_deploy_steps: count(PhaseName::PostDeploy),
    };
    let changes = planned.iter().map(|file| changes(file, plan)).collect();
    let mut verification_items = Vec::new();
    for (_, step) in plan.steps() {
        let results = verification.and_then(|v| v.results.get(&step.id));
        for (i, check) in step.expect.iter().enumerate() {
            verification_items.push(VerificationItem {
                step: step.id.clone(),
                check: check.clone(),
                status: results
                    .and_then(|r| r.get(i))
                    .cloned()
                    .unwrap_or(CheckStatus::Unverified),
            });
        }
    }
    let findings = analysis
        .findings
        .iter()
        .map(|f| ReportFinding {
            rule: f.rule.to_owned(),
            severity: f.severity,
            location: format!("{}:{}:{}", f.path, f.line, f.column),
            message: f.message.clone(),
            fingerprint: f.fingerprint.clone(),
            acknowledged: acknowledgements
                .get(&f.fingerprint)
                .cloned()
                .or_else(|| source_acknowledgement(sources, &f.path, f.line, f.rule)),
        })
        .collect();
    Report {
        format: FORMAT,
        current_state,
        changes,
        verification: verification_items,
        findings,
    }
}

fn changes(file: &FileAnalysis, plan: &Plan) -> MigrationChanges {
    let steps: Vec<(PhaseName, &crate::plan::Step)> = plan
        .steps()
        .filter(|(_, s)| s.migration.app == file.app_label && s.migration.name == file.name)
        .collect();
    let handed_to_django = steps.iter().any(|(_, s)| s.kind == StepKind::Django);
    let operations = file
        .operations
        .iter()
        .map(|operation| {
            let mine: Vec<&(PhaseName, &crate::plan::Step)> = steps
                .iter()
                .filter(|(_, s)| s.operation_index == Some(operation.index))
                .collect();
            let strategy = if handed_to_django {
                Strategy::Django
            } else {
                strategy(&mine)
            };
            let tables: BTreeSet<String> = operation
                .statements
                .iter()
                .flat_map(|s| crate::plan::tables_of(&s.statement.sql))
                .collect();
            OperationChange {
                index: operation.index,
                kind: operation.kind.clone(),
                description: operation.description.clone(),
                tables: tables.into_iter().collect(),
                strategy,
            }
        })
        .collect();
    MigrationChanges {
        migration: format!("{}.{}", file.app_label, file.name),
        path: file.path.clone(),
        operations,
        handed_to_django,
    }
}

fn strategy(steps: &[&(PhaseName, &crate::plan::Step)]) -> Strategy {
    if steps.is_empty() {
        return Strategy::None;
    }
    let phases: BTreeSet<PhaseName> = steps.iter().map(|(p, _)| *p).collect();
    if phases.contains(&PhaseName::PostDeploy) && steps.len() > 1 {
        return Strategy::ExpandContract;
    }
    if steps.iter().any(|(_, s)| s.kind == StepKind::Backfill) {
        return Strategy::Batched;
    }
    let concurrent = steps.iter().any(|(_, s)| {
        s.transaction == TransactionMode::Autocommit
            || s.sql.iter().any(|q| q.contains(" VALIDATE CONSTRAINT "))
    });
    if concurrent {
        Strategy::Concurrent
    } else {
        Strategy::Direct
    }
}

/// `# lockstep: ack RULE -- reason` (or `-- lockstep: ack …`) on the finding's line or the
/// line above it.
fn source_acknowledgement(
    sources: &[SourceFile],
    path: &str,
    line: u32,
    rule: &str,
) -> Option<Acknowledgement> {
    let text = &sources.iter().find(|s| s.path == path)?.text;
    let index = usize::try_from(line).ok()?.checked_sub(1)?;
    let lines: Vec<&str> = text.lines().collect();
    [index.checked_sub(1), Some(index)]
        .into_iter()
        .flatten()
        .filter_map(|i| lines.get(i))
        .find_map(|l| {
            let (_, ack) = l.split_once("lockstep: ack ")?;
            let (id, reason) = ack.split_once(" -- ").unwrap_or((ack, ""));
            (id.trim() == rule).then(|| Acknowledgement {
                by: "source comment".to_owned(),
                reason: reason.trim().to_owned(),
            })
        })
}

#[cfg(test)]
mod tests;

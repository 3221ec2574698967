//! The plan (`lockstep-plan/1`): what the runner applies, pinned by its digest.
//!
//! A plan is the reviewed analysis turned into ordered steps, each with its SQL, its
//! transaction mode, its timeouts and its reverse. Approval is the plan's `sha256:` digest over
//! its canonical JSON ([`canonical`]), so the same inputs give the same digest in the browser
//! (wasm) and in the runner (native). Invariant: every field that changes what the runner does
//! is part of the serialized plan, so changing it changes the digest.

mod build;
pub mod canonical;
mod rewrite;
mod shapes;
mod sqltext;
mod steps;

pub use build::{DJANGO_ATTEMPTS, LOCK_ATTEMPTS, STATEMENT_TIMEOUT_MS, build};
pub use steps::tables as tables_of;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::source::Settings;

/// The format tag every plan carries; the runner refuses any other.
pub const FORMAT: &str = "lockstep-plan/1";

/// An approvable plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Always [`FORMAT`].
    pub format: String,
    /// The Lockstep version that wrote it.
    pub lockstep_version: String,
    /// The settings the analysis used.
    pub settings: Settings,
    /// Each input file with the digest of its bytes.
    pub sources: Vec<SourceDigest>,
    /// Pre-deploy (expand) then post-deploy (contract).
    pub phases: Vec<Phase>,
}

/// One input file, pinned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceDigest {
    /// Path as given.
    pub path: String,
    /// `sha256:<hex>` of the file's bytes.
    pub sha256: String,
}

/// A group of steps applied at one point of a deploy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// When it runs.
    pub name: PhaseName,
    /// In order.
    pub steps: Vec<Step>,
}

/// When a phase runs relative to deploying the new code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PhaseName {
    /// Expand: before the new code is deployed; old code must keep working.
    PreDeploy,
    /// Contract: after the new code is deployed (drops, constraints new code relies on).
    PostDeploy,
}

/// The migration a step belongs to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrationRef {
    /// App label (for `.sql` files: the directory the path names).
    pub app: String,
    /// Migration name (for `.sql` files: the file stem).
    pub name: String,
}

/// One unit the runner applies, journals and can retry or reverse.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Unique within the plan and stable for the same inputs (`shop.0002_order_created/1.2`).
    pub id: String,
    /// The migration it comes from.
    pub migration: MigrationRef,
    /// The operation (Django) or statement (`.sql`) it comes from, if one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_index: Option<usize>,
    /// What the runner does with it.
    pub kind: StepKind,
    /// The statements, in order. Empty for `record`, `verify` and `django` steps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sql: Vec<String>,
    /// What undoes it, in order; `None` when it cannot be undone (rollback refuses there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverse_sql: Option<Vec<String>>,
    /// Whether the statements run inside one transaction or one by one in autocommit.
    pub transaction: TransactionMode,
    /// `lock_timeout` for each attempt.
    pub lock_timeout_ms: u64,
    /// `statement_timeout` (0 = none, as for `CONCURRENTLY` and `VALIDATE` steps).
    pub statement_timeout_ms: u64,
    /// Attempts before giving up on lock timeouts (≥ 1).
    pub max_attempts: u32,
    /// For `backfill` steps: what to update, batch by batch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backfill: Option<Backfill>,
    /// What must hold after the step (the runner verifies and reports).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expect: Vec<Check>,
}

/// What the runner does with a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Schema statements.
    Ddl,
    /// Keyset-batched `UPDATE` (each batch its own short transaction); see [`Backfill`].
    Backfill,
    /// Handed to Django (`manage.py migrate APP NAME`): `RunPython` and other opaque migrations.
    Django,
    /// The `django_migrations` row of [`Step::migration`], written as Django writes it.
    Record,
    /// Checks only ([`Step::expect`]).
    Verify,
}

/// How a step's statements run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransactionMode {
    /// All statements (and the journal entry) in one transaction.
    Transaction,
    /// Each statement on its own (required by `CONCURRENTLY`).
    Autocommit,
}

/// A keyset-batched update: `UPDATE table SET set WHERE key > $last AND key <= $next AND (where)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Backfill {
    /// Quoted table name as it appears in SQL.
    pub table: String,
    /// The primary-key column batches are keyed on.
    pub key: String,
    /// The `SET` list (`"status" = 'new'`).
    pub set: String,
    /// Which rows still need it (`"status" IS NULL`); batches skip the rest.
    pub r#where: String,
    /// Rows per batch to start with (the runner adapts it to a target duration).
    pub batch_size: u32,
}

/// A post-condition the runner verifies against the catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "check", rename_all = "snake_case", deny_unknown_fields)]
pub enum Check {
    /// The index exists and `pg_index.indisvalid`.
    IndexValid {
        /// Index name.
        index: String,
    },
    /// The constraint exists on the table and `pg_constraint.convalidated`.
    ConstraintValidated {
        /// Table name.
        table: String,
        /// Constraint name.
        constraint: String,
    },
    /// The column exists with this nullability (and type, when given as `format_type` prints it).
    Column {
        /// Table name.
        table: String,
        /// Column name.
        column: String,
        /// Whether it accepts NULL.
        nullable: bool,
        /// `format_type(atttypid, atttypmod)`, e.g. `character varying(20)`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        r#type: Option<String>,
    },
    /// The column no longer exists.
    ColumnAbsent {
        /// Table name.
        table: String,
        /// Column name.
        column: String,
    },
    /// The table exists.
    TableExists {
        /// Table name.
        table: String,
    },
    /// The table no longer exists.
    TableAbsent {
        /// Table name.
        table: String,
    },
    /// The `django_migrations` row exists.
    DjangoMigration {
        /// App label.
        app: String,
        /// Migration name.
        name: String,
    },
}

/// The reviewer's choice for one finding: apply the safe rewrite or keep the statement as
/// written (which needs an acknowledgement for error findings).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    /// The mechanical safe rewrite (the default where one exists).
    Safe,
    /// As written.
    Keep,
}

/// Choices by finding fingerprint; findings not listed get [`Choice::Safe`].
pub type Choices = BTreeMap<String, Choice>;

/// The rules whose findings the plan rewrites unless the reviewer keeps the statement as
/// written (`docs/plan.md`, "Rewrites"); other findings offer no choice. The rewrites answer
/// only to these (checked whenever a rewrite asks for its choice).
pub const REWRITTEN_RULES: &[&str] = &[
    "add-check-validating",
    "add-column-volatile-default",
    "add-foreign-key-validating",
    "add-index-non-concurrent",
    "django-alterfield-backfill-in-transaction",
    "drop-index-non-concurrent",
    "set-not-null-scan",
    "unbatched-backfill",
];

/// Whether the plan offers a safe rewrite for findings of `rule`.
pub fn rewrites(rule: &str) -> bool {
    REWRITTEN_RULES.contains(&rule)
}

impl Plan {
    /// Every step in order, with its phase.
    pub fn steps(&self) -> impl Iterator<Item = (PhaseName, &Step)> {
        self.phases
            .iter()
            .flat_map(|phase| phase.steps.iter().map(move |step| (phase.name, step)))
    }

    /// The canonical bytes (keys sorted, no whitespace, UTF-8).
    pub fn canonical_json(&self) -> String {
        canonical::to_canonical_json(self)
    }

    /// `sha256:<hex>` of [`Plan::canonical_json`]: what approval pins.
    pub fn digest(&self) -> String {
        canonical::digest(self.canonical_json().as_bytes())
    }

    /// Reads a plan, refusing unknown fields and any format other than [`FORMAT`].
    pub fn from_json(text: &str) -> Result<Self, PlanError> {
        // The format is checked first so an old or future plan says so, rather than failing
        // on whichever field changed.
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|error| PlanError::Malformed {
                line: error.line(),
                column: error.column(),
                message: error.to_string(),
            })?;
        match value.get("format").and_then(serde_json::Value::as_str) {
            Some(FORMAT) => {}
            Some(other) => return Err(PlanError::UnknownFormat(other.to_owned())),
            None => return Err(PlanError::UnknownFormat(String::new())),
        }
        let plan: Plan = serde_json::from_value(value).map_err(|error| PlanError::Malformed {
            line: error.line(),
            column: error.column(),
            message: error.to_string(),
        })?;
        plan.validate()?;
        Ok(plan)
    }

    /// Checks what the types cannot say: unique step ids, attempts ≥ 1, a backfill exactly on
    /// backfill steps, phases in order.
    pub fn validate(&self) -> Result<(), PlanError> {
        let mut seen = std::collections::BTreeSet::new();
        let mut last_phase = None;
        for phase in &self.phases {
            if last_phase.is_some_and(|last| last >= phase.name) {
                return Err(PlanError::Invalid(format!(
                    "phase `{}` is out of order or repeated",
                    phase.name.as_str()
                )));
            }
            last_phase = Some(phase.name);
        }
        for (_, step) in self.steps() {
            if !seen.insert(step.id.as_str()) {
                return Err(PlanError::Invalid(format!("step id `{}` repeats", step.id)));
            }
            if step.max_attempts == 0 {
                return Err(PlanError::Invalid(format!(
                    "step `{}`: max_attempts must be at least 1",
                    step.id
                )));
            }
            if (step.kind == StepKind::Backfill) != step.backfill.is_some() {
                return Err(PlanError::Invalid(format!(
                    "step `{}`: a backfill spec belongs to exactly the backfill steps",
                    step.id
                )));
            }
        }
        Ok(())
    }
}

impl PhaseName {
    /// As written in the plan.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PreDeploy => "pre-deploy",
            Self::PostDeploy => "post-deploy",
        }
    }
}

/// Why a plan cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// Not JSON, or not a plan's shape.
    #[error("the plan is malformed at line {line}, column {column}: {message}")]
    Malformed {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What serde said.
        message: String,
    },
    /// Another format version (or none).
    #[error("the plan's format is `{0}`, this lockstep reads only `lockstep-plan/1`")]
    UnknownFormat(String),
    /// Well-formed but inconsistent.
    #[error("the plan is invalid: {0}")]
    Invalid(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewritten_rules_are_rules() {
        for rule in REWRITTEN_RULES {
            assert!(crate::rules::registry::rule(rule).is_some(), "{rule}");
        }
        assert!(rewrites("set-not-null-scan") && !rewrites("rename-column"));
    }

    fn sample() -> Plan {
        Plan {
            format: FORMAT.to_owned(),
            lockstep_version: "0.1.0".to_owned(),
            settings: Settings::default(),
            sources: vec![SourceDigest {
                path: "shop/migrations/0002_order_created.py".to_owned(),
                sha256: canonical::digest(b"x"),
            }],
            phases: vec![Phase {
                name: PhaseName::PreDeploy,
                steps: vec![Step {
                    id: "shop.0002_order_created/0.0".to_owned(),
                    migration: MigrationRef {
                        app: "shop".to_owned(),
                        name: "0002_order_created".to_owned(),
                    },
                    operation_index: Some(0),
                    kind: StepKind::Ddl,
                    sql: vec![
                        r#"CREATE INDEX CONCURRENTLY "i" ON "shop_order" ("created")"#.to_owned(),
                    ],
                    reverse_sql: Some(vec![r#"DROP INDEX CONCURRENTLY IF EXISTS "i""#.to_owned()]),
                    transaction: TransactionMode::Autocommit,
                    lock_timeout_ms: 2_000,
                    statement_timeout_ms: 0,
                    max_attempts: 5,
                    backfill: None,
                    expect: vec![Check::IndexValid {
                        index: "i".to_owned(),
                    }],
                }],
            }],
        }
    }

    #[test]
    fn round_trips_through_canonical_json_with_the_same_digest() {
        let plan = sample();
        let read = Plan::from_json(&plan.canonical_json()).unwrap();
        assert_eq!(read, plan);
        assert_eq!(read.digest(), plan.digest());
        assert!(plan.digest().starts_with("sha256:"));
    }

    #[test]
    fn every_meaningful_change_changes_the_digest() {
        let base = sample().digest();
        let changes: Vec<fn(&mut Plan)> = vec![
            |p| p.lockstep_version.push('1'),
            |p| p.settings.lock_timeout_ms += 1,
            |p| p.sources[0].sha256.push('0'),
            |p| p.phases[0].name = PhaseName::PostDeploy,
            |p| p.phases[0].steps[0].sql[0].push(' '),
            |p| p.phases[0].steps[0].reverse_sql = None,
            |p| p.phases[0].steps[0].transaction = TransactionMode::Transaction,
            |p| p.phases[0].steps[0].lock_timeout_ms += 1,
            |p| p.phases[0].steps[0].statement_timeout_ms += 1,
            |p| p.phases[0].steps[0].max_attempts += 1,
            |p| p.phases[0].steps[0].operation_index = None,
            |p| p.phases[0].steps[0].expect.clear(),
        ];
        for (i, change) in changes.into_iter().enumerate() {
            let mut plan = sample();
            change(&mut plan);
            assert_ne!(plan.digest(), base, "change {i} kept the digest");
        }
    }

    #[test]
    fn refuses_other_formats_unknown_fields_and_inconsistent_plans() {
        let json = sample().canonical_json();
        let other = json.replace("lockstep-plan/1", "lockstep-plan/2");
        assert_eq!(
            Plan::from_json(&other),
            Err(PlanError::UnknownFormat("lockstep-plan/2".to_owned()))
        );
        let unknown = json.replacen('{', r#"{"surprise":1,"#, 1);
        assert!(matches!(
            Plan::from_json(&unknown),
            Err(PlanError::Malformed { .. })
        ));
        let truncated = json.get(..json.len() / 2).unwrap();
        let Err(PlanError::Malformed { line, column, .. }) = Plan::from_json(truncated) else {
            panic!("a truncated plan must be malformed");
        };
        assert_eq!((line, column), (1, json.len() / 2));
        let mut repeated = sample();
        let step = repeated.phases[0].steps[0].clone();
        repeated.phases[0].steps.push(step);
        assert!(matches!(
            Plan::from_json(&repeated.canonical_json()),
            Err(PlanError::Invalid(_))
        ));
    }
}

//! Analysis + review choices → [`Plan`].
//!
//! In: the [`Analysis`] (files in plan order, each operation with Django's exact statements,
//! their locks and their way back), the source files (pinned by digest) and the reviewer's
//! [`Choices`]. Out: the plan, deterministically. Invariants:
//! - every statement Django (or the file) runs is in a step, as written or rewritten
//!   ([`super::rewrite`]); a migration with an operation Lockstep does not reproduce as SQL
//!   (`RunPython`, an unknown call, `RunSQL` with parameters) is one `django` step instead,
//!   which the runner hands to `manage.py migrate APP NAME`;
//! - steps keep Django's order, except that contract steps (drops, `NOT NULL`) and every
//!   later step touching the same relations move to `post-deploy`, in their order;
//! - a migration's `record` step comes after its last step, and records stay in plan order
//!   (Django refuses a history where a migration is applied before its dependency), so a
//!   record follows the latest record into `post-deploy` when one went there. A `django`
//!   step needs every earlier migration recorded (Django would otherwise apply it again), so
//!   it follows them too.

use std::collections::{BTreeMap, BTreeSet};

use super::rewrite::{self, Ctx};
use super::shapes::{Action, Shape, shape};
use super::steps;
use super::{
    Check, Choices, FORMAT, MigrationRef, Phase, PhaseName, Plan, SourceDigest, Step, StepKind,
    TransactionMode,
};
use crate::analysis::{Analysis, Backwards, FileAnalysis, SqlStatus, StatementAnalysis};
use crate::source::{Settings, SourceFile, SourceKind};
use crate::sql::StatementKind;

/// `statement_timeout` of steps whose statements are quick (catalog changes once locked),
/// and of each backfill batch.
pub const STATEMENT_TIMEOUT_MS: u64 = 60_000;
/// Attempts of a step that waits for locks (each attempt bounded by `lock_timeout`).
pub const LOCK_ATTEMPTS: u32 = 5;
/// Attempts of a `django` step (Django runs the whole migration again each time).
pub const DJANGO_ATTEMPTS: u32 = 3;

/// A step before it has an id and a phase.
#[derive(Clone, Debug)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "each flag is one independent fact the phase placement reads"
)]
pub(crate) struct Unit {
    pub(crate) operation: Option<usize>,
    pub(crate) kind: StepKind,
    pub(crate) sql: Vec<String>,
    /// `None`: cannot be undone; filled from Django's way back for an operation's first step.
    pub(crate) reverse: Option<Vec<String>>,
    pub(crate) transaction: TransactionMode,
    /// Proportional to the table: no `statement_timeout`.
    pub(crate) long: bool,
    pub(crate) backfill: Option<super::Backfill>,
    pub(crate) expect: Vec<Check>,
    /// Removes what deployed code may still use, or adds what it may violate.
    pub(crate) contract: bool,
    /// Relations it touches (for ordering across phases).
    pub(crate) relations: BTreeSet<String>,
    /// Indexes and constraints it creates (its reverse drops them).
    pub(crate) creates: Vec<String>,
    /// Touches what the plan cannot see (a `django` step).
    pub(crate) opaque: bool,
    /// Django defers it to the end of the migration.
    pub(crate) deferred: bool,
}

impl Unit {
    pub(crate) fn ddl(sql: Vec<String>, transaction: TransactionMode) -> Self {
        Self {
            operation: None,
            kind: StepKind::Ddl,
            sql,
            reverse: None,
            transaction,
            long: false,
            backfill: None,
            expect: Vec::new(),
            contract: false,
            relations: BTreeSet::new(),
            creates: Vec::new(),
            opaque: false,
            deferred: false,
        }
    }

    /// Adds a statement kept as written.
    fn push(&mut self, statement: &StatementAnalysis) {
        let sql = &statement.statement.sql;
        self.sql.push(sql.clone());
        if steps::needs_autocommit(sql) || statement.statement.kind == StatementKind::Transaction {
            self.transaction = TransactionMode::Autocommit;
        }
        self.long |= !matches!(
            statement.locks.duration,
            Some(crate::locks::Duration::Instant)
        );
        self.contract |= steps::is_contract(sql);
        self.relations.extend(steps::relations(sql));
        self.relations
            .extend(statement.locks.locks.iter().map(|l| l.relation.clone()));
        self.creates.extend(steps::creates(sql));
    }
}

/// Builds the plan for `analysis` of `sources` with the reviewer's `choices`.
pub fn build(analysis: &Analysis, sources: &[SourceFile], choices: &Choices) -> Plan {
    let mut builder = Builder {
        settings: &analysis.settings,
        phases: BTreeMap::new(),
        contracted: BTreeSet::new(),
        any_post: false,
        barrier: false,
        record_floor: PhaseName::PreDeploy,
        primary_keys: BTreeMap::new(),
    };
    for file in analysis.files.iter().filter(|f| f.in_plan) {
        match file.kind {
            Some(SourceKind::Django) => builder.django_file(file, choices),
            Some(SourceKind::Sql) => builder.sql_file(file, choices),
            None => {}
        }
    }
    let mut digests: Vec<SourceDigest> = sources
        .iter()
        .map(|s| SourceDigest {
            path: s.path.clone(),
            sha256: super::canonical::digest(s.text.as_bytes()),
        })
        .collect();
    digests.sort_by(|a, b| a.path.cmp(&b.path).then(a.sha256.cmp(&b.sha256)));
    digests.dedup();
    Plan {
        format: FORMAT.to_owned(),
        lockstep_version: env!("CARGO_PKG_VERSION").to_owned(),
        settings: analysis.settings.clone(),
        sources: digests,
        phases: builder
            .phases
            .into_iter()
            .filter(|(_, steps)| !steps.is_empty())
            .map(|(name, steps)| Phase { name, steps })
            .collect(),
    }
}

struct Builder<'a> {
    settings: &'a Settings,
    phases: BTreeMap<PhaseName, Vec<Step>>,
    /// Relations with a step in `post-deploy`: later steps on them follow.
    contracted: BTreeSet<String>,
    any_post: bool,
    /// A `django` step went to `post-deploy`: every later step follows it.
    barrier: bool,
    /// The phase of the latest `record` step.
    record_floor: PhaseName,
    primary_keys: BTreeMap<String, String>,
}

impl Builder<'_> {
    fn django_file(&mut self, file: &FileAnalysis, choices: &Choices) {
        let migration = MigrationRef {
            app: file.app_label.clone(),
            name: file.name.clone(),
        };
        let mut last = PhaseName::PreDeploy;
        if handed_to_django(file) {
            let mut unit = Unit::ddl(
                Vec::new(),
                if file.atomic {
                    TransactionMode::Transaction
                } else {
                    TransactionMode::Autocommit
                },
            );
            unit.kind = StepKind::Django;
            unit.long = true;
            unit.opaque = true;
            unit.expect = vec![Check::DjangoMigration {
                app: file.app_label.clone(),
                name: file.name.clone(),
            }];
            for statement in file.operations.iter().flat_map(|o| &o.statements) {
                self.learn(&statement.statement.sql);
            }
            last = self.place(&migration, "django", unit);
        } else {
            let units = self.django_units(file, choices);
            let mut counters: BTreeMap<Option<usize>, usize> = BTreeMap::new();
            for unit in units {
                let n = counters.entry(unit.operation).or_default();
                let id = format!("{}.{}", unit.operation.unwrap_or_default(), n);
                *n += 1;
                last = last.max(self.place(&migration, &id, unit));
            }
        }
        // The record.
        let phase = last.max(self.record_floor);
        self.record_floor = phase;
        // A squash: Django records each migration it replaces, then the squash itself.
        let replaced = file.replaces.iter().map(|(app, name)| MigrationRef {
            app: app.clone(),
            name: name.clone(),
        });
        for recorded in replaced.chain([migration]) {
            let mut record = Unit::ddl(Vec::new(), TransactionMode::Transaction);
            record.kind = StepKind::Record;
            record.reverse = Some(Vec::new());
            record.expect = vec![Check::DjangoMigration {
                app: recorded.app.clone(),
                name: recorded.name.clone(),
            }];
            self.push(phase, &recorded, "record", record);
        }
    }

    /// Every operation's steps: immediate statements per operation, then the deferred ones
    /// (Django runs them at the end of the migration), with each operation's way back.
    fn django_units(&mut self, file: &FileAnalysis, choices: &Choices) -> Vec<Unit> {
        let created = created_here(file);
        let irreversible = matches!(file.backwards, Some(Backwards::Irreversible { .. }));
        let mode = if file.atomic {
            TransactionMode::Transaction
        } else {
            TransactionMode::Autocommit
        };
        let mut per_operation: Vec<Vec<Unit>> = Vec::new();
        for deferred in [false, true] {
            for (i, operation) in file.operations.iter().enumerate() {
                let statements: Vec<&StatementAnalysis> = operation
                    .statements
                    .iter()
                    .filter(|s| s.deferred == deferred)
                    .collect();
                let ctx = Ctx {
                    app: &file.app_label,
                    migration: &file.name,
                    operation: operation.index,
                    choices,
                    created_here: &created,
                    primary_keys: &self.primary_keys.clone(),
                };
                let units = self.chunk(&ctx, &statements, mode);
                if per_operation.len() <= i {
                    per_operation.resize_with(i + 1, Vec::new);
                }
                if let Some(list) = per_operation.get_mut(i) {
                    list.extend(units.into_iter().map(|mut u| {
                        u.operation = Some(operation.index);
                        u
                    }));
                }
            }
        }
        // The way back: Django's for the whole operation on its first step (after what that
        // step's own rewrite undoes), less what later steps of the operation create, which
        // their own reverses drop. Steps apply in order, so when a later step is rolled back
        // the first one is too: a later step whose undoing cannot be said on its own leaves
        // it to Django's way back on the first.
        for (operation, units) in file.operations.iter().zip(&mut per_operation) {
            let backwards = if irreversible {
                None
            } else {
                operation.backwards.as_ref()
            };
            let later: BTreeSet<String> = units
                .iter()
                .skip(1)
                .flat_map(|u| u.creates.iter().cloned())
                .collect();
            for (n, unit) in units.iter_mut().enumerate() {
                let Some(statements) = backwards else {
                    unit.reverse = None;
                    continue;
                };
                if n == 0 {
                    let own = unit.reverse.take();
                    let mut covered = later.clone();
                    if own.is_some() {
                        covered.extend(unit.creates.iter().cloned());
                    }
                    let mut reverse = own.unwrap_or_default();
                    reverse.extend(
                        statements
                            .iter()
                            .map(|s| s.sql.clone())
                            .filter(|s| !steps::drops_one_of(s, &covered)),
                    );
                    unit.reverse = Some(reverse);
                } else if unit.reverse.is_none() {
                    let derived = unit
                        .sql
                        .iter()
                        .rev()
                        .map(|s| steps::derived_reverse(s, unit.transaction))
                        .collect::<Option<Vec<Vec<String>>>>();
                    unit.reverse = Some(derived.map(|v| v.concat()).unwrap_or_default());
                }
            }
        }
        // Immediate steps of every operation, then the deferred ones (a stable sort).
        let mut ordered: Vec<Unit> = per_operation.into_iter().flatten().collect();
        ordered.sort_by_key(|unit| unit.deferred);
        ordered
    }

    /// Statements of one operation → steps: kept statements share a step (a contract one
    /// gets its own); a rewritten statement becomes its own steps.
    fn chunk(
        &mut self,
        ctx: &Ctx<'_>,
        statements: &[&StatementAnalysis],
        mode: TransactionMode,
    ) -> Vec<Unit> {
        let deferred = statements.first().is_some_and(|s| s.deferred);
        let mut units: Vec<Unit> = Vec::new();
        let mut current: Option<Unit> = None;
        for statement in statements {
            if let Some(rewritten) = rewrite::rewrite(ctx, statement) {
                units.extend(current.take());
                units.extend(rewritten);
            } else {
                let contract = steps::is_contract(&statement.statement.sql);
                if current.as_ref().is_some_and(|c| c.contract != contract) {
                    units.extend(current.take());
                }
                current
                    .get_or_insert_with(|| Unit::ddl(Vec::new(), mode))
                    .push(statement);
            }
            self.learn(&statement.statement.sql);
        }
        units.extend(current);
        for unit in &mut units {
            if unit.kind == StepKind::Ddl && unit.expect.is_empty() {
                unit.expect = steps::expect(unit.sql.iter().map(String::as_str));
            }
            unit.deferred = deferred;
        }
        units
    }

    /// A `.sql` file: `BEGIN` … `COMMIT` is one step as written; every other statement its
    /// own step, rewritten where chosen. `SET` outside a transaction holds for the rest of
    /// the file, so it is repeated at the start of each later step.
    fn sql_file(&mut self, file: &FileAnalysis, choices: &Choices) {
        let migration = MigrationRef {
            app: file.app_label.clone(),
            name: file.name.clone(),
        };
        let created = created_here(file);
        let mut session: Vec<String> = Vec::new();
        let mut group: Option<Unit> = None;
        let mut units: Vec<Unit> = Vec::new();
        for operation in &file.operations {
            let Some(statement) = operation.statements.first() else {
                continue;
            };
            let sql = statement.statement.sql.as_str();
            let tokens = super::sqltext::tokens(sql);
            if tokens.iter().all(|t| t.text == ";") {
                continue;
            }
            if statement.statement.kind == StatementKind::Transaction {
                let begins = ["BEGIN", "START"]
                    .iter()
                    .any(|w| super::sqltext::words_at(&tokens, 0, &[w]));
                if begins {
                    units.extend(group.take());
                    let mut unit = Unit::ddl(session.clone(), TransactionMode::Transaction);
                    unit.operation = Some(operation.index);
                    group = Some(unit);
                } else if super::sqltext::words_at(&tokens, 0, &["ROLLBACK"]) {
                    // The file undoes the group: nothing of it applies.
                    group = None;
                } else {
                    units.extend(group.take());
                }
                continue;
            }
            if let Some(unit) = group.as_mut() {
                unit.push(statement);
                self.learn(sql);
                continue;
            }
            if super::sqltext::words_at(&tokens, 0, &["SET"])
                || super::sqltext::words_at(&tokens, 0, &["RESET"])
            {
                session.push(sql.to_owned());
                continue;
            }
            let ctx = Ctx {
                app: &file.app_label,
                migration: &file.name,
                operation: operation.index,
                choices,
                created_here: &created,
                primary_keys: &self.primary_keys.clone(),
            };
            let mut made = if let Some(rewritten) = rewrite::rewrite(&ctx, statement) {
                rewritten
            } else {
                let mut unit = Unit::ddl(Vec::new(), TransactionMode::Transaction);
                unit.push(statement);
                unit.reverse = steps::derived_reverse(sql, unit.transaction);
                vec![unit]
            };
            self.learn(sql);
            for unit in &mut made {
                unit.operation = Some(operation.index);
                if unit.kind == StepKind::Ddl {
                    if unit.expect.is_empty() {
                        unit.expect = steps::expect(unit.sql.iter().map(String::as_str));
                    }
                    let mut sql = session.clone();
                    sql.append(&mut unit.sql);
                    unit.sql = sql;
                }
            }
            units.extend(made);
        }
        // A group without `COMMIT` is committed at the end of the file, as psql would not:
        // it is applied as one transaction, which is what the author meant by `BEGIN`.
        units.extend(group);
        let mut counters: BTreeMap<Option<usize>, usize> = BTreeMap::new();
        for mut unit in units {
            if unit.kind == StepKind::Ddl && unit.expect.is_empty() {
                unit.expect = steps::expect(unit.sql.iter().map(String::as_str));
            }
            let n = counters.entry(unit.operation).or_default();
            let id = format!("{}.{}", unit.operation.unwrap_or_default(), n);
            *n += 1;
            self.place(&migration, &id, unit);
        }
    }

    /// Remembers primary keys of tables created (and renamed) so far, for backfills.
    fn learn(&mut self, sql: &str) {
        for s in steps::main_statements(sql) {
            match shape(s) {
                Shape::CreateTable {
                    table,
                    primary_key: Some(key),
                } => {
                    self.primary_keys.insert(table, key);
                }
                Shape::DropTable { tables } => {
                    for table in tables {
                        self.primary_keys.remove(&table);
                    }
                }
                Shape::AlterTable { table, actions, .. } => {
                    for (_, action) in actions {
                        match action {
                            Action::RenameTo { to } => {
                                if let Some(key) = self.primary_keys.remove(&table) {
                                    self.primary_keys.insert(to, key);
                                }
                            }
                            Action::RenameColumn { from, to }
                                if self.primary_keys.get(&table) == Some(&from) =>
                            {
                                self.primary_keys.insert(table.clone(), to);
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Decides the unit's phase and adds it as a step; returns the phase.
    fn place(&mut self, migration: &MigrationRef, id: &str, unit: Unit) -> PhaseName {
        let post = self.barrier
            || unit.contract
            || unit.relations.iter().any(|r| self.contracted.contains(r))
            || (unit.opaque && (self.any_post || self.record_floor == PhaseName::PostDeploy));
        let phase = if post {
            self.any_post = true;
            // What a `django` step changes is unknown: nothing after it may run before it.
            self.barrier |= unit.opaque;
            self.contracted.extend(unit.relations.iter().cloned());
            PhaseName::PostDeploy
        } else {
            PhaseName::PreDeploy
        };
        self.push(phase, migration, id, unit);
        phase
    }

    fn push(&mut self, phase: PhaseName, migration: &MigrationRef, id: &str, unit: Unit) {
        let statement_timeout_ms = if unit.long && unit.kind != StepKind::Backfill {
            0
        } else {
            STATEMENT_TIMEOUT_MS
        };
        let step = Step {
            id: format!("{}.{}/{id}", migration.app, migration.name),
            migration: migration.clone(),
            operation_index: unit.operation,
            kind: unit.kind,
            sql: unit.sql,
            reverse_sql: unit.reverse,
            transaction: unit.transaction,
            lock_timeout_ms: u64::from(self.settings.lock_timeout_ms),
            statement_timeout_ms,
            max_attempts: if unit.kind == StepKind::Django {
                DJANGO_ATTEMPTS
            } else {
                LOCK_ATTEMPTS
            },
            backfill: unit.backfill,
            expect: unit.expect,
        };
        self.phases.entry(phase).or_default().push(step);
    }
}

/// Whether the migration goes to Django as a whole: an operation that is not SQL
/// (`RunPython`) or not reproduced, or `RunSQL` with parameters Django binds itself.
fn handed_to_django(file: &FileAnalysis) -> bool {
    file.operations.iter().any(|operation| {
        operation.sql != SqlStatus::Reproduced
            || (operation.kind == "RunSQL"
                && operation
                    .statements
                    .iter()
                    .any(|s| s.statement.sql.contains("%s") || s.statement.sql.contains("%(")))
    })
}

/// Tables the file creates, with the first operation creating each: what is new to it.
fn created_here(file: &FileAnalysis) -> BTreeMap<String, usize> {
    let mut created = BTreeMap::new();
    for operation in &file.operations {
        for statement in &operation.statements {
            if let Some(table) = statement.statement.kind.created_table() {
                created.entry(table.to_owned()).or_insert(operation.index);
            }
        }
    }
    created
}

#[cfg(test)]
mod tests;

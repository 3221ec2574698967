//! The API boundary: files and settings in, everything Lockstep understands out.
//!
//! `web` and `runner` call [`analyze`] and render its [`Analysis`]; they never re-implement any
//! part of it. Invariant: the same input gives the same output, byte for byte, natively and in
//! wasm (no I/O, clock, randomness, or hash-map iteration anywhere below).

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::graph;
use crate::locks::{self, StatementLocks, StatementRef, TransactionLocks};
use crate::parse::django::{Migration, Project};
use crate::parse::{self, Diagnostic, DiagnosticKind};
use crate::rules::{self, Finding, Severity};
use crate::source::{self, Settings, SourceFile, SourceKind};
use crate::span::{FileId, LineIndex, Span};
use crate::sql::django::{self as django_sql, OperationSql};
use crate::sql::{Statement, StatementKind};
use crate::state::ProjectState;

/// Everything Lockstep found in a set of files.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Analysis {
    /// The settings the analysis used.
    pub settings: Settings,
    /// One entry per input file, in input order.
    pub files: Vec<FileAnalysis>,
    /// All findings, by file then position.
    pub findings: Vec<Finding>,
}

impl Analysis {
    /// The highest severity among the findings.
    pub fn max_severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

/// One file: a Django migration or a `.sql` file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FileAnalysis {
    /// Path as given.
    pub path: String,
    /// `None` for files Lockstep does not read.
    pub kind: Option<SourceKind>,
    /// App label.
    pub app_label: String,
    /// Migration name.
    pub name: String,
    /// Whether the migration runs in one transaction (Django's `atomic`).
    pub atomic: bool,
    /// Operations (for `.sql` files: one per statement).
    pub operations: Vec<OperationAnalysis>,
    /// What `manage.py sqlmigrate` prints, for Django migrations that parsed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sqlmigrate: Option<String>,
    /// What `manage.py sqlmigrate --backwards` prints on a database where the migration is
    /// applied (what rolling it back runs), or why Django refuses to roll it back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backwards: Option<Backwards>,
    /// Each transaction (the atomic migration, or `BEGIN` … `COMMIT` in a `.sql` file): the
    /// locks it holds until commit and its longest write- and read-blocking windows.
    /// Statements that run outside a transaction release their locks as they finish and
    /// appear only in their own `locks`.
    pub transactions: Vec<TransactionLocks>,
    /// Whether `migrate` applies it: false for migrations a supplied squash replaces, for
    /// duplicates and for files that could not be read. The plan leaves them out.
    #[serde(skip)]
    pub in_plan: bool,
    /// The migrations a squashed migration replaces, as `(app, name)`: Django records each
    /// of them as applied, then the squash.
    #[serde(skip)]
    pub replaces: Vec<(String, String)>,
}

/// Rolling a Django migration back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Backwards {
    /// What `sqlmigrate --backwards` prints (operations not reproduced say so in it).
    Sql {
        /// The text.
        sqlmigrate: String,
    },
    /// Django raises `IrreversibleError`.
    Irreversible {
        /// The operation without a reverse.
        operation: usize,
        /// Why.
        message: String,
    },
}

/// One operation with its statements.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OperationAnalysis {
    /// Position in the migration, from 0.
    pub index: usize,
    /// Django class (`AddIndex`), or `SQL` for a statement of a `.sql` file.
    pub kind: String,
    /// Django's description (`Create index … on field(s) … of model …`).
    pub description: String,
    /// 1-based line of the operation.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// Byte span.
    pub span: Span,
    /// Whether its SQL is known exactly.
    pub sql: SqlStatus,
    /// Its statements, in execution order (deferred ones last).
    pub statements: Vec<StatementAnalysis>,
    /// What Django runs to unapply it (`database_backwards`, its deferred statements last),
    /// on a database where the migration is applied; `None` when the migration cannot be
    /// rolled back or this operation's way back is not reproduced. The plan's reverse steps
    /// come from it.
    #[serde(skip)]
    pub backwards: Option<Vec<Statement>>,
}

/// Whether an operation's SQL is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SqlStatus {
    /// Exactly the statements Django (or the file) runs.
    Reproduced,
    /// `RunPython`: code, not SQL.
    NotSql,
    /// Not reproduced yet; a finding says so.
    NotReproduced,
}

/// A statement as it runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StatementAnalysis {
    /// The statement.
    #[serde(flatten)]
    pub statement: Statement,
    /// Whether it runs inside a transaction (the migration's, or an explicit `BEGIN`).
    pub transaction: bool,
    /// Whether Django defers it to the end of the migration.
    pub deferred: bool,
    /// What it locks (`locks`: `[{relation, mode, rewrites, scans, builds_index,
    /// blocks_reads, blocks_writes, created}]`) and for how long (`lock_duration`,
    /// `lock_estimate`), with `lock_unknown` / `lock_notes` when the model is unsure.
    #[serde(flatten)]
    pub locks: StatementLocks,
}

/// Analyses `files` with `settings`.
///
/// Django migrations are analysed in the order Django's `migrate` applies them (the
/// migration graph), whatever order they are given in, so the project state carries from
/// each to the next; migrations a supplied squash replaces, and duplicates, are analysed on
/// the state at that point without changing it. `.sql` files and unreadable files follow, in
/// the order given.
pub fn analyze(files: &[SourceFile], settings: &Settings) -> Analysis {
    let project = settings.project();
    let mut prepared: Vec<Prepared<'_>> = files
        .iter()
        .enumerate()
        .map(|(i, file)| {
            let id = FileId(u32::try_from(i).unwrap_or(u32::MAX));
            prepare(id, file, &project)
        })
        .collect();
    let order = plan_order(&mut prepared);
    let mut state = ProjectState::default();
    state
        .default_auto_field
        .clone_from(&settings.default_auto_field);
    // Consecutive files outside the plan share a scratch copy of the state.
    let mut scratch: Option<ProjectState> = None;
    // What earlier statements created, for the lock model; files outside the plan see a copy.
    let mut catalog = locks::Catalog::default();
    let mut analysed = Vec::with_capacity(files.len());
    let mut findings = Vec::new();
    for (i, applies) in order {
        let Some(file) = prepared.get_mut(i) else {
            continue;
        };
        let migration = file.migration.take();
        if let Some(migration) = &migration {
            let state = if applies {
                scratch = None;
                &mut state
            } else {
                scratch.get_or_insert_with(|| state.clone())
            };
            analyze_django(migration, file, state);
        }
        if applies || file.analysis.kind == Some(SourceKind::Sql) {
            annotate_locks(&mut file.analysis, &mut catalog, settings);
        } else {
            annotate_locks(&mut file.analysis, &mut catalog.clone(), settings);
        }
        // `.sql` files apply in the order given; Django migrations when the graph says so.
        file.analysis.in_plan = match file.analysis.kind {
            Some(SourceKind::Sql) => file.source.problem.is_none(),
            Some(SourceKind::Django) => applies && file.source.problem.is_none(),
            None => false,
        };
        let mut ctx = rules::Ctx::new(
            &file.analysis,
            &file.source.text,
            &file.line_index,
            &mut findings,
            settings,
            migration.as_ref(),
        );
        rules::run(&mut ctx, &file.diagnostics);
        analysed.push(std::mem::replace(&mut file.analysis, FileAnalysis::empty()));
    }
    settings.rules.apply(&mut findings);
    findings.sort_by(|a, b| {
        (a.span.file, a.span.start, a.rule).cmp(&(b.span.file, b.span.start, b.rule))
    });
    Analysis {
        settings: settings.clone(),
        files: analysed,
        findings,
    }
}

/// One migration as `manage.py sqlmigrate APP NAME` shows it: analysed on the state its own
/// ancestors build (Django's `project_state((app, name), at_end=False)`).
///
/// [`analyze`] carries the state through the whole plan, as `migrate` does; the two differ
/// only when parallel branches of the graph change the same model (then `migrate` may run
/// less than `sqlmigrate` prints). `None` when no supplied migration is `app.name`.
pub fn analyze_migration(
    files: &[SourceFile],
    settings: &Settings,
    app: &str,
    name: &str,
) -> Option<FileAnalysis> {
    let project = settings.project();
    let prepared: Vec<Prepared<'_>> = files
        .iter()
        .enumerate()
        .map(|(i, file)| {
            let id = FileId(u32::try_from(i).unwrap_or(u32::MAX));
            prepare(id, file, &project)
        })
        .collect();
    let django: Vec<(usize, &Migration)> = prepared
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.migration.as_ref().map(|m| (i, m)))
        .collect();
    let migrations: Vec<&Migration> = django.iter().map(|(_, m)| *m).collect();
    let target = migrations
        .iter()
        .position(|m| m.app_label == app && m.name == name)?;
    let plan = graph::plan(&migrations);
    let subset: Vec<SourceFile> = plan
        .ancestry(target)
        .into_iter()
        .filter_map(|m| django.get(m).and_then(|(i, _)| files.get(*i)).cloned())
        .collect();
    analyze(&subset, settings)
        .files
        .into_iter()
        .find(|f| f.app_label == app && f.name == name)
}

/// A file read and parsed, waiting for its turn in the plan.
struct Prepared<'f> {
    source: &'f SourceFile,
    /// Built once per file: stages and rules all turn offsets into lines with it.
    line_index: LineIndex,
    analysis: FileAnalysis,
    diagnostics: Vec<Diagnostic>,
    /// The parsed Django migration, until it is analysed.
    migration: Option<Migration>,
}

impl FileAnalysis {
    fn empty() -> Self {
        Self {
            path: String::new(),
            kind: None,
            app_label: String::new(),
            name: String::new(),
            atomic: false,
            operations: Vec::new(),
            sqlmigrate: None,
            backwards: None,
            transactions: Vec::new(),
            in_plan: false,
            replaces: Vec::new(),
        }
    }
}

/// Reads `file`: `.sql` files are analysed completely; Django files are parsed, for the
/// graph to order them.
fn prepare<'f>(id: FileId, file: &'f SourceFile, project: &Project) -> Prepared<'f> {
    let (app_label, name) = source::migration_key(&file.path);
    let kind = SourceKind::of_path(&file.path);
    let line_index = LineIndex::new(&file.text);
    let mut prepared = Prepared {
        source: file,
        analysis: FileAnalysis {
            path: file.path.clone(),
            kind,
            app_label,
            name,
            atomic: kind == Some(SourceKind::Django),
            operations: Vec::new(),
            sqlmigrate: None,
            backwards: None,
            transactions: Vec::new(),
            in_plan: false,
            replaces: Vec::new(),
        },
        diagnostics: Vec::new(),
        migration: None,
        line_index,
    };
    if let Some(problem) = &file.problem {
        let at = problem.offset();
        prepared.diagnostics.push(Diagnostic {
            kind: DiagnosticKind::Source(problem.clone()),
            span: Span::new(id, at, at),
        });
        return prepared;
    }
    match kind {
        None => prepared.diagnostics.push(Diagnostic {
            kind: DiagnosticKind::UnsupportedFile,
            span: Span::file_start(id),
        }),
        Some(SourceKind::Sql) => analyze_sql(
            id,
            &file.text,
            &prepared.line_index,
            &mut prepared.analysis,
            &mut prepared.diagnostics,
        ),
        Some(SourceKind::Django) => {
            let parsed = parse::django::parse_in(
                id,
                &prepared.analysis.app_label,
                &prepared.analysis.name,
                &file.text,
                project,
            );
            prepared.diagnostics.extend(parsed.diagnostics);
            prepared.migration = parsed.value;
        }
    }
    prepared
}

/// The order files are analysed in, each with whether it applies to the project state:
/// Django migrations in plan order, then those the plan leaves out, then every other file.
fn plan_order(prepared: &mut [Prepared<'_>]) -> Vec<(usize, bool)> {
    let django: Vec<usize> = (0..prepared.len())
        .filter(|&i| prepared.get(i).is_some_and(|p| p.migration.is_some()))
        .collect();
    let migrations: Vec<&Migration> = django
        .iter()
        .filter_map(|&i| prepared.get(i).and_then(|p| p.migration.as_ref()))
        .collect();
    let plan = graph::plan(&migrations);
    for (m, diagnostic) in plan.diagnostics {
        if let Some(file) = django.get(m).and_then(|&i| prepared.get_mut(i)) {
            file.diagnostics.push(diagnostic);
        }
    }
    // A squash's replaced migrations go right before it, analysed without applying.
    let mut order: Vec<(usize, bool)> = Vec::with_capacity(prepared.len());
    for &m in &plan.order {
        let mut replaced: Vec<usize> = plan
            .replaced
            .iter()
            .filter(|(_, by)| *by == m)
            .filter_map(|(old, _)| django.get(*old).copied())
            .collect();
        replaced.sort_by_key(|&i| prepared.get(i).map(|p| p.analysis.name.clone()));
        order.extend(replaced.into_iter().map(|i| (i, false)));
        order.extend(django.get(m).map(|&i| (i, true)));
    }
    let mut placed: Vec<bool> = vec![false; prepared.len()];
    for &(i, _) in &order {
        if let Some(slot) = placed.get_mut(i) {
            *slot = true;
        }
    }
    // Duplicates, then everything else, in input order.
    for pass in [true, false] {
        for i in 0..prepared.len() {
            let is_django = prepared.get(i).is_some_and(|p| p.migration.is_some());
            if is_django == pass && placed.get(i) == Some(&false) {
                order.push((i, false));
                if let Some(slot) = placed.get_mut(i) {
                    *slot = true;
                }
            }
        }
    }
    order
}

/// A `.sql` file: each statement is an operation; `BEGIN` … `COMMIT` marks a transaction.
fn analyze_sql(
    id: FileId,
    text: &str,
    line_index: &LineIndex,
    analysis: &mut FileAnalysis,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let parsed = parse::sql::parse(id, text, 0);
    diagnostics.extend(parsed.diagnostics);
    let mut in_transaction = false;
    for (index, statement) in parsed.value.into_iter().enumerate() {
        let position = line_index.line_column(text, statement.span.start);
        if statement.kind == StatementKind::Transaction {
            in_transaction = statement.sql.to_ascii_uppercase().starts_with(['B', 'S']);
        }
        analysis.operations.push(OperationAnalysis {
            index,
            kind: "SQL".to_owned(),
            description: first_line(&statement.sql),
            line: position.line,
            column: position.column,
            span: statement.span,
            sql: SqlStatus::Reproduced,
            statements: vec![StatementAnalysis {
                statement,
                transaction: in_transaction,
                deferred: false,
                locks: StatementLocks::default(),
            }],
            backwards: None,
        });
    }
}

/// A Django migration: its operations with the SQL Django runs for each.
fn analyze_django(migration: &Migration, file: &mut Prepared<'_>, state: &mut ProjectState) {
    let text = &file.source.text;
    let line_index = &file.line_index;
    let analysis = &mut file.analysis;
    let diagnostics = &mut file.diagnostics;
    analysis.atomic = migration.atomic;
    analysis.replaces = migration
        .replaces
        .iter()
        .map(|r| (r.app_label.clone(), r.name.clone()))
        .collect();
    let before = state.clone();
    let (sqls, more) = django_sql::migration_sql(migration, state);
    diagnostics.extend(more);
    for ((index, operation), sql) in migration.operations.iter().enumerate().zip(&sqls) {
        let position = line_index.line_column(text, operation.span.start);
        let statement = |deferred: bool| {
            move |s: &Statement| StatementAnalysis {
                statement: s.clone(),
                transaction: migration.atomic,
                deferred,
                locks: StatementLocks::default(),
            }
        };
        let (status, statements) = match sql {
            OperationSql::Reproduced {
                immediate,
                deferred,
                ..
            } => (
                SqlStatus::Reproduced,
                immediate
                    .iter()
                    .map(statement(false))
                    .chain(deferred.iter().map(statement(true)))
                    .collect(),
            ),
            OperationSql::NotSql => (SqlStatus::NotSql, Vec::new()),
            OperationSql::NotReproduced => (SqlStatus::NotReproduced, Vec::new()),
        };
        analysis.operations.push(OperationAnalysis {
            index,
            kind: operation.class.clone(),
            description: django_sql::describe(operation),
            line: position.line,
            column: position.column,
            span: operation.span,
            sql: status,
            statements,
            backwards: None,
        });
    }
    let pairs: Vec<_> = migration.operations.iter().zip(&sqls).collect();
    analysis.sqlmigrate = Some(django_sql::sqlmigrate(migration, &pairs));
    analysis.backwards = Some(
        match django_sql::migration_sql_backwards(migration, &before) {
            // Diagnostics of the way back repeat the way forward's; they are not findings.
            Ok((sqls, _)) => {
                // `sqls` is in unapply order: the last operation first.
                let count = analysis.operations.len();
                for (i, sql) in sqls.iter().enumerate() {
                    let operation = count
                        .checked_sub(i + 1)
                        .and_then(|index| analysis.operations.get_mut(index));
                    if let (
                        Some(operation),
                        OperationSql::Reproduced {
                            immediate,
                            deferred,
                            ..
                        },
                    ) = (operation, sql)
                    {
                        operation.backwards =
                            Some(immediate.iter().chain(deferred).cloned().collect());
                    }
                }
                let pairs: Vec<_> = migration.operations.iter().rev().zip(&sqls).collect();
                Backwards::Sql {
                    sqlmigrate: django_sql::sqlmigrate(migration, &pairs),
                }
            }
            Err(irreversible) => Backwards::Irreversible {
                operation: irreversible.operation,
                message: irreversible.message,
            },
        },
    );
}

/// Fills in every statement's locks and the file's transactions.
fn annotate_locks(analysis: &mut FileAnalysis, catalog: &mut locks::Catalog, settings: &Settings) {
    for operation in &mut analysis.operations {
        for statement in &mut operation.statements {
            statement.locks = locks::statement(&statement.statement.sql, catalog, settings);
        }
    }
    let statements = analysis.operations.iter().flat_map(|operation| {
        operation
            .statements
            .iter()
            .enumerate()
            .map(move |(i, statement)| {
                (
                    StatementRef {
                        operation: operation.index,
                        statement: i,
                    },
                    statement.transaction,
                    &statement.locks,
                )
            })
    });
    analysis.transactions = locks::transactions(statements);
}

fn first_line(sql: &str) -> String {
    let line = sql.lines().next().unwrap_or("");
    if line.chars().count() > 80 {
        format!("{}…", line.chars().take(79).collect::<String>())
    } else {
        line.to_owned()
    }
}

/// A short stable hash of `parts` (the first 16 hex digits of their SHA-256).
pub(crate) fn fingerprint(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    crate::sql::names::hex(hasher.finalize().get(..8).unwrap_or_default())
}

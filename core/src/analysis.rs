//! The API boundary: files and settings in, everything Lockstep understands out.
//!
//! `web` and `runner` call [`analyze`] and render its [`Analysis`]; they never re-implement any
//! part of it. Invariant: the same input gives the same output, byte for byte, natively and in
//! wasm (no I/O, clock, randomness, or hash-map iteration anywhere below).

use serde::Serialize;
use sha2::{Digest, Sha256};

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
}

/// Analyses `files` with `settings`.
pub fn analyze(files: &[SourceFile], settings: &Settings) -> Analysis {
    let mut analysed = Vec::with_capacity(files.len());
    // Files apply in the order given; the state carries across them.
    let mut state = ProjectState::default();
    state
        .default_auto_field
        .clone_from(&settings.default_auto_field);
    let mut findings = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let id = FileId(u32::try_from(i).unwrap_or(u32::MAX));
        // Built once per file: stages and rules all turn offsets into lines with it.
        let line_index = LineIndex::new(&file.text);
        let (analysis, diagnostics) = analyze_file(id, file, &line_index, &mut state);
        let mut ctx = rules::Ctx::new(&analysis, &file.text, &line_index, &mut findings);
        rules::run(&mut ctx, &diagnostics);
        analysed.push(analysis);
    }
    findings.sort_by(|a, b| {
        (a.span.file, a.span.start, a.rule).cmp(&(b.span.file, b.span.start, b.rule))
    });
    Analysis {
        settings: settings.clone(),
        files: analysed,
        findings,
    }
}

fn analyze_file(
    id: FileId,
    file: &SourceFile,
    line_index: &LineIndex,
    state: &mut ProjectState,
) -> (FileAnalysis, Vec<Diagnostic>) {
    let (app_label, name) = source::migration_key(&file.path);
    let kind = SourceKind::of_path(&file.path);
    let mut analysis = FileAnalysis {
        path: file.path.clone(),
        kind,
        app_label,
        name,
        atomic: kind == Some(SourceKind::Django),
        operations: Vec::new(),
        sqlmigrate: None,
    };
    let mut diagnostics = Vec::new();
    if let Some(problem) = &file.problem {
        let at = problem.offset();
        diagnostics.push(Diagnostic {
            kind: DiagnosticKind::Source(problem.clone()),
            span: Span::new(id, at, at),
        });
        return (analysis, diagnostics);
    }
    match kind {
        None => diagnostics.push(Diagnostic {
            kind: DiagnosticKind::UnsupportedFile,
            span: Span::file_start(id),
        }),
        Some(SourceKind::Sql) => {
            analyze_sql(id, &file.text, line_index, &mut analysis, &mut diagnostics);
        }
        Some(SourceKind::Django) => {
            analyze_django(
                id,
                &file.text,
                line_index,
                state,
                &mut analysis,
                &mut diagnostics,
            );
        }
    }
    (analysis, diagnostics)
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
            }],
        });
    }
}

/// A Django migration: its operations with the SQL Django runs for each.
fn analyze_django(
    id: FileId,
    text: &str,
    line_index: &LineIndex,
    state: &mut ProjectState,
    analysis: &mut FileAnalysis,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let parsed = parse::django::parse(id, &analysis.app_label, &analysis.name, text);
    diagnostics.extend(parsed.diagnostics);
    let Some(migration) = parsed.value else {
        return;
    };
    analysis.atomic = migration.atomic;
    let (sqls, more) = django_sql::migration_sql(&migration, state);
    diagnostics.extend(more);
    for ((index, operation), sql) in migration.operations.iter().enumerate().zip(&sqls) {
        let position = line_index.line_column(text, operation.span.start);
        let statement = |deferred: bool| {
            move |s: &Statement| StatementAnalysis {
                statement: s.clone(),
                transaction: migration.atomic,
                deferred,
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
        });
    }
    let pairs: Vec<_> = migration.operations.iter().zip(&sqls).collect();
    analysis.sqlmigrate = Some(django_sql::sqlmigrate(&migration, &pairs));
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

//! The report as Markdown, in the seed's shape: Current State, Changes Made, Verification,
//! then the findings. User content (descriptions, messages, paths) is escaped for tables and
//! code spans so it cannot change the document's structure.

use std::fmt::Write as _;

use super::{CheckStatus, Report};
use crate::plan::Check;

impl Report {
    /// The report as Markdown.
    pub fn to_markdown(&self) -> String {
        let mut out = String::from("# Migration Report\n\n## Current State\n\n");
        let state = &self.current_state;
        let _ = writeln!(
            out,
            "- **Pending migrations:** {}{}",
            state.pending.len(),
            if state.pending.is_empty() {
                String::new()
            } else {
                format!(
                    " — {}",
                    state
                        .pending
                        .iter()
                        .map(|m| code(m))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        );
        let _ = writeln!(
            out,
            "- **Applied migrations:** {}",
            state.applied.map_or_else(
                || "unknown (no database consulted)".to_owned(),
                |n| n.to_string()
            )
        );
        let _ = writeln!(
            out,
            "- **Plan:** {} — {} step(s) before the deploy, {} after",
            code(&state.plan_digest),
            state.pre_deploy_steps,
            state.post_deploy_steps
        );
        out.push_str("\n## Changes Made\n");
        for migration in &self.changes {
            let _ = write!(
                out,
                "\n### {} ({})\n\n",
                code(&migration.migration),
                code(&migration.path)
            );
            if migration.handed_to_django {
                out.push_str(
                    "Applied by Django's own `migrate` (code or SQL Lockstep does not reproduce).\n\n",
                );
            }
            if migration.operations.is_empty() {
                out.push_str("No operations.\n");
                continue;
            }
            out.push_str("| # | Operation | Tables | Strategy |\n|---|---|---|---|\n");
            for operation in &migration.operations {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    operation.index,
                    cell(&operation.description),
                    operation
                        .tables
                        .iter()
                        .map(|t| code(t))
                        .collect::<Vec<_>>()
                        .join(", "),
                    operation.strategy.as_str()
                );
            }
        }
        out.push_str("\n## Verification\n\n");
        if self.verification.is_empty() {
            out.push_str("Nothing to verify.\n");
        }
        for item in &self.verification {
            let (mark, suffix) = match &item.status {
                CheckStatus::Unverified => (" ", String::new()),
                CheckStatus::Passed => ("x", String::new()),
                CheckStatus::Failed { detail } => (" ", format!(" — **failed:** {}", cell(detail))),
            };
            let _ = writeln!(
                out,
                "- [{mark}] {} ({}){suffix}",
                describe(&item.check),
                code(&item.step)
            );
        }
        self.write_findings(&mut out);
        out
    }

    fn write_findings(&self, out: &mut String) {
        out.push_str("\n## Findings\n\n");
        if self.findings.is_empty() {
            out.push_str("None.\n");
        }
        for finding in &self.findings {
            let ack = finding.acknowledged.as_ref().map_or_else(
                || "not acknowledged".to_owned(),
                |a| format!("acknowledged by {}: {}", cell(&a.by), cell(&a.reason)),
            );
            let _ = writeln!(
                out,
                "- **{}** {} at {}: {} — _{ack}_",
                finding.severity,
                code(&finding.rule),
                code(&finding.location),
                cell(&finding.message)
            );
        }
    }
}

/// What a check asserts, in words.
fn describe(check: &Check) -> String {
    match check {
        Check::IndexValid { index } => format!("index {} exists and is valid", code(index)),
        Check::ConstraintValidated { table, constraint } => {
            format!(
                "constraint {} on {} is validated",
                code(constraint),
                code(table)
            )
        }
        Check::Column {
            table,
            column,
            nullable,
            r#type,
        } => format!(
            "column {}.{} is {}{}",
            code(table),
            code(column),
            if *nullable { "nullable" } else { "NOT NULL" },
            r#type
                .as_ref()
                .map(|t| format!(" of type {}", code(t)))
                .unwrap_or_default()
        ),
        Check::ColumnAbsent { table, column } => {
            format!("column {}.{} is gone", code(table), code(column))
        }
        Check::TableExists { table } => format!("table {} exists", code(table)),
        Check::TableAbsent { table } => format!("table {} is gone", code(table)),
        Check::DjangoMigration { app, name } => {
            format!("`django_migrations` has {}", code(&format!("{app}.{name}")))
        }
    }
}

/// `text` in a code span that no backtick inside can end.
fn code(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!(
        "{fence}{pad}{}{pad}{fence}",
        text.replace(['\n', '\r'], " ")
    )
}

/// `text` safe in a table cell or a list item: one line, pipes and angle brackets escaped.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            // Only what changes a table or a list item's structure, or starts raw HTML:
            // emphasis characters stay, as messages quote names in code spans.
            '|' | '<' | '>' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

//! The Migration Report of the review: the core's report of the plan, with the review's
//! acknowledgements, before any database was consulted (every check `unverified`).

use lockstep_core::plan::{Check, Plan};
use lockstep_core::report::{self, Acknowledgements, Report};
use lockstep_core::{Analysis, SourceFile};

use super::Notes;

/// The report of `plan` for `files`, with the acknowledgements of `notes`.
pub fn build(analysis: &Analysis, plan: &Plan, files: &[SourceFile], notes: &Notes) -> Report {
    let acknowledgements: Acknowledgements = notes
        .acknowledgements
        .iter()
        .map(|(fingerprint, ack)| {
            (
                fingerprint.clone(),
                report::Acknowledgement {
                    by: ack.by.clone(),
                    reason: ack.reason.clone(),
                },
            )
        })
        .collect();
    report::build(analysis, plan, files, &acknowledgements, None)
}

/// What a check asserts, in words (as the Markdown report says it, without code spans).
pub fn describe(check: &Check) -> String {
    match check {
        Check::IndexValid { index } => format!("index {index} exists and is valid"),
        Check::ConstraintValidated { table, constraint } => {
            format!("constraint {constraint} on {table} is validated")
        }
        Check::Column {
            table,
            column,
            nullable,
            r#type,
        } => format!(
            "column {table}.{column} is {}{}",
            if *nullable { "nullable" } else { "NOT NULL" },
            r#type
                .as_ref()
                .map(|t| format!(" of type {t}"))
                .unwrap_or_default()
        ),
        Check::ColumnAbsent { table, column } => format!("column {table}.{column} is gone"),
        Check::TableExists { table } => format!("table {table} exists"),
        Check::TableAbsent { table } => format!("table {table} is gone"),
        Check::DjangoMigration { app, name } => format!("django_migrations has {app}.{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::example_files;
    use lockstep_core::Settings;

    #[test]
    fn the_example_report_carries_the_review_acknowledgement_and_its_sections() {
        let files = example_files();
        let analysis = lockstep_core::analyze(&files, &Settings::default());
        let mut notes = Notes::default();
        let error = analysis
            .findings
            .iter()
            .find(|f| f.rule == "add-index-non-concurrent")
            .unwrap();
        notes
            .acknowledge(&error.fingerprint, "ana", "tiny table")
            .unwrap();
        let plan = lockstep_core::plan::build(&analysis, &files, &notes.choices);
        let report = build(&analysis, &plan, &files, &notes);
        assert_eq!(report.current_state.plan_digest, plan.digest());
        let markdown = report.to_markdown();
        for section in ["## Current State", "## Changes Made", "## Verification"] {
            assert!(markdown.contains(section), "{markdown}");
        }
        assert!(
            markdown.contains("acknowledged by ana: tiny table"),
            "{markdown}"
        );
        assert!(
            report
                .verification
                .iter()
                .any(|v| describe(&v.check) == "index shop_order_created_idx exists and is valid")
        );
    }
}

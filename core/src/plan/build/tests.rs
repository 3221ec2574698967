use std::fmt::Write as _;

use super::*;
use crate::locks::Duration;
use crate::plan::Choice;
use crate::source::SourceFile;

const INITIAL: &str = r#"from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Customer",
            fields=[("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"))],
        ),
        migrations.CreateModel(
            name="Order",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("total", models.IntegerField()),
                ("note", models.TextField(null=True)),
                ("weight", models.IntegerField(null=True)),
            ],
            options={"indexes": [models.Index(fields=["total"], name="shop_order_total_idx")]},
        ),
    ]
"#;

/// One hazardous operation of each kind the plan rewrites, on tables that exist already.
const CHANGES: &str = r#"from django.db import migrations, models
import django.contrib.postgres.functions
import django.db.models.deletion


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["note"], name="shop_order_note_idx"),
        ),
        migrations.RemoveIndex(model_name="order", name="shop_order_total_idx"),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.CheckConstraint(condition=models.Q(total__gte=0), name="shop_order_total_gte_0"),
        ),
        migrations.AddField(
            model_name="order",
            name="customer",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, to="shop.customer"),
        ),
        migrations.AlterField(
            model_name="order",
            name="note",
            field=models.TextField(),
        ),
        migrations.AlterField(
            model_name="order",
            name="weight",
            field=models.IntegerField(default=0),
        ),
        migrations.AddField(
            model_name="order",
            name="token",
            field=models.UUIDField(db_default=django.contrib.postgres.functions.RandomUUID()),
        ),
        migrations.RemoveField(model_name="order", name="total"),
    ]
"#;

fn sources(files: &[(&str, &str)]) -> Vec<SourceFile> {
    files
        .iter()
        .map(|(p, t)| SourceFile::from_text(*p, *t))
        .collect()
}

fn plan_with(files: &[(&str, &str)], choices: &Choices) -> (Analysis, Plan) {
    let sources = sources(files);
    let analysis = crate::analyze(&sources, &Settings::default());
    let plan = build(&analysis, &sources, choices);
    plan.validate().unwrap();
    (analysis, plan)
}

fn changes() -> (Analysis, Plan) {
    plan_with(
        &[
            ("shop/migrations/0001_initial.py", INITIAL),
            ("shop/migrations/0002_changes.py", CHANGES),
        ],
        &Choices::new(),
    )
}

/// A plan as a reviewer reads it: one block per step.
fn render(plan: &Plan) -> String {
    let mut out = String::new();
    for (phase, step) in plan.steps() {
        let _ = writeln!(
            out,
            "[{}] {} {:?} {:?} lock={} statement={} attempts={}",
            phase.as_str(),
            step.id,
            step.kind,
            step.transaction,
            step.lock_timeout_ms,
            step.statement_timeout_ms,
            step.max_attempts
        );
        for sql in &step.sql {
            let _ = writeln!(out, "    {sql}");
        }
        if let Some(backfill) = &step.backfill {
            let _ = writeln!(
                out,
                "    backfill {} by {}: SET {} WHERE {} ({} rows a batch)",
                backfill.table, backfill.key, backfill.set, backfill.r#where, backfill.batch_size
            );
        }
        match &step.reverse_sql {
            None => {
                let _ = writeln!(out, "    reverse: none");
            }
            Some(reverse) if reverse.is_empty() => {
                let _ = writeln!(out, "    reverse: (nothing of its own to undo)");
            }
            Some(reverse) => {
                for sql in reverse {
                    let _ = writeln!(out, "    reverse: {sql}");
                }
            }
        }
        for check in &step.expect {
            let _ = writeln!(out, "    expect: {}", serde_json::to_string(check).unwrap());
        }
    }
    out
}

fn steps_of<'p>(plan: &'p Plan, migration: &str) -> Vec<(PhaseName, &'p Step)> {
    plan.steps()
        .filter(|(_, s)| s.migration.name == migration)
        .collect()
}

#[test]
fn example_review_plan() {
    let (_, plan) = plan_with(crate::examples::REVIEW, &Choices::new());
    insta::assert_snapshot!(render(&plan));
    // The digest pins every byte of the canonical JSON; a change to the plan's shape or to
    // what build() decides shows here first.
    insta::assert_snapshot!("example_review_digest", plan.digest());
}

#[test]
fn every_rewrite_on_existing_tables() {
    let (_, plan) = changes();
    insta::assert_snapshot!(render(&plan));
}

/// The statements of `steps` as one `.sql` file, analysed on its own: the lock model's
/// verdict per statement.
fn lock_durations(statements: &[String]) -> Vec<(String, Option<Duration>)> {
    let text = statements.join("\n");
    let analysis = crate::analyze(
        &[SourceFile::from_text("db/0001_rewritten.sql", text)],
        &Settings::default(),
    );
    analysis
        .files
        .iter()
        .flat_map(|f| &f.operations)
        .flat_map(|o| &o.statements)
        .map(|s| (s.statement.sql.clone(), s.locks.duration))
        .collect()
}

fn blocks_writes_for_rows(duration: Option<Duration>) -> bool {
    matches!(
        duration,
        Some(Duration::RowsWritesBlocked | Duration::RowsReadsWritesBlocked)
    )
}

#[test]
fn rewritten_statements_no_longer_hold_a_blocking_lock_while_scanning() {
    let (analysis, plan) = changes();
    // Before: Django's own statements for 0002 include scans and rewrites under locks that
    // block writes.
    let original: Vec<String> = analysis
        .files
        .iter()
        .filter(|f| f.name == "0002_changes")
        .flat_map(|f| &f.operations)
        .flat_map(|o| &o.statements)
        .map(|s| s.statement.sql.clone())
        .collect();
    let before: Vec<_> = lock_durations(&original)
        .into_iter()
        .filter(|(_, d)| blocks_writes_for_rows(*d))
        .map(|(sql, _)| sql)
        .collect();
    assert!(before.len() >= 5, "{before:#?}");
    // After: the plan's DDL statements, in order (the contract phase included).
    let rewritten: Vec<String> = steps_of(&plan, "0002_changes")
        .into_iter()
        .filter(|(_, s)| s.kind == StepKind::Ddl)
        .flat_map(|(_, s)| s.sql.clone())
        .collect();
    let after: Vec<_> = lock_durations(&rewritten)
        .into_iter()
        .filter(|(_, d)| blocks_writes_for_rows(*d))
        .map(|(sql, _)| sql)
        .collect();
    // What remains is what the plan keeps on purpose: the column drop (a contract step,
    // instant) is not in it; nothing scans or rewrites while writes wait.
    assert_eq!(after, Vec::<String>::new());
    let add_index = crate::analyze(
        &[SourceFile::from_text(
            "db/0001_rewritten.sql",
            rewritten.join("\n"),
        )],
        &Settings::default(),
    )
    .findings
    .into_iter()
    .filter(|f| f.rule == "add-index-non-concurrent")
    .count();
    assert_eq!(add_index, 0);
}

#[test]
fn keep_choices_leave_the_statement_as_written() {
    let (analysis, _) = changes();
    let finding = analysis
        .findings
        .iter()
        .find(|f| f.rule == "add-index-non-concurrent" && f.path.ends_with("0002_changes.py"))
        .expect("the rule fires on AddIndex");
    let choices: Choices = [(finding.fingerprint.clone(), Choice::Keep)].into();
    let (_, kept) = plan_with(
        &[
            ("shop/migrations/0001_initial.py", INITIAL),
            ("shop/migrations/0002_changes.py", CHANGES),
        ],
        &choices,
    );
    let (_, safe) = changes();
    let first = |plan: &Plan| {
        steps_of(plan, "0002_changes")
            .first()
            .map(|(_, s)| (s.sql.clone(), s.transaction))
            .unwrap()
    };
    assert_eq!(
        first(&kept),
        (
            vec![r#"CREATE INDEX "shop_order_note_idx" ON "shop_order" ("note");"#.to_owned()],
            TransactionMode::Transaction
        )
    );
    assert_eq!(first(&safe).1, TransactionMode::Autocommit);
    assert_ne!(kept.digest(), safe.digest());
}

#[test]
fn tables_created_in_the_same_migration_are_not_rewritten() {
    let (_, plan) = plan_with(
        &[("shop/migrations/0001_initial.py", INITIAL)],
        &Choices::new(),
    );
    let sql: Vec<&String> = plan.steps().flat_map(|(_, s)| &s.sql).collect();
    assert!(
        sql.iter()
            .any(|s| s.starts_with("CREATE INDEX \"shop_order_total_idx\""))
    );
    assert!(!sql.iter().any(|s| s.contains("CONCURRENTLY")));
    assert!(plan.phases.iter().all(|p| p.name == PhaseName::PreDeploy));
}

#[test]
fn contract_steps_and_what_follows_on_their_tables_go_post_deploy_with_the_records() {
    let (_, plan) = changes();
    let steps = steps_of(&plan, "0002_changes");
    let phase_of = |needle: &str| {
        steps
            .iter()
            .find(|(_, s)| s.sql.iter().any(|q| q.contains(needle)))
            .map_or_else(|| panic!("no step with {needle}"), |(p, _)| *p)
    };
    assert_eq!(phase_of("DROP COLUMN \"total\""), PhaseName::PostDeploy);
    assert_eq!(
        phase_of("ALTER COLUMN \"note\" SET NOT NULL"),
        PhaseName::PostDeploy
    );
    assert_eq!(phase_of("CREATE INDEX CONCURRENTLY"), PhaseName::PreDeploy);
    // The record comes last, in the phase of the migration's last step.
    let (phase, last) = steps.last().unwrap();
    assert_eq!(
        (last.kind, *phase),
        (StepKind::Record, PhaseName::PostDeploy)
    );
    // The initial migration was finished before the deploy: its record stays pre-deploy.
    let initial = steps_of(&plan, "0001_initial");
    assert_eq!(
        initial.last().map(|(p, s)| (*p, s.kind)),
        Some((PhaseName::PreDeploy, StepKind::Record))
    );
}

#[test]
fn run_python_hands_the_migration_to_django_and_later_steps_wait_for_it() {
    let data = r#"from django.db import migrations


def forwards(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [("shop", "0002_changes")]
    operations = [migrations.RunPython(forwards)]
"#;
    let after = r#"from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0003_data")]
    operations = [
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["id"], name="shop_customer_id_idx"),
        ),
    ]
"#;
    let (_, plan) = plan_with(
        &[
            ("shop/migrations/0001_initial.py", INITIAL),
            ("shop/migrations/0002_changes.py", CHANGES),
            ("shop/migrations/0003_data.py", data),
            ("shop/migrations/0004_after.py", after),
        ],
        &Choices::new(),
    );
    let data_steps = steps_of(&plan, "0003_data");
    assert_eq!(
        data_steps
            .iter()
            .map(|(p, s)| (*p, s.kind, s.id.as_str(), s.reverse_sql.is_some()))
            .collect::<Vec<_>>(),
        vec![
            (
                PhaseName::PostDeploy,
                StepKind::Django,
                "shop.0003_data/django",
                false
            ),
            (
                PhaseName::PostDeploy,
                StepKind::Record,
                "shop.0003_data/record",
                true
            ),
        ]
    );
    // 0004 touches another table, but what RunPython did is unknown: it waits.
    assert!(
        steps_of(&plan, "0004_after")
            .iter()
            .all(|(p, _)| *p == PhaseName::PostDeploy)
    );
}

#[test]
fn sql_files_keep_their_transactions_and_session_settings() {
    let sql = "SET lock_timeout = '1s';\nBEGIN;\nALTER TABLE t ADD COLUMN a integer;\nCREATE INDEX t_a ON t (a);\nCOMMIT;\nCREATE INDEX t_b ON t (b);\nUPDATE t SET b = 0 WHERE b IS NULL;\nBEGIN;\nDROP TABLE u;\nROLLBACK;\n";
    let (_, plan) = plan_with(&[("db/0001_x.sql", sql)], &Choices::new());
    insta::assert_snapshot!(render(&plan));
    let steps: Vec<_> = plan.steps().map(|(_, s)| s).collect();
    // The transaction as written (no rewrite inside it), then the index concurrently; the
    // UPDATE has no known primary key, so it is kept; the rolled-back group is gone.
    assert_eq!(steps.len(), 3);
    assert_eq!(steps[0].transaction, TransactionMode::Transaction);
    assert!(steps[1].sql[1].contains("CONCURRENTLY"));
    assert!(
        !steps
            .iter()
            .any(|s| s.sql.iter().any(|q| q.contains("DROP TABLE")))
    );
    assert!(steps.iter().all(|s| s.sql[0] == "SET lock_timeout = '1s';"));
    assert!(steps.iter().all(|s| s.kind != StepKind::Record));
}

#[test]
fn reverse_steps_undo_each_step_without_repeating_each_other() {
    let (_, plan) = changes();
    let steps = steps_of(&plan, "0002_changes");
    // The foreign key: Django's way back for AddField drops the constraint and the column on
    // the first step; the VALIDATE step has nothing to undo; the deferred index drops itself.
    let fk_steps: Vec<_> = steps
        .iter()
        .filter(|(_, s)| s.operation_index == Some(3))
        .map(|(_, s)| s)
        .collect();
    assert_eq!(fk_steps.len(), 3, "{fk_steps:#?}");
    let first = fk_steps[0].reverse_sql.as_ref().unwrap();
    assert!(
        first
            .iter()
            .any(|s| s.contains("DROP COLUMN \"customer_id\""))
    );
    assert_eq!(fk_steps[1].reverse_sql, Some(Vec::new()));
    let index = fk_steps[2].reverse_sql.as_ref().unwrap();
    assert_eq!(index.len(), 1);
    assert!(index[0].starts_with("DROP INDEX CONCURRENTLY IF EXISTS"));
    assert!(!first.iter().any(|s| s.contains(&index[0][33..])));
}

#[test]
fn the_same_inputs_give_the_same_plan_in_any_file_order() {
    let files = [
        ("shop/migrations/0002_changes.py", CHANGES),
        ("shop/migrations/0001_initial.py", INITIAL),
    ];
    let (_, a) = plan_with(&files, &Choices::new());
    let (_, b) = changes();
    assert_eq!(a.digest(), b.digest());
    assert_eq!(Plan::from_json(&a.canonical_json()).unwrap(), a);
}

mod hostile {
    use proptest::prelude::*;

    use super::*;

    /// SQL-ish fragments the rewrites look for, in any order and cut anywhere.
    const PIECES: &[&str] = &[
        "CREATE ",
        "UNIQUE ",
        "INDEX ",
        "CONCURRENTLY ",
        "\"i\" ",
        "ON ",
        "t ",
        "(",
        ")",
        ",",
        "ALTER TABLE ",
        "ADD ",
        "COLUMN ",
        "CONSTRAINT ",
        "CHECK ",
        "FOREIGN KEY ",
        "REFERENCES ",
        "NOT ",
        "NULL ",
        "VALID ",
        "SET ",
        "DEFAULT ",
        "gen_random_uuid() ",
        "UPDATE ",
        "WHERE ",
        "DROP ",
        "TABLE ",
        "'x",
        "\"",
        "$$",
        "--",
        "/*",
        ";",
        "BEGIN;",
        "COMMIT;",
        "é",
        "\u{0}",
    ];

    proptest! {
        #[test]
        fn building_a_plan_of_any_sql_never_panics(picks in proptest::collection::vec(0..PIECES.len(), 0..60)) {
            let text: String = picks.iter().map(|&i| PIECES[i]).collect();
            let files = [
                ("db/0001_t.sql", "CREATE TABLE t (id bigint PRIMARY KEY, c int);"),
                ("db/0002_x.sql", text.as_str()),
            ];
            let (_, plan) = plan_with(&files, &Choices::new());
            prop_assert!(Plan::from_json(&plan.canonical_json()).is_ok());
        }
    }
}

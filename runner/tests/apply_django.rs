//! Django's bookkeeping, proven with real Django: a plan for every migration of the fixture
//! project (`tests/django/project`, Django 5.2 in `.venv`), applied by `lockstep apply`;
//! then Django's own `showmigrations` lists every migration applied, and `migrate --check` and
//! `makemigrations --check` find nothing to do.
//!
//! The plan is made here from `lockstep_core::analyze`: one `ddl` step per operation (autocommit
//! when the migration is not atomic), Django's deferred statements in a last `ddl` step, one
//! `record` step per migration (per replaced migration for a squash, as Django records them),
//! and a `django` step for a migration with `RunPython`, parameters Django binds, or SQL
//! Lockstep does not reproduce.

#[path = "apply_common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use lockstep_core::analysis::SqlStatus;
use lockstep_core::plan::{Check, Plan, Step, StepKind, TransactionMode};
use lockstep_core::sql::StatementKind;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn python() -> PathBuf {
    let python = repo().join(".venv/bin/python");
    assert!(
        python.exists(),
        "real Django is needed: python3 -m venv .venv && .venv/bin/pip install -r \
         tests/django/requirements.txt"
    );
    python
}

/// App, name, file, and the `(app, name)`s a squash replaces.
type Entry = (String, String, PathBuf, Vec<(String, String)>);

/// The fixture's migrations in `migrate`'s order, with what each replaces.
fn manifest() -> Vec<Entry> {
    let text = std::fs::read_to_string(repo().join("tests/django/oracle/manifest.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let replaces = m["replaces"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r[0].as_str().unwrap().to_owned(),
                        r[1].as_str().unwrap().to_owned(),
                    )
                })
                .collect();
            (
                m["app"].as_str().unwrap().to_owned(),
                m["name"].as_str().unwrap().to_owned(),
                repo().join(m["path"].as_str().unwrap()),
                replaces,
            )
        })
        .collect()
}

/// A plan for the whole fixture project, from the core's analysis.
fn fixture_plan() -> (Plan, usize) {
    let migrations = manifest();
    let files: Vec<lockstep_core::SourceFile> = migrations
        .iter()
        .map(|(_, _, path, _)| {
            let relative = path.strip_prefix(repo()).unwrap().display().to_string();
            lockstep_core::SourceFile::from_bytes(relative, std::fs::read(path).unwrap())
        })
        .collect();
    let settings = lockstep_core::Settings::default();
    let analysis = lockstep_core::analyze(&files, &settings);
    let mut steps: Vec<Step> = Vec::new();
    let mut django_steps = 0;
    for file in &analysis.files {
        let (app, name) = (file.app_label.as_str(), file.name.as_str());
        let (_, _, _, replaces) = migrations
            .iter()
            .find(|(a, n, _, _)| a == app && n == name)
            .unwrap_or_else(|| panic!("{app}.{name} is not in the manifest"));
        let id = format!("{app}.{name}");
        // `RunSQL((sql, params))` keeps psycopg's `%s` placeholders in the statement; Django
        // binds the parameters, so such a migration is Django's to run too.
        let opaque = file.operations.iter().any(|op| {
            op.sql != SqlStatus::Reproduced
                || op.statements.iter().any(|s| s.statement.sql.contains("%s"))
        });
        if opaque {
            django_steps += 1;
            let mut s = step(&format!("{id}/django"), (app, name), StepKind::Django, &[]);
            s.expect = vec![Check::DjangoMigration {
                app: app.into(),
                name: name.into(),
            }];
            steps.push(s);
            continue;
        }
        let mut deferred = Vec::new();
        for op in &file.operations {
            let mut now = Vec::new();
            let mut autocommit = false;
            for statement in &op.statements {
                if statement.statement.kind == StatementKind::Transaction {
                    continue;
                }
                autocommit |= !statement.transaction;
                if statement.deferred {
                    deferred.push(statement.statement.sql.clone());
                } else {
                    now.push(statement.statement.sql.clone());
                }
            }
            if now.is_empty() {
                continue;
            }
            let mut s = step(
                &format!("{id}/{}", op.index),
                (app, name),
                StepKind::Ddl,
                &[],
            );
            s.sql = now;
            if autocommit {
                s.transaction = TransactionMode::Autocommit;
            }
            s.lock_timeout_ms = 5_000;
            steps.push(s);
        }
        if !deferred.is_empty() {
            let mut s = step(&format!("{id}/deferred"), (app, name), StepKind::Ddl, &[]);
            s.sql = deferred;
            s.transaction = if file.atomic {
                TransactionMode::Transaction
            } else {
                TransactionMode::Autocommit
            };
            steps.push(s);
        }
        let recorded: Vec<(String, String)> = if replaces.is_empty() {
            vec![(app.to_owned(), name.to_owned())]
        } else {
            replaces.clone()
        };
        for (a, n) in recorded {
            let mut s = step(
                &format!("{id}/record/{a}.{n}"),
                (&a, &n),
                StepKind::Record,
                &[],
            );
            s.expect = vec![Check::DjangoMigration { app: a, name: n }];
            steps.push(s);
        }
    }
    let mut plan = plan(steps, Vec::new());
    plan.settings = settings;
    (plan, django_steps)
}

fn manage(db: &TestDb, args: &[&str]) -> std::process::Output {
    Command::new(python())
        .arg(repo().join("tests/django/project/manage.py"))
        .args(args)
        .env("LOCKSTEP_DJANGO_DB", &db.name)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap()
}

#[test]
fn django_agrees_after_lockstep_applies_every_fixture_migration() {
    let db = TestDb::create("django");
    let (plan, django_steps) = fixture_plan();
    let migrations = manifest().len();
    assert_eq!(migrations, 61);
    assert!(django_steps >= 2, "{django_steps}");
    let written = write_plan("django", &plan);
    let command = format!(
        "{} {}",
        python().display(),
        repo().join("tests/django/project/manage.py").display()
    );
    let output = run(
        &db,
        "apply",
        &written,
        &["--django-command", &command],
        &[("LOCKSTEP_DJANGO_DB", &db.name)],
    );
    assert_code(&output, 0);
    let log = stderr(&output);
    assert!(log.contains("running `"), "{log}");

    let show = manage(&db, &["showmigrations"]);
    assert_code(&show, 0);
    let listing = stdout(&show);
    let applied = listing.lines().filter(|l| l.starts_with(" [X] ")).count();
    let pending: Vec<&str> = listing.lines().filter(|l| l.starts_with(" [ ] ")).collect();
    assert!(
        pending.is_empty(),
        "Django sees pending migrations:\n{listing}"
    );
    // Every migration of the plan, plus the two the squash replaces (listed by Django only
    // when it cannot use the squash).
    assert!(applied >= migrations, "{applied}\n{listing}");

    let check = manage(&db, &["migrate", "--check"]);
    assert_code(&check, 0);
    let makemigrations = manage(&db, &["makemigrations", "--check", "--dry-run"]);
    assert_code(&makemigrations, 0);
    assert!(
        stdout(&makemigrations).contains("No changes detected"),
        "{}",
        stdout(&makemigrations)
    );

    // A second apply finds everything done; status lists every migration applied.
    let again = run(
        &db,
        "apply",
        &written,
        &["--django-command", &command],
        &[("LOCKSTEP_DJANGO_DB", &db.name)],
    );
    assert_code(&again, 0);
    assert!(
        stderr(&again).contains("applied: 0 step(s) run"),
        "{}",
        stderr(&again)
    );
    let status = lockstep()
        .args([
            "status",
            written.0.to_str().unwrap(),
            "--verify",
            "--database-url",
            &db.url(),
        ])
        .output()
        .unwrap();
    assert_code(&status, 0);
    assert!(!stdout(&status).contains(" [ ] "), "{}", stdout(&status));
    assert!(stdout(&status).contains("verified: every check holds"));
}

#[test]
fn apply_skips_migrations_django_already_applied() {
    let db = TestDb::create("django_skip");
    // Django applies the contrib apps itself first.
    for app in ["contenttypes", "auth"] {
        let out = manage(&db, &["migrate", app]);
        assert_code(&out, 0);
    }
    let recorded_before = db.int("SELECT count(*) FROM django_migrations");
    let (plan, _) = fixture_plan();
    let written = write_plan("django_skip", &plan);
    let command = format!(
        "{} {}",
        python().display(),
        repo().join("tests/django/project/manage.py").display()
    );
    let output = run(
        &db,
        "apply",
        &written,
        &["--django-command", &command],
        &[("LOCKSTEP_DJANGO_DB", &db.name)],
    );
    assert_code(&output, 0);
    let log = stderr(&output);
    assert!(
        log.contains("skipped: Django already applied this migration"),
        "{log}"
    );
    let skipped = db.int("SELECT count(*) FROM lockstep.steps WHERE state = 'skipped'");
    assert!(skipped >= recorded_before, "{skipped} < {recorded_before}");
    let check = manage(&db, &["migrate", "--check"]);
    assert_code(&check, 0);
}

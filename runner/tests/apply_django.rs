//! Django's bookkeeping, proven with real Django: a plan for every migration of the fixture
//! project (`tests/django/project`, Django 5.2 in `.venv`), applied by `lockstep apply`;
//! then Django's own `showmigrations` lists every migration applied, and `migrate --check` and
//! `makemigrations --check` find nothing to do.
//!
//! The plan is the one `lockstep plan` makes (`lockstep_core::plan::build`, every safe rewrite:
//! `CONCURRENTLY` builds, `NOT VALID` + `VALIDATE`, the `SET NOT NULL` path, backfills), with
//! `django` steps for `RunPython` and what Lockstep does not reproduce.

#[path = "apply_common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use lockstep_core::plan::{Choices, Plan, StepKind};

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

/// The plan `lockstep plan` makes for the whole fixture project: the core's builder over the
/// analysis, every safe rewrite chosen.
fn fixture_plan() -> (Plan, usize) {
    let files: Vec<lockstep_core::SourceFile> = manifest()
        .iter()
        .map(|(_, _, path, _)| {
            let relative = path.strip_prefix(repo()).unwrap().display().to_string();
            lockstep_core::SourceFile::from_bytes(relative, std::fs::read(path).unwrap())
        })
        .collect();
    let settings = lockstep_core::Settings::default();
    let analysis = lockstep_core::analyze(&files, &settings);
    let plan = lockstep_core::plan::build(&analysis, &files, &Choices::default());
    let django_steps = plan
        .steps()
        .filter(|(_, s)| s.kind == StepKind::Django)
        .count();
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
    let kinds = |kind: StepKind| plan.steps().filter(|(_, s)| s.kind == kind).count();
    eprintln!(
        "fixture plan: {} steps ({} ddl, {} backfill, {} django, {} record) for {migrations} \
         migrations",
        plan.steps().count(),
        kinds(StepKind::Ddl),
        kinds(StepKind::Backfill),
        django_steps,
        kinds(StepKind::Record)
    );
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

//! Bad input and secrets: malformed, unknown, huge and inconsistent plans; wrong database
//! URLs; the database connection killed mid-step (`pg_terminate_backend`). Clear errors,
//! resumable, never a password in any output.

#[path = "apply_common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::*;
use lockstep_core::plan::StepKind;

const PASSWORD: &str = "s3cret-Pw";

fn seed(db: &TestDb, rows: u32) {
    db.execute(&format!(
        "CREATE TABLE t (id bigint PRIMARY KEY, n int NOT NULL DEFAULT 0);
         INSERT INTO t SELECT g, 0 FROM generate_series(1, {rows}) g;"
    ));
}

fn small_plan() -> lockstep_core::plan::Plan {
    plan(
        vec![step(
            "a.0001/0",
            ("a", "0001_x"),
            StepKind::Ddl,
            &[r#"ALTER TABLE "t" ADD COLUMN "x" int NULL"#],
        )],
        Vec::new(),
    )
}

/// `apply` on a plan file whose text is given; returns (exit code, stderr).
fn apply_text(label: &str, text: &[u8]) -> (Option<i32>, String) {
    let path = std::env::temp_dir().join(format!("runner_bad_{label}_{}.json", std::process::id()));
    std::fs::write(&path, text).unwrap();
    let output = lockstep()
        .arg("apply")
        .arg(&path)
        .args([
            "--approve",
            "sha256:00",
            "--database-url",
            "postgres://nobody@127.0.0.1:1/x",
        ])
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    (output.status.code(), stderr(&output))
}

#[test]
fn bad_plans_are_refused_with_where_and_why_before_touching_any_database() {
    let good = small_plan().canonical_json();
    let (code, err) = apply_text("truncated", &good.as_bytes()[..good.len() / 2]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("cannot use the plan"), "{err}");
    assert!(
        err.contains("the plan is malformed at line 1, column"),
        "{err}"
    );

    let (code, err) = apply_text(
        "version",
        good.replace("lockstep-plan/1", "lockstep-plan/9")
            .as_bytes(),
    );
    assert_eq!(code, Some(2));
    assert!(
        err.contains(
            "the plan's format is `lockstep-plan/9`, this lockstep reads only `lockstep-plan/1`"
        ),
        "{err}"
    );

    let (code, err) = apply_text(
        "unknown",
        good.replacen("\"kind\"", "\"surprise\":1,\"kind\"", 1)
            .as_bytes(),
    );
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown field `surprise`"), "{err}");

    let (code, err) = apply_text("notjson", b"\x00\x01PK\x03\x04");
    assert_eq!(code, Some(2));
    assert!(
        err.contains("malformed") || err.contains("not UTF-8"),
        "{err}"
    );

    let (code, err) = apply_text("latin1", b"{\"format\": \"caf\xe9\"}");
    assert_eq!(code, Some(2));
    assert!(err.contains("is not UTF-8 (byte 15)"), "{err}");

    let mut repeated = small_plan();
    let again = repeated.phases[0].steps[0].clone();
    repeated.phases[0].steps.push(again);
    let (code, err) = apply_text("repeated", repeated.canonical_json().as_bytes());
    assert_eq!(code, Some(2));
    assert!(err.contains("step id `a.0001/0` repeats"), "{err}");

    // Huge: refused by its size, without reading it.
    let path = std::env::temp_dir().join(format!("runner_bad_huge_{}.json", std::process::id()));
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(40 * 1024 * 1024).unwrap();
    let start = Instant::now();
    let output = lockstep()
        .arg("apply")
        .arg(&path)
        .args([
            "--approve",
            "sha256:00",
            "--database-url",
            "postgres://x@127.0.0.1:1/x",
        ])
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("is 41943040 bytes, more than the 33554432 a plan may have"),
        "{}",
        stderr(&output)
    );
    assert!(start.elapsed() < Duration::from_secs(5));

    let output = lockstep()
        .args([
            "apply",
            "/nonexistent/plan.json",
            "--approve",
            "sha256:00",
            "--database-url",
            "postgres://x@h/x",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("cannot read the plan `/nonexistent/plan.json`"));
}

#[test]
fn wrong_database_urls_give_clear_errors_and_never_the_password() {
    let plan = write_plan("bad_url", &small_plan());
    let urls = [
        format!("postgres://postgres:{PASSWORD}@127.0.0.1:1/nowhere"),
        format!("postgres://postgres:{PASSWORD}@127.0.0.1:5432/runner_no_such_database"),
        format!("mysql://root:{PASSWORD}@127.0.0.1/x"),
        format!("postgres://postgres:{PASSWORD}@[::1/x"),
    ];
    for url in &urls {
        for command in ["apply", "rollback"] {
            let output = lockstep()
                .arg(command)
                .arg(&plan.0)
                .args(["--approve", &plan.1, "--database-url", url])
                .output()
                .unwrap();
            let all = format!("{}{}", stderr(&output), stdout(&output));
            assert_eq!(output.status.code(), Some(4), "{command} {url}: {all}");
            assert!(all.contains("error: cannot connect to "), "{all}");
            assert!(
                !all.contains(PASSWORD),
                "{command} printed the password: {all}"
            );
        }
        let output = lockstep()
            .args(["status", plan.0.to_str().unwrap()])
            .env("DATABASE_URL", url)
            .output()
            .unwrap();
        let all = format!("{}{}", stderr(&output), stdout(&output));
        assert_eq!(output.status.code(), Some(2), "{all}");
        assert!(
            !all.contains(PASSWORD),
            "status printed the password: {all}"
        );
    }
}

#[test]
fn the_password_never_appears_in_output_logs_or_the_journal() {
    let db = TestDb::create("bad_secret");
    seed(&db, 10);
    // Trust authentication ignores the password, so the URL works and carries a secret.
    let url = format!("postgres://postgres:{PASSWORD}@127.0.0.1:5432/{}", db.name);
    let django = fake_django("bad_secret");
    // A Django command that prints its environment's DATABASE_URL, then fails.
    std::fs::write(
        django.join("leak.sh"),
        "#!/bin/sh\necho \"connecting to $DATABASE_URL\"\necho \"fatal: $DATABASE_URL refused\" >&2\nexit 3\n",
    )
    .unwrap();
    let mut p = small_plan();
    p.phases[0].steps.push(step(
        "a.0002/django",
        ("a", "0002_y"),
        StepKind::Django,
        &[],
    ));
    let plan = write_plan("bad_secret", &p);
    let output = lockstep()
        .arg("apply")
        .arg(&plan.0)
        .args(["--approve", &plan.1])
        .args([
            "--django-command",
            &format!("sh {}", django.join("leak.sh").display()),
        ])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    let all = format!("{}{}", stderr(&output), stdout(&output));
    assert_eq!(output.status.code(), Some(4), "{all}");
    assert!(
        all.contains("connecting to postgres://postgres:***@127.0.0.1"),
        "{all}"
    );
    assert!(all.contains("fatal: postgres://postgres:***@"), "{all}");
    assert!(!all.contains(PASSWORD), "{all}");
    let journal = db.text(
        "SELECT coalesce(string_agg(coalesce(error, ''), ' '), '') FROM \
         (SELECT error FROM lockstep.runs UNION ALL SELECT error FROM lockstep.steps \
          UNION ALL SELECT message FROM lockstep.attempts) e",
    );
    assert!(journal.contains("failed"), "{journal}");
    assert!(!journal.contains(PASSWORD), "{journal}");
}

/// Waits until the runner's session runs a statement starting with `prefix`, then kills it.
fn terminate_when(db: &TestDb, prefix: &str, min_batches: i64) -> i32 {
    let start = Instant::now();
    loop {
        assert!(
            start.elapsed() < Duration::from_mins(1),
            "the runner never ran `{prefix}`"
        );
        let batches = if db.text("SELECT to_regclass('lockstep.batches')::text") == "NULL" {
            0
        } else {
            db.int("SELECT count(*) FROM lockstep.batches")
        };
        if batches >= min_batches {
            let pid = db.int(&format!(
                "SELECT coalesce(max(pid), 0) FROM pg_stat_activity WHERE application_name = \
                 'lockstep' AND state = 'active' AND query LIKE '{prefix}%'"
            ));
            if pid != 0 {
                let killed = db.text(&format!("SELECT pg_terminate_backend({pid})::text"));
                assert_eq!(killed, "true");
                return i32::try_from(pid).unwrap();
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_connection_killed_mid_step_is_reconnected_and_the_step_resumed() {
    let db = TestDb::create("bad_terminate");
    seed(&db, 60_000);
    let mut slow = step(
        "a.0001/slow",
        ("a", "0001_x"),
        StepKind::Ddl,
        &[
            r#"ALTER TABLE "t" ADD COLUMN "x" int NULL"#,
            "SELECT pg_sleep(1.5)",
        ],
    );
    slow.lock_timeout_ms = 1_000;
    let p = plan(
        vec![
            slow,
            backfill(
                "a.0001/fill",
                ("a", "0001_x"),
                "\"t\"",
                "\"n\" = \"n\" + 1",
                "true",
                500,
            ),
        ],
        Vec::new(),
    );
    let plan_file = write_plan("bad_terminate", &p);
    let url = db.url();
    let (path, digest) = plan_file.clone();
    let child = std::thread::spawn(move || {
        lockstep()
            .arg("apply")
            .arg(&path)
            .args([
                "--approve",
                &digest,
                "--database-url",
                &url,
                "--batch-target-ms",
                "20",
            ])
            .output()
            .unwrap()
    });
    // Killed inside the transactional step, then again in the middle of the backfill.
    terminate_when(&db, "SELECT pg_sleep", 0);
    terminate_when(&db, "WITH batch", 3);
    let output = child.join().unwrap();
    assert_code(&output, 0);
    let log = stderr(&output);
    assert_eq!(log.matches("connection lost").count(), 2, "{log}");
    assert!(log.contains("reconnecting (1/3)"), "{log}");
    // The transaction ran once in effect; every row got exactly one increment.
    assert_eq!(db.int("SELECT count(*) FROM information_schema.columns WHERE table_name = 't' AND column_name = 'x'"), 1);
    assert_eq!(db.int("SELECT count(*) FROM t WHERE n <> 1"), 0);
    assert_eq!(db.int("SELECT sum(rows) FROM lockstep.batches"), 60_000);

    // Without reconnections the run stops cleanly, and the next run resumes.
    let db = TestDb::create("bad_terminate2");
    seed(&db, 60_000);
    let url = db.url();
    let (path, digest) = plan_file;
    let child = std::thread::spawn(move || {
        lockstep()
            .arg("apply")
            .arg(&path)
            .args([
                "--approve",
                &digest,
                "--database-url",
                &url,
                "--batch-target-ms",
                "20",
                "--reconnects",
                "0",
            ])
            .output()
            .unwrap()
    });
    terminate_when(&db, "WITH batch", 3);
    let output = child.join().unwrap();
    assert_code(&output, 4);
    let log = stderr(&output);
    assert!(
        log.contains("the database connection was lost during step `a.0001/fill`"),
        "{log}"
    );
    assert!(log.contains("it resumes from the journal"), "{log}");
    let done = db.int("SELECT sum(rows) FROM lockstep.batches");
    assert!(done > 0 && done < 60_000, "{done}");
    assert_eq!(db.int("SELECT count(*) FROM t WHERE n = 1"), done);
    let plan_again = write_plan("bad_terminate", &p);
    let output = apply(&db, &plan_again, &[]);
    assert_code(&output, 0);
    assert!(
        stderr(&output).contains("resuming the backfill after key"),
        "{}",
        stderr(&output)
    );
    assert_eq!(db.int("SELECT count(*) FROM t WHERE n <> 1"), 0);
}

//! `lockstep apply`, `status` and `rollback` against the real PostgreSQL: the happy path,
//! every refusal (nothing changed), lock-timeout retries, and rollback.

#[path = "apply_common/mod.rs"]
mod common;

use common::*;
use lockstep_core::plan::{Check, StepKind};

/// `shop_order` with rows, `shop_customer` to point a key at.
fn seed(db: &TestDb, rows: u32) {
    db.execute(&format!(
        "CREATE TABLE shop_customer (id bigint PRIMARY KEY);
         INSERT INTO shop_customer SELECT g FROM generate_series(1, 10) g;
         CREATE TABLE shop_order (id bigint PRIMARY KEY, total int NOT NULL, status text);
         INSERT INTO shop_order SELECT g, g % 97, NULL FROM generate_series(1, {rows}) g;"
    ));
}

/// A plan with one step of each kind but `django`, each with its reverse.
fn shop_plan() -> lockstep_core::plan::Plan {
    let m = ("shop", "0002_order_status");
    plan(
        vec![
            expect(
                reverse(
                    step(
                        "shop.0002/0",
                        m,
                        StepKind::Ddl,
                        &[
                            r#"ALTER TABLE "shop_order" ADD COLUMN "note" text NULL"#,
                            r#"ALTER TABLE "shop_order" ADD COLUMN "customer_id" bigint NULL"#,
                        ],
                    ),
                    &[
                        r#"ALTER TABLE "shop_order" DROP COLUMN "customer_id""#,
                        r#"ALTER TABLE "shop_order" DROP COLUMN "note""#,
                    ],
                ),
                vec![Check::Column {
                    table: "shop_order".into(),
                    column: "note".into(),
                    nullable: true,
                    r#type: Some("text".into()),
                }],
            ),
            expect(
                reverse(
                    autocommit(step(
                        "shop.0002/1",
                        m,
                        StepKind::Ddl,
                        &[
                            r#"CREATE INDEX CONCURRENTLY "shop_order_total_idx" ON "shop_order" ("total")"#,
                        ],
                    )),
                    &[r#"DROP INDEX CONCURRENTLY IF EXISTS "shop_order_total_idx""#],
                ),
                vec![Check::IndexValid {
                    index: "shop_order_total_idx".into(),
                }],
            ),
            backfill(
                "shop.0002/2",
                m,
                "\"shop_order\"",
                "\"status\" = 'new'",
                "\"status\" IS NULL",
                100,
            ),
            reverse(
                step(
                    "shop.0002/3",
                    m,
                    StepKind::Ddl,
                    &[
                        r#"ALTER TABLE "shop_order" ADD CONSTRAINT "shop_order_customer_fk" FOREIGN KEY ("customer_id") REFERENCES "shop_customer" ("id") NOT VALID"#,
                    ],
                ),
                &[r#"ALTER TABLE "shop_order" DROP CONSTRAINT "shop_order_customer_fk""#],
            ),
            reverse(
                step(
                    "shop.0002/4",
                    m,
                    StepKind::Ddl,
                    &[r#"ALTER TABLE "shop_order" VALIDATE CONSTRAINT "shop_order_customer_fk""#],
                ),
                &[],
            ),
            step("shop.0002/record", m, StepKind::Record, &[]),
        ],
        vec![expect(
            step("shop.0002/verify", m, StepKind::Verify, &[]),
            vec![
                Check::ConstraintValidated {
                    table: "shop_order".into(),
                    constraint: "shop_order_customer_fk".into(),
                },
                Check::DjangoMigration {
                    app: "shop".into(),
                    name: "0002_order_status".into(),
                },
            ],
        )],
    )
}

#[test]
fn applies_every_step_journals_it_and_a_second_run_does_nothing() {
    let db = TestDb::create("apply_happy");
    seed(&db, 2_500);
    let plan = write_plan("apply_happy", &shop_plan());
    let output = apply(&db, &plan, &[]);
    assert_code(&output, 0);
    let log = stderr(&output);
    assert!(log.contains("[1/7] shop.0002/0 (ddl, transaction"), "{log}");
    assert!(log.contains("backfill: 2500 rows to update"), "{log}");
    assert!(
        log.contains("applied: 7 step(s) run, 0 already done"),
        "{log}"
    );

    assert_eq!(
        db.int("SELECT count(*) FROM shop_order WHERE status = 'new'"),
        2_500
    );
    assert_eq!(
        db.text("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'shop_order_total_idx'::regclass"),
        "true"
    );
    assert_eq!(
        db.text(
            "SELECT convalidated::text FROM pg_constraint WHERE conname = 'shop_order_customer_fk'"
        ),
        "true"
    );
    assert_eq!(
        db.text("SELECT app || '.' || name FROM django_migrations"),
        "shop.0002_order_status"
    );
    // Journal: every step done, the backfill in keyset batches that cover every row once.
    assert_eq!(
        db.int(&format!(
            "SELECT count(*) FROM lockstep.steps WHERE state = 'done' AND plan_digest = '{}'",
            plan.1
        )),
        7
    );
    assert_eq!(db.int("SELECT sum(rows) FROM lockstep.batches"), 2_500);
    assert!(db.int("SELECT count(*) FROM lockstep.batches") >= 2);
    assert_eq!(
        db.int(
            "SELECT count(*) FROM lockstep.batches a JOIN lockstep.batches b \
             ON a.batch < b.batch AND b.from_key::bigint < a.to_key::bigint"
        ),
        0,
        "batches overlap"
    );
    assert_eq!(db.text("SELECT state FROM lockstep.runs"), "done");

    let before = db.fingerprint(&["shop_order"]);
    let again = apply(&db, &plan, &[]);
    assert_code(&again, 0);
    assert!(
        stderr(&again).contains("applied: 0 step(s) run, 7 already done"),
        "{}",
        stderr(&again)
    );
    assert_eq!(db.fingerprint(&["shop_order"]), before);

    // status: showmigrations-like, then the journal.
    let status = lockstep()
        .args([
            "status",
            plan.0.to_str().unwrap(),
            "--database-url",
            &db.url(),
        ])
        .output()
        .unwrap();
    assert_code(&status, 0);
    let text = stdout(&status);
    assert!(text.contains("shop\n [X] 0002_order_status"), "{text}");
    assert!(text.contains("apply    done"), "{text}");
    assert!(text.contains("shop.0002/2"), "{text}");
    assert!(text.contains("2500/"), "{text}");

    assert_verification(&db, &plan);
}

/// `status --verify`: the plan's checks against the catalog, with the journal's figures.
fn assert_verification(db: &TestDb, plan: &(std::path::PathBuf, String)) {
    let verify = lockstep()
        .args([
            "status",
            plan.0.to_str().unwrap(),
            "--verify",
            "--format",
            "json",
            "--database-url",
            &db.url(),
        ])
        .output()
        .unwrap();
    assert_code(&verify, 0);
    let json: serde_json::Value = serde_json::from_slice(&verify.stdout).unwrap();
    assert_eq!(json["ok"], true, "{json:#}");
    let checks = json["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 5, "{json:#}");
    assert!(checks.iter().all(|c| c["ok"] == true));
    assert_eq!(checks[0]["after_step"], true, "{json:#}");
    assert!(checks[0].get("now").is_none(), "{json:#}");
    assert_eq!(checks[1]["now"], true, "{json:#}");
    assert_eq!(json["steps"][2]["rows"], 2500);
    assert_eq!(json["migrations"][0]["applied"], true);
    // A check that no longer holds fails verification (exit 1), read-only. (The column check
    // of the first step counts as journaled: later steps alter the same table.)
    db.execute("ALTER TABLE shop_order ALTER COLUMN note TYPE varchar(10); DROP INDEX shop_order_total_idx");
    let verify = lockstep()
        .args([
            "status",
            plan.0.to_str().unwrap(),
            "--verify",
            "--database-url",
            &db.url(),
        ])
        .output()
        .unwrap();
    assert_code(&verify, 1);
    assert!(
        stdout(&verify).contains(
            "[FAIL] shop.0002/1: index \"shop_order_total_idx\" exists and is valid: does not exist"
        ),
        "{}",
        stdout(&verify)
    );
}

#[test]
fn status_shows_pending_migrations_and_an_empty_journal() {
    let db = TestDb::create("apply_status");
    seed(&db, 10);
    let plan = write_plan("apply_status", &shop_plan());
    let status = lockstep()
        .args(["status", plan.0.to_str().unwrap()])
        .env("DATABASE_URL", db.url())
        .output()
        .unwrap();
    assert_code(&status, 0);
    let text = stdout(&status);
    assert!(text.contains("shop\n [ ] 0002_order_status"), "{text}");
    assert!(text.contains("Journal: none"), "{text}");
}

/// Nothing at all changed: no journal schema, same schema and data.
fn assert_untouched(db: &TestDb, before: &str) {
    assert_eq!(db.text("SELECT to_regnamespace('lockstep')::text"), "NULL");
    assert_eq!(db.fingerprint(&["shop_order"]), before);
}

#[test]
fn refuses_a_plan_whose_digest_was_not_approved() {
    let db = TestDb::create("apply_digest");
    seed(&db, 10);
    let before = db.fingerprint(&["shop_order"]);
    let (path, digest) = write_plan("apply_digest", &shop_plan());
    let wrong = format!("sha256:{}", "0".repeat(64));
    let output = apply(&db, &(path.clone(), wrong.clone()), &[]);
    assert_code(&output, 3);
    let log = stderr(&output);
    assert!(
        log.contains(&format!(
            "the plan's digest is {digest}, but {wrong} was approved"
        )),
        "{log}"
    );
    assert!(log.contains("nothing was changed"), "{log}");
    assert_untouched(&db, &before);
    // An edited plan under the old approval is refused too.
    let mut edited = shop_plan();
    edited.phases[0].steps[0].sql[0].push_str(" -- edited");
    std::fs::write(&path, edited.canonical_json()).unwrap();
    let output = apply(&db, &(path, digest), &[]);
    assert_code(&output, 3);
    assert_untouched(&db, &before);
}

#[test]
fn refuses_when_preconditions_do_not_hold_naming_every_problem() {
    let db = TestDb::create("apply_pre");
    seed(&db, 10);
    db.execute("ALTER TABLE shop_order ADD COLUMN note text; DROP TABLE shop_customer");
    let before = db.fingerprint(&["shop_order"]);
    let mut bad = shop_plan();
    bad.phases[0].steps.push(backfill(
        "shop.0002/5",
        ("shop", "0002_order_status"),
        "\"shop_missing\"",
        "x = 1",
        "true",
        10,
    ));
    let plan = write_plan("apply_pre", &bad);
    let output = apply(&db, &plan, &[]);
    assert_code(&output, 3);
    let log = stderr(&output);
    assert!(
        log.contains("the database does not match what the plan expects; nothing was changed"),
        "{log}"
    );
    assert!(
        log.contains(
            "step `shop.0002/0`, statement 1: column \"shop_order\".\"note\" already exists"
        ),
        "{log}"
    );
    assert!(
        log.contains("backfill table \"shop_missing\" does not exist"),
        "{log}"
    );
    assert_untouched(&db, &before);
}

#[test]
fn refuses_while_another_runner_holds_the_advisory_lock() {
    let db = TestDb::create("apply_lock");
    seed(&db, 10);
    let before = db.fingerprint(&["shop_order"]);
    let mut holder = db.connect();
    db.runtime.block_on(async {
        sqlx::query("SET application_name = 'other-runner'")
            .execute(&mut holder)
            .await
            .unwrap();
        let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock(7813573191660758384)")
            .fetch_one(&mut holder)
            .await
            .unwrap();
        assert!(got);
    });
    let plan = write_plan("apply_lock", &shop_plan());
    let output = apply(&db, &plan, &["--lock-wait-ms", "300"]);
    assert_code(&output, 3);
    let log = stderr(&output);
    assert!(
        log.contains("another lockstep run holds this database's lock"),
        "{log}"
    );
    assert!(log.contains("application `other-runner`"), "{log}");
    assert_untouched(&db, &before);
    drop(holder);
    assert_code(&apply(&db, &plan, &[]), 0);
}

#[test]
fn lock_timeouts_are_retried_with_backoff_and_every_attempt_is_logged() {
    let db = TestDb::create("apply_retry");
    seed(&db, 10);
    let mut s = step(
        "shop.0003/0",
        ("shop", "0003_x"),
        StepKind::Ddl,
        &[r#"ALTER TABLE "shop_order" ADD COLUMN "flag" boolean NULL"#],
    );
    s.lock_timeout_ms = 100;
    s.max_attempts = 30;
    let first = write_plan("apply_retry", &plan(vec![s.clone()], vec![]));
    // Hold a conflicting lock for a while, then let go.
    let url = db.url();
    let holder = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            use sqlx::Connection as _;
            let mut c = sqlx::postgres::PgConnection::connect(&url).await.unwrap();
            sqlx::raw_sql("BEGIN; LOCK TABLE shop_order IN ACCESS SHARE MODE")
                .execute(&mut c)
                .await
                .unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
            sqlx::raw_sql("COMMIT").execute(&mut c).await.unwrap();
        });
    });
    std::thread::sleep(std::time::Duration::from_millis(300));
    let output = apply(&db, &first, &[]);
    holder.join().unwrap();
    assert_code(&output, 0);
    let log = stderr(&output);
    assert!(log.contains("attempt 1/30 hit the lock timeout"), "{log}");
    assert!(log.contains("retrying in"), "{log}");
    let attempts = db.int("SELECT count(*) FROM lockstep.attempts WHERE outcome = 'lock_timeout'");
    assert!(attempts >= 2, "{attempts}");
    assert_eq!(
        db.int("SELECT count(*) FROM lockstep.attempts WHERE outcome = 'ok'"),
        1
    );
    assert_eq!(
        db.text("SELECT sqlstate FROM lockstep.attempts WHERE outcome = 'lock_timeout' LIMIT 1"),
        "55P03"
    );
    assert!(db.int("SELECT lock_wait_ms FROM lockstep.steps") >= 100);

    // Out of attempts: a clear failure, resumable once the lock is gone.
    s.id = "shop.0003/1".into();
    s.sql = vec![r#"ALTER TABLE "shop_order" ADD COLUMN "flag2" boolean NULL"#.into()];
    s.max_attempts = 2;
    let plan = write_plan("apply_retry2", &plan(vec![s], vec![]));
    let mut holder = db.connect();
    db.runtime.block_on(async {
        sqlx::raw_sql("BEGIN; LOCK TABLE shop_order IN ACCESS SHARE MODE")
            .execute(&mut holder)
            .await
            .unwrap();
    });
    let output = apply(&db, &plan, &[]);
    assert_code(&output, 4);
    assert!(
        stderr(&output).contains("step `shop.0003/1`: lock not acquired in 2 attempt(s) of 100 ms"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        db.text("SELECT state FROM lockstep.steps WHERE step_id = 'shop.0003/1'"),
        "failed"
    );
    drop(holder);
    assert_code(&apply(&db, &plan, &[]), 0);
    assert_eq!(
        db.int("SELECT count(*) FROM information_schema.columns WHERE column_name = 'flag2'"),
        1
    );
}

#[test]
fn rollback_reverses_applied_steps_in_reverse_order_and_removes_the_django_rows() {
    let db = TestDb::create("apply_rollback");
    seed(&db, 300);
    // A Django project's database has the table already.
    db.execute(
        r#"CREATE TABLE "django_migrations" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "app" varchar(255) NOT NULL, "name" varchar(255) NOT NULL, "applied" timestamp with time zone NOT NULL)"#,
    );
    let before = db.fingerprint(&["shop_order"]);
    let plan = write_plan("apply_rollback", &shop_plan());
    assert_code(&apply(&db, &plan, &[]), 0);
    let output = run(&db, "rollback", &plan, &[], &[]);
    assert_code(&output, 0);
    let log = stderr(&output);
    assert!(log.contains("rolled back: 7 step(s) reversed"), "{log}");
    // Reverse order: the record step first, the first DDL step last.
    let record = log.find("shop.0002/record (record").unwrap();
    let first = log.find("shop.0002/0 (ddl").unwrap();
    assert!(record < first, "{log}");
    assert_eq!(db.int("SELECT count(*) FROM django_migrations"), 0);
    assert_eq!(
        db.int("SELECT count(*) FROM pg_class WHERE relname = 'shop_order_total_idx'"),
        0
    );
    // The backfill's reverse is empty: the data it wrote stays, the rest is as before.
    db.execute("UPDATE shop_order SET status = NULL");
    assert_eq!(db.fingerprint(&["shop_order"]), before);
    assert_eq!(
        db.int("SELECT count(*) FROM lockstep.steps WHERE direction = 'forward' AND state = 'rolled_back'"),
        7
    );
    // Applying again after a rollback applies everything again.
    assert_code(&apply(&db, &plan, &[]), 0);
    assert_eq!(db.int("SELECT count(*) FROM django_migrations"), 1);
}

#[test]
fn rollback_refuses_before_changing_anything_when_a_step_has_no_reverse() {
    let db = TestDb::create("apply_irrev");
    seed(&db, 10);
    let mut p = shop_plan();
    p.phases[0].steps[0].reverse_sql = None;
    let plan = write_plan("apply_irrev", &p);
    assert_code(&apply(&db, &plan, &[]), 0);
    let before = db.fingerprint(&["shop_order"]);
    let output = run(&db, "rollback", &plan, &[], &[]);
    assert_code(&output, 3);
    let log = stderr(&output);
    assert!(
        log.contains("cannot roll back; nothing was changed"),
        "{log}"
    );
    assert!(
        log.contains("step `shop.0002/0` (ddl of shop.0002_order_status) has no reverse SQL"),
        "{log}"
    );
    assert_eq!(db.fingerprint(&["shop_order"]), before);
}

#[test]
fn rollback_hands_django_steps_back_to_django_and_refuses_one_with_nowhere_to_go() {
    let db = TestDb::create("apply_rb_django");
    seed(&db, 10);
    let django = fake_django("apply_rb_django");
    std::fs::write(
        django.join("ops.0002_data.sql"),
        "UPDATE shop_order SET total = 1000;",
    )
    .unwrap();
    std::fs::write(
        django.join("ops.0002_data.reverse.sql"),
        "UPDATE shop_order SET total = id % 97;",
    )
    .unwrap();
    let command = format!("sh {}", django.join("manage.sh").display());
    let p = plan(
        vec![
            step(
                "ops.0001/record",
                ("ops", "0001_initial"),
                StepKind::Record,
                &[],
            ),
            step(
                "ops.0002/django",
                ("ops", "0002_data"),
                StepKind::Django,
                &[],
            ),
        ],
        Vec::new(),
    );
    let written = write_plan("apply_rb_django", &p);
    assert_code(
        &run(&db, "apply", &written, &["--django-command", &command], &[]),
        0,
    );
    assert_eq!(
        db.int("SELECT count(*) FROM shop_order WHERE total = 1000"),
        10
    );
    let output = run(
        &db,
        "rollback",
        &written,
        &["--django-command", &command],
        &[],
    );
    assert_code(&output, 0);
    let log = stderr(&output);
    assert!(log.contains("manage.sh migrate ops 0001_initial`"), "{log}");
    assert!(log.contains("Unapplying ops.0002_data... OK"), "{log}");
    assert_eq!(
        db.int("SELECT count(*) FROM shop_order WHERE total = 1000"),
        0
    );
    assert_eq!(db.int("SELECT count(*) FROM django_migrations"), 0);

    // A Django step that is its app's first in the plan: no migration to go back to.
    let alone = plan(
        vec![step(
            "ops.0002/django",
            ("ops", "0002_data"),
            StepKind::Django,
            &[],
        )],
        Vec::new(),
    );
    let written = write_plan("apply_rb_django2", &alone);
    db.execute(
        "INSERT INTO django_migrations (app, name, applied) VALUES ('ops', '0001_initial', now())",
    );
    assert_code(
        &run(&db, "apply", &written, &["--django-command", &command], &[]),
        0,
    );
    let output = run(
        &db,
        "rollback",
        &written,
        &["--django-command", &command],
        &[],
    );
    assert_code(&output, 3);
    assert!(
        stderr(&output).contains("has no earlier ops migration in the plan to migrate back to"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        db.int("SELECT count(*) FROM shop_order WHERE total = 1000"),
        10
    );
}

#[test]
fn each_step_runs_under_its_own_statement_timeout() {
    let db = TestDb::create("apply_timeout");
    seed(&db, 10);
    let mut slow = step(
        "a.0001/slow",
        ("a", "0001_x"),
        StepKind::Ddl,
        &["SELECT pg_sleep(2)"],
    );
    slow.statement_timeout_ms = 100;
    let mut slow_autocommit = autocommit(slow.clone());
    slow_autocommit.id = "a.0001/slow-autocommit".into();
    for (label, s) in [
        ("apply_timeout_tx", slow),
        ("apply_timeout_ac", slow_autocommit),
    ] {
        let written = write_plan(label, &plan(vec![s], Vec::new()));
        let start = std::time::Instant::now();
        let output = apply(&db, &written, &[]);
        assert_code(&output, 4);
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
        assert!(
            stderr(&output).contains("canceling statement due to statement timeout"),
            "{}",
            stderr(&output)
        );
    }
    assert_eq!(
        db.int("SELECT count(*) FROM lockstep.attempts WHERE sqlstate = '57014'"),
        2
    );
}

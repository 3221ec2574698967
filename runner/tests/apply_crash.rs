//! Crash and resume: the runner aborts (like SIGKILL: no destructors, no COMMIT) at every step
//! boundary of a plan with every step kind, or is `SIGKILL`ed during `CREATE INDEX
//! CONCURRENTLY`; `apply` again must finish with exactly the result of a run without a crash.

#[path = "apply_common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::*;
use lockstep_core::plan::{Check, Plan, StepKind};

const ROWS: u32 = 3_000;

fn seed(db: &TestDb) {
    db.execute(&format!(
        "CREATE TABLE shop_customer (id bigint PRIMARY KEY);
         INSERT INTO shop_customer SELECT g FROM generate_series(1, 10) g;
         CREATE TABLE shop_order (id bigint PRIMARY KEY, total int NOT NULL, status text);
         INSERT INTO shop_order SELECT g, g % 97, NULL FROM generate_series(1, {ROWS}) g;"
    ));
}

/// Every step kind: transactional DDL, autocommit DDL (two `CONCURRENTLY` builds), a
/// backfill that is *not* idempotent (`n = n + 1` on every row: a batch applied twice shows),
/// NOT VALID + VALIDATE, a `record` step, a `django` step, a `verify` step.
fn full_plan() -> Plan {
    let m = ("shop", "0002_order_status");
    let mut django = step(
        "ops.0003/django",
        ("ops", "0003_data"),
        StepKind::Django,
        &[],
    );
    django.expect = vec![Check::DjangoMigration {
        app: "ops".into(),
        name: "0003_data".into(),
    }];
    plan(
        vec![
            step(
                "s0-ddl",
                m,
                StepKind::Ddl,
                &[
                    r#"ALTER TABLE "shop_order" ADD COLUMN "note" text NULL"#,
                    r#"ALTER TABLE "shop_order" ADD COLUMN "n" integer DEFAULT 0 NOT NULL"#,
                    r#"ALTER TABLE "shop_order" ADD COLUMN "customer_id" bigint NULL"#,
                ],
            ),
            autocommit(step(
                "s1-concurrently",
                m,
                StepKind::Ddl,
                &[
                    r#"CREATE INDEX CONCURRENTLY "shop_order_total_idx" ON "shop_order" ("total")"#,
                    r#"CREATE INDEX CONCURRENTLY "shop_order_status_idx" ON "shop_order" ("status")"#,
                ],
            )),
            backfill(
                "s2-backfill",
                m,
                "\"shop_order\"",
                "\"n\" = \"n\" + 1, \"status\" = 'new'",
                "\"id\" > 0",
                400,
            ),
            step(
                "s3-fk-not-valid",
                m,
                StepKind::Ddl,
                &[
                    r#"ALTER TABLE "shop_order" ADD CONSTRAINT "shop_order_customer_fk" FOREIGN KEY ("customer_id") REFERENCES "shop_customer" ("id") NOT VALID"#,
                ],
            ),
            step(
                "s4-validate",
                m,
                StepKind::Ddl,
                &[r#"ALTER TABLE "shop_order" VALIDATE CONSTRAINT "shop_order_customer_fk""#],
            ),
            step("s5-record", m, StepKind::Record, &[]),
            django,
        ],
        vec![expect(
            step("s7-verify", m, StepKind::Verify, &[]),
            vec![
                Check::IndexValid {
                    index: "shop_order_total_idx".into(),
                },
                Check::IndexValid {
                    index: "shop_order_status_idx".into(),
                },
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

struct Setup {
    django_dir: std::path::PathBuf,
    plan: (std::path::PathBuf, String),
}

fn setup(label: &str) -> Setup {
    setup_with(label, &full_plan())
}

fn setup_with(label: &str, plan: &Plan) -> Setup {
    let django_dir = fake_django(label);
    // The Django migration changes data: run twice, it would show.
    std::fs::write(
        django_dir.join("ops.0003_data.sql"),
        "UPDATE shop_order SET total = total + 1000 WHERE id <= 10;",
    )
    .unwrap();
    Setup {
        plan: write_plan(label, plan),
        django_dir,
    }
}

fn apply_full(db: &TestDb, setup: &Setup, fault: Option<&str>) -> std::process::Output {
    let command = format!("sh {}", setup.django_dir.join("manage.sh").display());
    let mut env = Vec::new();
    if let Some(fault) = fault {
        env.push(("LOCKSTEP_FAULT", fault));
    }
    run(
        db,
        "apply",
        &setup.plan,
        &["--django-command", &command],
        &env,
    )
}

/// What must hold after any complete run.
fn assert_complete(db: &TestDb) {
    assert_eq!(
        db.int("SELECT count(*) FROM shop_order WHERE n <> 1 OR status IS DISTINCT FROM 'new'"),
        0,
        "a backfill batch was applied twice or not at all"
    );
    assert_eq!(
        db.int("SELECT count(*) FROM shop_order WHERE total >= 1000"),
        10
    );
    assert_eq!(
        db.int("SELECT count(*) FROM pg_index WHERE NOT indisvalid"),
        0,
        "an INVALID index is left"
    );
    assert_eq!(
        db.int("SELECT sum(rows) FROM lockstep.batches"),
        i64::from(ROWS)
    );
    assert_eq!(
        db.int(
            "SELECT count(*) FROM lockstep.batches a JOIN lockstep.batches b \
             ON a.batch < b.batch AND b.from_key::bigint < a.to_key::bigint"
        ),
        0,
        "batches overlap"
    );
}

#[test]
fn every_step_boundary_of_every_step_kind_survives_a_crash() {
    let baseline_db = TestDb::create("crash_base");
    seed(&baseline_db);
    let setup = setup("crash");
    let output = apply_full(&baseline_db, &setup, None);
    assert_code(&output, 0);
    assert_complete(&baseline_db);
    let baseline = baseline_db.fingerprint(&["shop_order", "shop_customer"]);
    let batches = baseline_db.int("SELECT count(*) FROM lockstep.batches");
    assert!(
        batches >= 3,
        "the backfill needs several batches, got {batches}"
    );
    drop(baseline_db);

    let steps = [
        "s0-ddl",
        "s1-concurrently",
        "s2-backfill",
        "s3-fk-not-valid",
        "s4-validate",
        "s5-record",
        "ops.0003/django",
        "s7-verify",
    ];
    let mut points: Vec<String> = steps
        .iter()
        .flat_map(|s| ["before", "inside", "after"].map(|p| format!("{p}:{s}")))
        .collect();
    // Mid-backfill: before the third batch commits, and right after the second did.
    points.push("inside:s2-backfill#3".into());
    points.push("batch:s2-backfill#2".into());
    let mut covered = 0;
    for point in &points {
        let db = TestDb::create("crash_point");
        seed(&db);
        let crashed = apply_full(&db, &setup, Some(point));
        let log = stderr(&crashed);
        let fired = point.split('#').next().unwrap();
        assert!(
            crashed.status.code().is_none() && log.contains(&format!("fault injected at {fired}")),
            "{point} did not crash the runner: {:?}\n{log}",
            crashed.status
        );
        let resumed = apply_full(&db, &setup, None);
        assert_code(&resumed, 0);
        assert_complete(&db);
        assert_eq!(
            db.fingerprint(&["shop_order", "shop_customer"]),
            baseline,
            "after a crash at {point}"
        );
        // The crashed run is in the journal as interrupted.
        assert_eq!(
            db.int("SELECT count(*) FROM lockstep.runs WHERE state = 'interrupted'"),
            1,
            "{point}"
        );
        covered += 1;
    }
    assert_eq!(covered, 26);
}

#[test]
fn sigkill_during_create_index_concurrently_leaves_an_invalid_index_that_is_rebuilt() {
    let db = TestDb::create("crash_cic");
    seed(&db);
    // The concurrent builds first, so that the writer below blocks nothing before them.
    let mut plan = full_plan();
    plan.phases[0].steps.swap(0, 1);
    let setup = setup_with("crash_cic", &plan);
    let command = format!("sh {}", setup.django_dir.join("manage.sh").display());
    // A writer's open transaction makes the build wait after it has created the (INVALID)
    // index in the catalog.
    let mut writer = db.connect();
    db.runtime.block_on(async {
        sqlx::raw_sql("BEGIN; UPDATE shop_order SET total = total WHERE id = 1")
            .execute(&mut writer)
            .await
            .unwrap();
    });
    let mut child = lockstep()
        .arg("apply")
        .arg(&setup.plan.0)
        .args(["--approve", &setup.plan.1, "--database-url", &db.url()])
        .args(["--django-command", &command])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        let invalid = db.int(
            "SELECT count(*) FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid \
             WHERE c.relname = 'shop_order_total_idx' AND NOT x.indisvalid",
        );
        if invalid == 1 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the build never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    // The server notices the client is gone (client_connection_check_interval) and cancels.
    std::thread::sleep(Duration::from_millis(1500));
    db.runtime.block_on(async {
        sqlx::raw_sql("ROLLBACK")
            .execute(&mut writer)
            .await
            .unwrap();
    });
    assert_eq!(
        db.int(
            "SELECT count(*) FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid \
             WHERE c.relname = 'shop_order_total_idx' AND NOT x.indisvalid"
        ),
        1,
        "the killed build must have left its INVALID index"
    );
    let resumed = apply_full(&db, &setup, None);
    assert_code(&resumed, 0);
    let log = stderr(&resumed);
    assert!(
        log.contains("index `shop_order_total_idx` was left INVALID by an interrupted build"),
        "{log}"
    );
    assert_complete(&db);

    let clean = TestDb::create("crash_cic_clean");
    seed(&clean);
    assert_code(&apply_full(&clean, &setup, None), 0);
    assert_eq!(
        db.fingerprint(&["shop_order", "shop_customer"]),
        clean.fingerprint(&["shop_order", "shop_customer"])
    );
}

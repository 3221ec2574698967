//! The Migration Report's verification from a real database: `lockstep plan` → `apply` →
//! `status --verify --for-report` → `lockstep report --verification`.

#[path = "apply_common/mod.rs"]
mod common;

use common::*;

const REVIEW: &str = "../examples/review";

fn cli(args: &[&str]) -> std::process::Output {
    lockstep()
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

#[test]
fn the_report_ticks_the_checks_the_database_passes_and_shows_the_ones_it_fails() {
    let db = TestDb::create("report");
    db.execute("CREATE TABLE shop_order (id bigint PRIMARY KEY, status text)");
    let dir = std::env::temp_dir().join(format!("runner_report_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let plan_path = dir.join("plan.json").display().to_string();
    let planned = cli(&["plan", REVIEW, "-o", &plan_path]);
    assert_code(&planned, 0);
    let digest = stdout(&planned).trim().to_owned();
    let applied = cli(&[
        "apply",
        &plan_path,
        "--approve",
        &digest,
        "--database-url",
        &db.url(),
    ]);
    assert_code(&applied, 0);

    let verification = dir.join("verification.json");
    let status = cli(&[
        "status",
        &plan_path,
        "--verify",
        "--for-report",
        "--database-url",
        &db.url(),
    ]);
    assert_code(&status, 0);
    std::fs::write(&verification, &status.stdout).unwrap();
    let report = cli(&[
        "report",
        REVIEW,
        "--plan",
        &plan_path,
        "--verification",
        verification.to_str().unwrap(),
    ]);
    assert_code(&report, 0);
    let markdown = stdout(&report);
    let section = markdown.split("## Verification").nth(1).unwrap();
    let section = section.split("\n## ").next().unwrap();
    assert_eq!(section.matches("- [x]").count(), 4, "{section}");
    assert!(!section.contains("- [ ]"), "{section}");
    // `--database-url` verifies in the same command and says the same.
    let direct = cli(&[
        "report",
        REVIEW,
        "--plan",
        &plan_path,
        "--database-url",
        &db.url(),
    ]);
    assert_code(&direct, 0);
    assert_eq!(stdout(&direct), markdown);

    // An index dropped after the fact: the report says so.
    db.execute("DROP INDEX shop_order_status_idx");
    let status = cli(&[
        "status",
        &plan_path,
        "--verify",
        "--for-report",
        "--database-url",
        &db.url(),
    ]);
    assert_code(&status, 1);
    std::fs::write(&verification, &status.stdout).unwrap();
    let report = cli(&[
        "report",
        REVIEW,
        "--plan",
        &plan_path,
        "--verification",
        verification.to_str().unwrap(),
    ]);
    let markdown = stdout(&report);
    assert!(
        markdown.contains("**failed:** does not exist"),
        "{markdown}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

//! The runner against the real PostgreSQL on 127.0.0.1:5432. Each test creates and drops its
//! own database.

use std::process::Command;

#[path = "apply_common/mod.rs"]
mod common;

use common::TestDb;

#[test]
fn stats_reads_rows_bytes_and_indexes_from_the_catalog() {
    let db = TestDb::create("stats");
    db.execute(
        "CREATE TABLE shop_order (id bigint PRIMARY KEY, created timestamptz);
         CREATE INDEX shop_order_created_idx ON shop_order (created);
         INSERT INTO shop_order SELECT g, now() FROM generate_series(1, 5000) g;
         ANALYZE shop_order;
         CREATE TABLE shop_empty (id int);",
    );
    let output = Command::new(env!("CARGO_BIN_EXE_lockstep"))
        .args(["stats", "--database-url", &db.url()])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["shop_order"]["rows"], 5000);
    assert_eq!(json["shop_order"]["indexes"], 2);
    assert!(json["shop_order"]["bytes"].as_i64().unwrap() > 5000 * 16);
    assert_eq!(json["shop_empty"]["rows"], 0);

    let only = Command::new(env!("CARGO_BIN_EXE_lockstep"))
        .args(["stats", "--database-url", &db.url(), "shop_empty"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&only.stdout).unwrap();
    assert_eq!(
        json.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["shop_empty"]
    );

    let missing = Command::new(env!("CARGO_BIN_EXE_lockstep"))
        .args(["stats", "--database-url", &db.url(), "nope"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&missing.stderr)
            .contains("no such table in the public schema: `nope`")
    );
}

#[test]
fn connection_errors_never_show_the_password() {
    let output = Command::new(env!("CARGO_BIN_EXE_lockstep"))
        .args([
            "stats",
            "--database-url",
            "postgres://postgres:hunter2@127.0.0.1:1/nowhere",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr.contains("cannot connect to postgres://postgres:***@127.0.0.1:1/nowhere"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("hunter2") && output.stdout.is_empty(),
        "{stderr}"
    );
    // The same through the environment variable.
    let output = Command::new(env!("CARGO_BIN_EXE_lockstep"))
        .arg("stats")
        .env("DATABASE_URL", "postgres://u:hunter2@127.0.0.1:1/x")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&output.stderr).contains("hunter2"));
}

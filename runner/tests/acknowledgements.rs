//! `lockstep: ack` comments through the real binary: shown, not failed on, in every format.

use std::path::PathBuf;
use std::process::{Command, Output};

fn lockstep(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lockstep"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

/// A scratch file removed at the end of the test.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str, relative: &str, text: &str) -> (Self, String) {
        let dir = std::env::temp_dir().join(format!("lockstep-ack-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        (Self(dir), path.display().to_string())
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const SQL: &str = "SET lock_timeout = '2s';\nSET statement_timeout = '5min';\n\
                   -- lockstep: ack add-index-non-concurrent -- shop_order has 300 rows\n\
                   CREATE INDEX i ON shop_order (created);\n";

#[test]
fn acknowledged_findings_are_shown_and_do_not_fail_the_check() {
    let (_scratch, path) = Scratch::new("pass", "db/0001.sql", SQL);
    let output = lockstep(&["check", "--color", "never", &path]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(
        text.contains("error[add-index-non-concurrent] (acknowledged)"),
        "{text}"
    );
    assert!(
        text.contains("= acknowledged (line 3): shop_order has 300 rows"),
        "{text}"
    );
    assert!(
        text.contains("0 error(s), 0 warning(s), 0 info, 1 acknowledged"),
        "{text}"
    );

    let output = lockstep(&["check", "--format", "json", &path]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let finding = &json["findings"][0];
    assert_eq!(finding["rule"], "add-index-non-concurrent");
    assert_eq!(
        finding["acknowledged"],
        serde_json::json!({"reason": "shop_order has 300 rows", "source": "comment", "line": 3})
    );

    let output = lockstep(&["check", "--format", "sarif", &path]);
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        sarif["runs"][0]["results"][0]["suppressions"],
        serde_json::json!([{"kind": "inSource", "justification": "shop_order has 300 rows"}])
    );

    let output = lockstep(&["check", "--format", "github", &path]);
    let annotations = String::from_utf8(output.stdout).unwrap();
    assert!(annotations.starts_with("::notice "), "{annotations}");
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn an_unacknowledged_finding_still_fails_and_stale_acks_are_reported() {
    let text = SQL.replace("add-index-non-concurrent --", "truncate-cascade --");
    let (_scratch, path) = Scratch::new("fail", "db/0001.sql", &text);
    let output = lockstep(&["check", "--color", "never", &path]);
    let out = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(out.contains("info[unused-acknowledgement]"), "{out}");
    assert!(out.contains("error[add-index-non-concurrent]:"), "{out}");
}

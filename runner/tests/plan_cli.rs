//! `lockstep plan` and `lockstep report` driven as a user would: the real binary, real files.

use std::path::PathBuf;
use std::process::{Command, Output};

use lockstep_core::plan::Plan;

const REVIEW: &str = "../examples/review";

fn lockstep(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lockstep"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// A scratch directory removed at the end of the test.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("lockstep-plan-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn plan_writes_canonical_json_and_prints_its_digest() {
    let scratch = Scratch::new("digest");
    let out = scratch.path("plan.json");
    let output = lockstep(&["plan", REVIEW, "-o", &out]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let digest = text(&output.stdout).trim().to_owned();
    let json = std::fs::read_to_string(&out).unwrap();
    let plan = Plan::from_json(&json).unwrap();
    assert_eq!(plan.digest(), digest);
    assert_eq!(
        plan.canonical_json(),
        json,
        "the file is the canonical form"
    );
    assert!(json.contains("CREATE INDEX CONCURRENTLY"));
    // The same files give the same plan, byte for byte.
    let again = scratch.path("again.json");
    let second = lockstep(&["plan", REVIEW, "-o", &again]);
    assert_eq!(text(&second.stdout).trim(), digest);
}

#[test]
fn a_keep_choice_keeps_the_statement_and_changes_the_digest() {
    let scratch = Scratch::new("choices");
    let check = lockstep(&["check", REVIEW, "--format", "json"]);
    let analysis: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    let fingerprint = analysis["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "add-index-non-concurrent")
        .unwrap()["fingerprint"]
        .as_str()
        .unwrap()
        .to_owned();
    let choices = scratch.path("choices.json");
    std::fs::write(&choices, format!(r#"{{"{fingerprint}": "keep"}}"#)).unwrap();
    let safe = lockstep(&["plan", REVIEW, "-o", &scratch.path("safe.json")]);
    let kept = lockstep(&[
        "plan",
        REVIEW,
        "-o",
        &scratch.path("kept.json"),
        "--choices",
        &choices,
    ]);
    assert!(kept.status.success(), "{}", text(&kept.stderr));
    assert_ne!(safe.stdout, kept.stdout);
    let json = std::fs::read_to_string(scratch.path("kept.json")).unwrap();
    assert!(
        json.contains(r#"CREATE INDEX \"shop_order_created_idx\""#),
        "{json}"
    );
}

#[test]
fn bad_input_is_an_error_with_a_location() {
    let scratch = Scratch::new("bad");
    let choices = scratch.path("choices.json");
    std::fs::write(&choices, "{\n  \"abc\": \"maybe\"\n}").unwrap();
    let output = lockstep(&[
        "plan",
        REVIEW,
        "-o",
        &scratch.path("p.json"),
        "--choices",
        &choices,
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("choices.json:2:"), "{stderr}");
    // A file that cannot be read is not silently left out of a plan.
    let broken = scratch.path("0001_x.py");
    std::fs::write(&broken, "class Migration(:\n").unwrap();
    let output = lockstep(&["plan", &broken, "-o", &scratch.path("p.json")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("0001_x.py:1:"),
        "{}",
        text(&output.stderr)
    );
    assert!(!std::path::Path::new(&scratch.path("p.json")).exists());
}

#[test]
fn report_in_markdown_and_json_with_the_approved_plan() {
    let scratch = Scratch::new("report");
    let plan = scratch.path("plan.json");
    let digest = text(&lockstep(&["plan", REVIEW, "-o", &plan]).stdout)
        .trim()
        .to_owned();
    let markdown = lockstep(&["report", REVIEW, "--plan", &plan]);
    assert!(markdown.status.success(), "{}", text(&markdown.stderr));
    let markdown = text(&markdown.stdout);
    for section in [
        "## Current State",
        "## Changes Made",
        "## Verification",
        "## Findings",
    ] {
        assert!(markdown.contains(section), "{markdown}");
    }
    assert!(markdown.contains(&digest));
    assert!(markdown.contains("- [ ] index `shop_order_created_idx` exists and is valid"));
    let json = lockstep(&["report", REVIEW, "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["format"], "lockstep-report/1");
    assert_eq!(report["current_state"]["plan_digest"], digest.as_str());
    assert!(report["current_state"]["applied"].is_null());
    // A plan of other files is refused.
    let other = scratch.path("other.json");
    lockstep(&[
        "plan",
        "../examples/review/shop/migrations/0002_order_created.py",
        "-o",
        &other,
    ]);
    let refused = lockstep(&["report", REVIEW, "--plan", &other]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains("built from other files"));
}

#[test]
fn help_shows_an_example() {
    for command in ["plan", "report"] {
        let help = text(&lockstep(&[command, "--help"]).stdout);
        assert!(
            help.contains(&format!("Example: `lockstep {command} ")),
            "{help}"
        );
    }
}

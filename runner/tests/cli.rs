//! `lockstep check` and `lockstep serve` driven as a user would: the real binary, real files.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const EXAMPLE: &str = "../examples/review/shop/migrations/0002_order_created.py";

fn lockstep(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lockstep"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// A scratch directory removed at the end of the test.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("lockstep-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn write(&self, relative: &str, bytes: &[u8]) -> String {
        let path = self.0.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn check_prints_the_finding_with_its_location_and_fails() {
    let output = lockstep(&["check", EXAMPLE]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("error[add-index-non-concurrent]"), "{text}");
    assert!(text.contains("0002_order_created.py:13:9"), "{text}");
    assert!(
        text.contains(
            r#"CREATE INDEX CONCURRENTLY "shop_order_created_idx" ON "shop_order" ("created");"#
        ),
        "{text}"
    );
    assert!(text.contains("13 |         migrations.AddIndex("), "{text}");
}

#[test]
fn check_json_carries_operations_statements_and_findings() {
    let output = lockstep(&["check", "--format", "json", EXAMPLE]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let operations = json["files"][0]["operations"].as_array().unwrap();
    assert_eq!(operations.len(), 2);
    assert_eq!(operations[1]["kind"], "AddIndex");
    assert_eq!(operations[1]["line"], 13);
    assert_eq!(
        operations[1]["statements"][0]["sql"],
        r#"CREATE INDEX "shop_order_created_idx" ON "shop_order" ("created");"#
    );
    let findings = json["findings"].as_array().unwrap();
    let finding = findings
        .iter()
        .find(|f| f["rule"] == "add-index-non-concurrent")
        .unwrap();
    // The model is not among the files: the assumption is stated, not hidden.
    let assumed = findings
        .iter()
        .find(|f| f["rule"] == "unknown-expression")
        .unwrap();
    assert!(
        assumed["message"]
            .as_str()
            .unwrap()
            .contains("assumed table `shop_order` with columns named as its fields"),
        "{assumed}"
    );
    assert_eq!(
        (
            finding["rule"].as_str(),
            finding["line"].as_u64(),
            finding["column"].as_u64()
        ),
        (Some("add-index-non-concurrent"), Some(13), Some(9))
    );
}

#[test]
fn fail_on_controls_the_exit_code() {
    assert_eq!(
        lockstep(&["check", "--fail-on", "never", EXAMPLE])
            .status
            .code(),
        Some(0)
    );
    let scratch = Scratch::new("clean");
    let clean = scratch.write("db/0001.sql", b"CREATE INDEX CONCURRENTLY i ON t (c);\n");
    assert_eq!(lockstep(&["check", &clean]).status.code(), Some(0));
}

#[test]
fn directories_are_read_recursively_for_migrations_and_sql() {
    let scratch = Scratch::new("walk");
    scratch.write(
        "shop/migrations/0002_x.py",
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(EXAMPLE))
            .unwrap()
            .as_slice(),
    );
    scratch.write("shop/migrations/__init__.py", b"");
    scratch.write("shop/models.py", b"this is not a migration (");
    scratch.write("db/0001.sql", b"CREATE INDEX i ON t (c);");
    let output = lockstep(&[
        "check",
        "--format",
        "json",
        &scratch.0.display().to_string(),
    ]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut paths: Vec<&str> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    paths.sort_unstable();
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert!(paths[0].ends_with("db/0001.sql") && paths[1].ends_with("shop/migrations/0002_x.py"));
    let errors = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .count();
    assert_eq!(errors, 2);
}

#[test]
fn missing_paths_are_input_errors() {
    let output = lockstep(&["check", "does/not/exist.py"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read `does/not/exist.py`"));
    assert_eq!(lockstep(&["check"]).status.code(), Some(2));
}

/// Each bad input is a clear finding at a location, never a crash.
#[test]
fn bad_input_gets_a_clear_error_with_a_location() {
    let scratch = Scratch::new("bad");
    let example =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(EXAMPLE)).unwrap();
    let truncated = scratch.write(
        "a/migrations/0001_truncated.py",
        &example.as_bytes()[..example.len() / 2],
    );
    let binary = scratch.write(
        "a/migrations/0002_binary.py",
        &[0x7f, b'E', b'L', b'F', 0, 1, 2, 0xff],
    );
    let empty = scratch.write("a/migrations/0003_empty.py", b"");
    let mut huge = b"from django.db import migrations\nclass Migration(migrations.Migration):\n    operations = [\n".to_vec();
    while huge.len() < 5 * 1024 * 1024 {
        huge.extend_from_slice(b"        migrations.RunSQL(\"SELECT 1\"),\n");
    }
    huge.extend_from_slice(b"    ]\n");
    let huge = scratch.write("a/migrations/0004_huge.py", &huge);
    let deep = scratch.write(
        "a/migrations/0005_deep.py",
        format!("x = {}", "[".repeat(100_000)).as_bytes(),
    );

    let cases = [
        (&truncated, "Python syntax error", ""),
        (&binary, "binary file: NUL byte at offset 4", ":1:5"),
        (
            &empty,
            "no `class Migration(migrations.Migration)` found",
            ":1:1",
        ),
        (&deep, "too many nested parentheses", ":1:205"),
    ];
    // Terminal control bytes from the file are not echoed.
    assert!(!stdout(&lockstep(&["check", &binary])).contains('\u{7f}'));
    for (path, message, location) in cases {
        let output = lockstep(&["check", path]);
        let text = stdout(&output);
        assert_eq!(output.status.code(), Some(1), "{path}: {text}");
        assert!(
            text.contains("error[unparsable-source]") && text.contains(message),
            "{path}: {text}"
        );
        assert!(
            text.contains(&format!("{path}{location}")),
            "{path}: {text}"
        );
    }
    let output = lockstep(&["check", "--format", "json", &huge]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(json["files"][0]["operations"].as_array().unwrap().len() > 100_000);
}

/// With the web files embedded (scripts/test builds them first), `serve` hands them out;
/// without them it explains how to build them.
#[test]
fn serve_hands_out_the_reviewer_or_says_how_to_build_it() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lockstep"))
        .args(["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    if first.is_empty() {
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        assert!(
            std::env::var_os("LOCKSTEP_EXPECT_WEB").is_none(),
            "the web files were expected: {stderr}"
        );
        assert!(
            stderr.contains("built without the web reviewer") && stderr.contains("scripts/serve"),
            "{stderr}"
        );
        assert_eq!(child.wait().unwrap().code(), Some(2));
        return;
    }
    let address = first
        .trim()
        .trim_start_matches("Lockstep reviewer on http://")
        .trim_end_matches('/')
        .to_owned();
    let get = |path: &str| {
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        let _ = stream.read_to_string(&mut response);
        response
    };
    let index = get("/");
    let missing = get("/nope");
    child.kill().unwrap();
    let _ = child.wait();
    assert!(
        index.starts_with("HTTP/1.1 200") && index.contains("text/html"),
        "{index}"
    );
    assert!(index.contains("_bg.wasm"), "{index}");
    assert!(missing.starts_with("HTTP/1.1 404"), "{missing}");
}

/// Every migration of the Django oracle: `lockstep sql` prints exactly what `sqlmigrate`
/// printed whenever it claims to (exit 0), and says why on stderr when it does not (exit 1).
#[test]
fn sql_prints_exactly_what_sqlmigrate_prints() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let oracle = repo.join("tests/django/oracle");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(oracle.join("manifest.json")).unwrap())
            .unwrap();
    let migrations = manifest["migrations"].as_array().unwrap();
    // Every app's migrations directory: the state of the whole project decides the SQL.
    let mut dirs: Vec<String> = migrations
        .iter()
        .map(|m| {
            let path = repo.join(m["path"].as_str().unwrap());
            path.parent().unwrap().display().to_string()
        })
        .collect();
    dirs.sort();
    dirs.dedup();
    let (mut identical, mut declined, mut backwards) = (0, 0, 0);
    for migration in migrations {
        let key = format!(
            "{}.{}",
            migration["app"].as_str().unwrap(),
            migration["name"].as_str().unwrap()
        );
        let mut args = vec!["sql", "--migration", key.as_str()];
        args.extend(dirs.iter().map(String::as_str));
        let output = lockstep(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        match output.status.code() {
            Some(0) => {
                let expected =
                    std::fs::read_to_string(oracle.join(migration["sql"].as_str().unwrap()))
                        .unwrap();
                assert_eq!(stdout(&output), expected, "{key}");
                identical += 1;
                // And the way back, where it is claimed.
                args.push("--backwards");
                let output = lockstep(&args);
                match migration["backwards_after_apply_sql"].as_str() {
                    Some(path) if output.status.code() == Some(0) => {
                        let expected = std::fs::read_to_string(oracle.join(path)).unwrap();
                        assert_eq!(stdout(&output), expected, "{key} --backwards");
                        backwards += 1;
                    }
                    Some(_) => assert_eq!(output.status.code(), Some(1), "{key} --backwards"),
                    None => assert_eq!(output.status.code(), Some(2), "{key} --backwards"),
                }
            }
            Some(1) => {
                assert!(
                    stderr.contains("reproduce") || stderr.contains("not"),
                    "{key}: {stderr}"
                );
                declined += 1;
            }
            code => panic!("{key}: exit {code:?}: {stderr}"),
        }
    }
    println!(
        "lockstep sql: {identical} of {} migrations identical to sqlmigrate, {declined} declined; \
         {backwards} identical backwards",
        migrations.len()
    );
    assert!(
        backwards >= 45,
        "only {backwards} migrations reproduced backwards"
    );
    assert!(identical >= 50, "only {identical} migrations reproduced");
}

#[test]
fn sql_json_gives_each_operation_and_bad_names_are_input_errors() {
    let dir = "../tests/django/project/ops/migrations";
    let output = lockstep(&[
        "sql",
        dir,
        "--migration",
        "ops.0002_run_sql",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let operations = json["operations"].as_array().unwrap();
    assert!(!operations.is_empty());
    assert!(
        operations.iter().all(|op| op["statements"].is_array()),
        "{json}"
    );
    for bad in ["ops.0099_missing", "no-dot"] {
        let output = lockstep(&["sql", dir, "--migration", bad]);
        assert_eq!(output.status.code(), Some(2), "{bad}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("error:"),
            "{bad}"
        );
    }
    // Several migrations and no `--migration`: say how to choose.
    let output = lockstep(&["sql", dir]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--migration"));
}

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
    // Each file's index build, the `.sql` file's missing lock timeout, and the example's
    // index built under the `ACCESS EXCLUSIVE` its `AddField` holds.
    assert_eq!(errors, 4);
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

fn lockstep_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lockstep"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Two findings of different rules, in files whose names need escaping in URIs and
/// workflow commands.
fn awkward_files(scratch: &Scratch) -> (String, String) {
    let example = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(EXAMPLE)).unwrap();
    let django = scratch.write("shop/migrations/0002_order_created.py", &example);
    let sql = scratch.write(
        "db/50%,a:b é.sql",
        b"SET lock_timeout = '2s'; SET statement_timeout = '1min';\n  create index i on t (c);\nNOT SQL;\n",
    );
    (django, sql)
}

/// The SARIF log validates against the official SARIF 2.1.0 schema (OASIS, vendored in
/// `tests/schemas/` from the `serde-sarif` crate, which ships it as `src/schema.json`), and
/// carries the catalog and each finding's region and fingerprint.
#[test]
fn check_sarif_is_valid_sarif_2_1_0() {
    let mut schema: serde_json::Value =
        serde_json::from_str(include_str!("schemas/sarif-schema-2.1.0.json")).unwrap();
    // The schema's `language` pattern (on `run` and `toolComponent`) has a stray `]` that
    // draft-07's meta-schema rejects as a regex; Lockstep never writes `language`, so the
    // pattern is dropped here and the vendored file stays byte-for-byte upstream's.
    for definition in ["run", "toolComponent"] {
        let language = &mut schema["definitions"][definition]["properties"]["language"];
        assert_eq!(
            language["pattern"], "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$",
            "the vendored schema changed: revisit this patch"
        );
        language.as_object_mut().unwrap().remove("pattern");
    }
    let validator = jsonschema::validator_for(&schema).unwrap();
    let scratch = Scratch::new("sarif");
    let (django, sql) = awkward_files(&scratch);
    let output = lockstep(&["check", "--format", "sarif", &django, &sql]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let log: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The validator is not vacuous: a wrong level and an unencoded URI are caught.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
        "a b\\c".into();
    assert_eq!(validator.iter_errors(&broken).count(), 2);

    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let rules_json: serde_json::Value =
        serde_json::from_slice(&lockstep(&["rules", "--format", "json"]).stdout).unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let catalog: Vec<&str> = rules_json
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, catalog);
    let add_index = &rules[ids
        .iter()
        .position(|id| *id == "add-index-non-concurrent")
        .unwrap()];
    assert!(
        add_index["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## Why it hurts")
    );
    assert!(
        add_index["shortDescription"]["text"]
            .as_str()
            .unwrap()
            .starts_with("`CREATE [UNIQUE] INDEX` without `CONCURRENTLY`")
    );

    let results = run["results"].as_array().unwrap();
    let found = |rule: &str| {
        results
            .iter()
            .filter(|r| r["ruleId"] == rule)
            .collect::<Vec<_>>()
    };
    let index_results = found("add-index-non-concurrent");
    assert_eq!(index_results.len(), 2, "{results:#?}");
    let in_sql = index_results
        .iter()
        .find(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .ends_with("db/50%25,a:b%20%C3%A9.sql")
        })
        .unwrap();
    assert_eq!(in_sql["level"], "error");
    assert_eq!(
        in_sql["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({"startLine": 2, "startColumn": 3, "endLine": 2, "endColumn": 27})
    );
    assert_eq!(
        in_sql["ruleIndex"].as_u64(),
        ids.iter()
            .position(|id| *id == "add-index-non-concurrent")
            .and_then(|i| u64::try_from(i).ok())
    );
    assert_fingerprints_are_the_findings(results, &django, &sql);
    assert_eq!(found("runsql-opaque")[0]["level"], "warning");
    assert_eq!(found("unknown-expression")[0]["level"], "note");
}

/// Each SARIF result's fingerprint is its finding's own, as `--format json` gives it.
fn assert_fingerprints_are_the_findings(results: &[serde_json::Value], django: &str, sql: &str) {
    let json: serde_json::Value =
        serde_json::from_slice(&lockstep(&["check", "--format", "json", django, sql]).stdout)
            .unwrap();
    let fingerprints: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(results.len(), fingerprints.len());
    for result in results {
        let fingerprint = result["partialFingerprints"]["lockstep/v1"]
            .as_str()
            .unwrap();
        assert!(fingerprints.contains(&fingerprint), "{result}");
    }
}

#[test]
fn check_github_prints_one_escaped_annotation_per_finding() {
    let scratch = Scratch::new("github");
    let (_, sql) = awkward_files(&scratch);
    let output = lockstep(&["check", "--format", "github", &sql]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    let file = sql
        .replace('%', "%25")
        .replace(':', "%3A")
        .replace(',', "%2C");
    assert!(
        lines[0].starts_with(&format!(
            "::error file={file},line=2,col=3,endLine=2,endColumn=27,title=lockstep add-index-non-concurrent::`CREATE INDEX` takes a `SHARE` lock on `t`"
        )),
        "{}",
        lines[0]
    );
    // Newlines of the safe alternative are encoded; nothing else breaks the line.
    assert!(
        lines[0].contains("%0A%0ASafe alternative: Build it concurrently"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with(&format!("::warning file={file},line=3,col=1,")),
        "{}",
        lines[1]
    );
    assert!(
        lines[1].contains("title=lockstep runsql-opaque::"),
        "{}",
        lines[1]
    );
}

#[test]
fn text_is_coloured_on_request_and_plain_when_piped() {
    let always = stdout(&lockstep(&["check", "--color", "always", EXAMPLE]));
    // The span itself is underlined in the severity's colour in the code frame.
    assert!(
        always.contains("\x1b[1;31m\x1b[4mmigrations.AddIndex(\x1b[0m"),
        "{always:?}"
    );
    assert!(always.contains("\x1b[1;31merror[add-index-non-concurrent]\x1b[0m"));
    let piped = stdout(&lockstep(&["check", EXAMPLE]));
    assert!(!piped.contains('\x1b'), "{piped:?}");
    assert!(piped.contains("= safe alternative: Use `AddIndexConcurrently`"));
    assert!(
        piped.contains("13 |         migrations.AddIndex(\n   |         ^^^^^^^^^^^^^^^^^^^^\n"),
        "{piped}"
    );
    assert!(!stdout(&lockstep(&["check", "--color", "never", EXAMPLE])).contains('\x1b'));
}

/// On a real terminal (a pty from util-linux `script`), `auto` colours unless `NO_COLOR` is set.
#[test]
fn auto_colours_a_terminal_unless_no_color() {
    let bin = env!("CARGO_BIN_EXE_lockstep");
    let on_tty = |no_color: bool| {
        let mut command = Command::new("script");
        command
            .args(["-qec", &format!("{bin} check {EXAMPLE}"), "/dev/null"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::null());
        if no_color {
            command.env("NO_COLOR", "1");
        } else {
            command.env_remove("NO_COLOR");
        }
        let output = command.output().unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let coloured = on_tty(false);
    assert!(
        coloured.contains("error[add-index-non-concurrent]"),
        "{coloured:?}"
    );
    assert!(coloured.contains("\x1b[4m"), "{coloured:?}");
    let plain = on_tty(true);
    assert!(
        plain.contains("error[add-index-non-concurrent]"),
        "{plain:?}"
    );
    assert!(!plain.contains('\x1b'), "{plain:?}");
}

#[test]
fn rules_lists_the_catalog_and_explain_prints_each_rule() {
    let json: serde_json::Value =
        serde_json::from_slice(&lockstep(&["rules", "--format", "json"]).stdout).unwrap();
    let rules = json.as_array().unwrap();
    assert!(rules.len() >= 6, "{json}");
    let text = stdout(&lockstep(&["rules"]));
    assert_eq!(text.lines().count(), rules.len(), "{text}");
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        let severity = rule["severity"].as_str().unwrap();
        let summary = rule["summary"].as_str().unwrap();
        assert!(!summary.is_empty() && !summary.contains('\n'), "{rule}");
        assert!(
            text.lines()
                .any(|l| l.starts_with(id) && l.contains(severity) && l.ends_with(summary)),
            "{id}: {text}"
        );
        let explained = lockstep(&["explain", id]);
        assert_eq!(explained.status.code(), Some(0));
        let explained = stdout(&explained);
        assert!(
            explained.starts_with(&format!("# {id} ({severity})\n")),
            "{explained}"
        );
        assert!(
            explained.contains(rule["docs"].as_str().unwrap()),
            "{explained}"
        );
        for heading in ["## What it flags", "## Why it hurts", "## Safe alternative"] {
            assert!(explained.contains(heading), "{id}: {explained}");
        }
    }
}

#[test]
fn explain_of_an_unknown_rule_names_the_close_ones() {
    let output = lockstep(&["explain", "add-index-concurrent"]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message
            .contains("no rule `add-index-concurrent`; did you mean `add-index-non-concurrent`?"),
        "{message}"
    );
    assert!(
        message.contains("the rules are: add-index-non-concurrent,"),
        "{message}"
    );
    let output = lockstep(&["explain", "runsql_opaque"]);
    assert!(stderr(&output).contains("did you mean `runsql-opaque`?"));
}

/// `lockstep.toml` is found from the current directory upward; its `paths` are checked when
/// none are given; `disable` and `[severity]` change the findings and so the exit status.
#[test]
fn config_is_discovered_upward_and_applied() {
    let scratch = Scratch::new("config");
    let (_, sql) = awkward_files(&scratch);
    let sub = scratch.0.join("deep/er");
    std::fs::create_dir_all(&sub).unwrap();
    // No config: both rules fire, exit 1.
    let output = lockstep_in(&sub, &["check", "--format", "json", &sql]);
    assert_eq!(output.status.code(), Some(1));
    scratch.write(
        "lockstep.toml",
        b"paths = [\"db\"]\npg_version = 14\ndisable = [\"runsql-opaque\"]\n\n[severity]\nadd-index-non-concurrent = \"warning\"\n",
    );
    let output = lockstep_in(&sub, &["check", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["settings"]["pg_version"], 14);
    let findings: Vec<(&str, &str)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(findings, [("add-index-non-concurrent", "warning")]);
    assert!(
        Path::new(json["files"][0]["path"].as_str().unwrap())
            .extension()
            .is_some_and(|e| e == "sql")
    );
    // --fail-on warning makes the downgraded finding fail again.
    assert_eq!(
        lockstep_in(&sub, &["check", "--fail-on", "warning"])
            .status
            .code(),
        Some(1)
    );
    // `--config` names another file; `[tool.lockstep]` in a pyproject.toml counts too.
    let other = scratch.write(
        "elsewhere/pyproject.toml",
        b"[project]\nname = \"shop\"\n\n[tool.lockstep]\npaths = [\"../db\"]\ndisable = [\"add-index-non-concurrent\"]\n",
    );
    let output = lockstep_in(&sub, &["check", "--format", "json", "--config", &other]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let rules: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["runsql-opaque"], "{}", stderr(&output));
    // A pyproject.toml nearer than lockstep.toml but without `[tool.lockstep]` is passed over.
    scratch.write("deep/pyproject.toml", b"[tool.ruff]\nline-length = 99\n");
    assert_eq!(lockstep_in(&sub, &["check"]).status.code(), Some(0));
    scratch.write("deep/pyproject.toml", b"[tool.lockstep]\npg_version = 12\n");
    let output = lockstep_in(&sub, &["check"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no paths to check"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn config_errors_name_the_file_line_and_column() {
    let scratch = Scratch::new("config-bad");
    let (_, sql) = awkward_files(&scratch);
    let config = scratch.write(
        "lockstep.toml",
        b"pg_version = 16\n\n[severity]\nadd-index-non-concurrent = \"fatal\"\n",
    );
    let output = lockstep_in(&scratch.0, &["check", &sql]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).starts_with("error: lockstep.toml:4:28: unknown variant `fatal`"),
        "{}",
        stderr(&output)
    );
    std::fs::write(&config, "pg_version = 16\nlock_timeout = 100\n").unwrap();
    let output = lockstep_in(&scratch.0, &["check", &sql]);
    assert!(
        stderr(&output).starts_with("error: lockstep.toml:2:1: unknown field `lock_timeout`"),
        "{}",
        stderr(&output)
    );
    let output = lockstep(&["check", "--config", "no/such.toml", &sql]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("cannot read the config file `no/such.toml`"));
}

/// Every subcommand's `--help` shows an example, including ones added later.
#[test]
fn every_subcommand_help_has_an_example() {
    let help = stdout(&lockstep(&["--help"]));
    let commands: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .collect();
    for expected in ["check", "sql", "rules", "explain", "serve", "stats"] {
        assert!(commands.contains(&expected), "{expected}: {help}");
    }
    for command in commands {
        let output = lockstep(&[command, "--help"]);
        assert_eq!(output.status.code(), Some(0), "{command}");
        let text = stdout(&output);
        assert!(
            text.contains("Example") && text.contains(&format!("lockstep {command} ")),
            "{command}: {text}"
        );
    }
}

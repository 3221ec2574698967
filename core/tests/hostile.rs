//! Malformed, truncated, huge and hostile input: every answer is a finding with a location,
//! never a panic, a hang or a lost file.
//!
//! The property tests mutate the real corpus (the Django oracle's migrations) and generate
//! arbitrary text. `PROPTEST_CASES` raises the number of cases (`bench/run` runs 5,000 per
//! property, many more than the test suite does).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use lockstep_core::span::FileId;
use lockstep_core::{Settings, Severity, SourceFile};
use proptest::prelude::*;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The fixture project's migrations (the contrib ones need the virtualenv; these do not).
fn corpus() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for app in ["shop", "catalog", "ops"] {
        let dir = repo().join(format!("tests/django/project/{app}/migrations"));
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "py"))
            .filter(|p| !p.ends_with("__init__.py"))
            .collect();
        paths.sort();
        for path in paths {
            let name = format!(
                "{app}/migrations/{}",
                path.file_name().unwrap().to_string_lossy()
            );
            files.push((name, std::fs::read_to_string(&path).unwrap()));
        }
    }
    files
}

/// Analyses one file and checks the invariants every analysis keeps: each file is in the
/// output, each finding points inside its file, and a file that did not parse says where.
fn check(path: &str, text: &str) {
    let analysis =
        lockstep_core::analyze(&[SourceFile::from_text(path, text)], &Settings::default());
    assert_eq!(analysis.files.len(), 1);
    for finding in &analysis.findings {
        assert!(finding.line >= 1 && finding.column >= 1, "{finding:?}");
        assert!(
            finding.span.end as usize <= text.len(),
            "finding past the end: {finding:?}"
        );
        assert!(
            text.is_char_boundary(finding.span.start as usize),
            "finding inside a character: {finding:?}"
        );
    }
    let file = &analysis.files[0];
    if Path::new(path).extension().is_some_and(|e| e == "py") && file.sqlmigrate.is_none() {
        assert!(
            analysis
                .findings
                .iter()
                .any(|f| f.severity == Severity::Error),
            "{path}: no SQL and no error finding for:\n{text}"
        );
    }
}

#[test]
fn every_migration_truncated_anywhere_gives_findings_not_panics() {
    let mut checked = 0;
    for (path, text) in corpus() {
        let boundaries: Vec<usize> = (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .collect();
        // About 40 cut points per file, plus every line end.
        let step = (boundaries.len() / 40).max(1);
        for &cut in boundaries.iter().step_by(step) {
            check(&path, &text[..cut]);
            checked += 1;
        }
        for (cut, _) in text.match_indices('\n') {
            check(&path, &text[..cut]);
            checked += 1;
        }
    }
    println!("truncations checked: {checked}");
    assert!(checked > 1000);
}

#[test]
fn ten_thousand_levels_of_nesting_are_an_error_at_a_location() {
    // Python nesting that deep is refused by the parser's guard (at the bracket).
    let python = format!(
        "from django.db import migrations\nclass Migration(migrations.Migration):\n    operations = {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    // SQL is read from tokens without recursion: balanced nesting is read like any statement,
    // an unclosed bracket is reported where it opens.
    let sql =
        |open: usize, close: usize| format!("SELECT {}1{};", "(".repeat(open), ")".repeat(close));
    let runsql = |open: usize, close: usize| {
        format!(
            "from django.db import migrations\nclass Migration(migrations.Migration):\n    operations = [migrations.RunSQL(\"{}\")]\n",
            sql(open, close)
        )
    };
    for (path, text, reported) in [
        ("a/migrations/0001_x.py", python, true),
        ("a/migrations/0001_x.py", runsql(10_000, 10_000), false),
        ("a/migrations/0001_x.py", runsql(10_000, 9_999), true),
        ("a/0001.sql", sql(10_000, 10_000), false),
        ("a/0001.sql", sql(10_000, 9_999), true),
    ] {
        let analysis =
            lockstep_core::analyze(&[SourceFile::from_text(path, &text)], &Settings::default());
        let errors: Vec<_> = analysis
            .findings
            .iter()
            .filter(|f| matches!(f.rule, "unparsable-source" | "runsql-opaque"))
            .collect();
        assert_eq!(!errors.is_empty(), reported, "{path}: {errors:?}");
        check(path, &text);
    }
}

#[test]
fn a_ten_megabyte_migration_is_analysed() {
    let mut text = String::from(
        "from django.db import migrations, models\n\nclass Migration(migrations.Migration):\n    operations = [\n",
    );
    let mut n = 0;
    while text.len() < 10 * 1024 * 1024 {
        let _ = writeln!(
            text,
            "        migrations.AddIndex(model_name=\"order\", index=models.Index(fields=[\"f{n}\"], name=\"idx_{n}\")),"
        );
        n += 1;
    }
    text.push_str("    ]\n");
    let analysis = lockstep_core::analyze(
        &[SourceFile::from_text("shop/migrations/0002_big.py", &text)],
        &Settings::default(),
    );
    assert_eq!(analysis.files[0].operations.len(), n);
}

#[test]
fn hostile_text_is_only_ever_read() {
    for text in [
        // Code that would do harm if it ran: Lockstep never runs it.
        "import os\nos.system('rm -rf /')\nclass Migration:\n    operations = [__import__('os').system('x')]\n",
        // NUL bytes, a BOM, CRLF line ends, tabs, right-to-left marks.
        "\u{feff}from django.db import migrations\r\nclass Migration(migrations.Migration):\r\n\toperations = [migrations.RunSQL(\"SELECT '\u{0}\u{202e}'\")]\r\n",
        // Names far beyond PostgreSQL's 63 bytes, in several scripts.
        &format!(
            "from django.db import migrations, models\nclass Migration(migrations.Migration):\n    operations = [migrations.CreateModel(name=\"{}\", fields=[(\"{}\", models.IntegerField(db_index=True))])]\n",
            "Ж".repeat(100),
            "名".repeat(100)
        ),
    ] {
        check("a/migrations/0001_x.py", text);
    }
}

#[test]
fn files_given_in_any_order_give_the_same_findings() {
    let files: Vec<SourceFile> = corpus()
        .into_iter()
        .map(|(path, text)| SourceFile::from_text(path, text))
        .collect();
    let forwards = lockstep_core::analyze(&files, &Settings::default());
    let mut reversed: Vec<SourceFile> = files.clone();
    reversed.reverse();
    let backwards = lockstep_core::analyze(&reversed, &Settings::default());
    let fingerprints = |a: &lockstep_core::Analysis| {
        let mut f: Vec<String> = a.findings.iter().map(|f| f.fingerprint.clone()).collect();
        f.sort();
        f
    };
    assert_eq!(fingerprints(&forwards), fingerprints(&backwards));
    let sql = |a: &lockstep_core::Analysis| {
        let mut s: Vec<(String, Option<String>)> = a
            .files
            .iter()
            .map(|f| (f.path.clone(), f.sqlmigrate.clone()))
            .collect();
        s.sort();
        s
    };
    assert_eq!(sql(&forwards), sql(&backwards));
}

/// A byte-level mutation of `text`: delete, duplicate or replace a range, then keep what is
/// still UTF-8 (the source stage has its own tests for bytes that are not).
fn mutate(text: &str, at: usize, len: usize, with: &str, how: u8) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let at = at % (bytes.len() + 1);
    let end = (at + len).min(bytes.len());
    match how % 3 {
        0 => {
            bytes.drain(at..end);
        }
        1 => {
            let copy = bytes[at..end].to_vec();
            bytes.splice(at..at, copy);
        }
        _ => {
            bytes.splice(at..end, with.bytes());
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256)
    ))]

    #[test]
    fn mutated_migrations_never_panic(
        file in 0usize..1000,
        at in 0usize..100_000,
        len in 0usize..64,
        with in "[\\[\\](){}'\",:=.#\\\\ a-zA-Z0-9_\n]{0,12}",
        how in 0u8..3,
    ) {
        let corpus = corpus();
        let (path, text) = &corpus[file % corpus.len()];
        check(path, &mutate(text, at, len, &with, how));
    }

    #[test]
    fn arbitrary_text_never_panics_any_parser(text in "\\PC{0,400}") {
        check("a/migrations/0001_x.py", &text);
        check("a/0001.sql", &text);
        let _ = lockstep_core::parse::sql::parse(FileId(0), &text, 0);
    }

    #[test]
    fn python_shaped_noise_never_panics(
        text in "(from django\\.db import migrations, models\n)?(class Migration\\(migrations\\.Migration\\):\n)?(    [a-z_]+ = [\\[\\](){}'\",:=.a-zA-Z0-9_ ]{0,80}\n){0,6}"
    ) {
        check("a/migrations/0001_x.py", &text);
    }
}

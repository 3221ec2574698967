//! `sqlmigrate` parity: Lockstep's SQL for each migration against what real Django printed.
//!
//! The oracle (`tests/django/oracle`) was recorded by `tests/django/record.py` on a database
//! walked through the migration plan (the fixture project plus `django.contrib`). A migration
//! whose every operation Lockstep claims to reproduce must match it byte for byte; the rest are
//! counted, so the report shows how far reproduction has come.

use std::path::{Path, PathBuf};

use lockstep_core::analysis::{Analysis, Backwards, FileAnalysis, SqlStatus};
use lockstep_core::{Settings, SourceFile};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The oracle's manifest and the analysis of the whole corpus, supplied in reverse plan order
/// plus the migrations the squash replaces: the migration graph must find Django's own plan.
fn analyze_corpus() -> (serde_json::Value, Analysis) {
    analyze_oracle(FIXTURE)
}

/// The fixture project's oracle (our own models, plus `django.contrib`).
const FIXTURE: &str = "tests/django/oracle";
/// The "wild" oracle: third-party apps' real migrations from `PyPI` (`tests/django/wild`).
const WILD: &str = "tests/django/wild/oracle";

/// What a project using the corpus' apps would declare (lockstep.toml): the fixture needs
/// nothing; the wild apps have custom fields and swappable settings of their own, declared
/// here from their source (`oauth2_provider/models.py`, `oauth2_provider/settings.py`,
/// `timezone_field/fields.py`).
fn settings_for(dir: &str) -> Settings {
    let mut settings = Settings::default();
    if dir == WILD {
        let pairs = |items: &[(&str, &str)]| -> std::collections::BTreeMap<String, String> {
            items
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        settings.custom_fields = pairs(&[
            ("oauth2_provider.models.ResourceJSONField", "JSONField()"),
            ("oauth2_provider.models.ClientSecretField", "CharField()"),
            ("oauth2_provider.models.TokenChecksumField", "CharField()"),
            // `TimeZoneField.__init__` sets `max_length=63` and `deconstruct` drops it.
            (
                "timezone_field.fields.TimeZoneField",
                "CharField(max_length=63)",
            ),
        ]);
        settings.model_settings = pairs(&[
            (
                "oauth2_settings.APPLICATION_MODEL",
                "oauth2_provider.Application",
            ),
            (
                "oauth2_settings.ACCESS_TOKEN_MODEL",
                "oauth2_provider.AccessToken",
            ),
            (
                "oauth2_settings.REFRESH_TOKEN_MODEL",
                "oauth2_provider.RefreshToken",
            ),
            ("oauth2_settings.ID_TOKEN_MODEL", "oauth2_provider.IDToken"),
            ("oauth2_settings.GRANT_MODEL", "oauth2_provider.Grant"),
            (
                "oauth2_settings.DEVICE_GRANT_MODEL",
                "oauth2_provider.DeviceGrant",
            ),
        ]);
    }
    settings
}

/// [`analyze_corpus`] for the oracle in `dir`.
fn analyze_oracle(dir: &str) -> (serde_json::Value, Analysis) {
    let oracle = repo().join(dir);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(oracle.join("manifest.json")).unwrap())
            .unwrap();
    let mut paths: Vec<PathBuf> = manifest["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|migration| repo().join(migration["path"].as_str().unwrap()))
        .collect();
    for key in manifest["replaced_not_in_plan"].as_array().unwrap() {
        let (app, name) = key.as_str().unwrap().split_once('.').unwrap();
        paths.push(repo().join(format!("tests/django/project/{app}/migrations/{name}.py")));
    }
    let sources: Vec<SourceFile> = paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
                panic!(
                    "{}: {e} (the contrib migrations come from .venv: run scripts/setup)",
                    path.display()
                )
            });
            SourceFile::from_text(path.display().to_string(), text)
        })
        .collect();
    let analysis = lockstep_core::analyze(&sources, &settings_for(dir));
    (manifest, analysis)
}

fn key(app: &str, name: &str) -> String {
    format!("{app}.{name}")
}

/// The analysed files Django's plan runs (not those the squash replaces), in analysis order.
fn planned<'a>(manifest: &serde_json::Value, analysis: &'a Analysis) -> Vec<&'a FileAnalysis> {
    let replaced = manifest["replaced_not_in_plan"].as_array().unwrap();
    analysis
        .files
        .iter()
        .filter(|f| {
            !replaced
                .iter()
                .any(|r| r.as_str() == Some(&key(&f.app_label, &f.name)))
        })
        .collect()
}

#[test]
fn the_migration_graph_finds_djangos_plan() {
    let (manifest, analysis) = analyze_corpus();
    let expected: Vec<String> = manifest["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| key(m["app"].as_str().unwrap(), m["name"].as_str().unwrap()))
        .collect();
    let actual: Vec<String> = planned(&manifest, &analysis)
        .iter()
        .map(|f| key(&f.app_label, &f.name))
        .collect();
    assert_eq!(actual, expected, "the plan differs from Django's");
    let replaced = manifest["replaced_not_in_plan"].as_array().unwrap().len();
    assert_eq!(analysis.files.len(), expected.len() + replaced);
}

#[test]
fn reproduced_sql_matches_sqlmigrate_exactly() {
    let migrations = forwards_parity(FIXTURE);
    assert!(migrations >= 60, "the oracle lost migrations");
}

#[test]
fn third_party_migrations_match_sqlmigrate_exactly() {
    let migrations = forwards_parity(WILD);
    assert!(migrations >= 100, "the wild oracle lost migrations");
}

/// Compares every reproduced operation (and every fully reproduced migration) of the oracle
/// in `dir` with what `sqlmigrate` printed; prints the parity line, fails on any difference,
/// and returns how many migrations the oracle holds.
#[allow(
    clippy::print_stdout,
    reason = "the parity figure is this test's report"
)]
fn forwards_parity(dir: &str) -> usize {
    let oracle = repo().join(dir);
    let (manifest, analysis) = analyze_oracle(dir);
    let sources = analysis_sources(dir);
    let migrations = manifest["migrations"].as_array().unwrap();
    let planned = planned(&manifest, &analysis);
    let (mut claimed, mut matched, mut operations, mut reproduced_operations) = (0, 0, 0, 0);
    let (mut statements, mut matched_statements) = (0, 0);
    let mut mismatches = Vec::new();
    for (migration, file) in migrations.iter().zip(planned) {
        let expected =
            std::fs::read_to_string(oracle.join(migration["sql"].as_str().unwrap())).unwrap();
        let blocks = operation_blocks(&expected);
        operations += file.operations.len();
        statements += blocks.iter().map(Vec::len).sum::<usize>();
        for (operation, block) in file.operations.iter().zip(&blocks) {
            if operation.sql == SqlStatus::NotReproduced {
                continue;
            }
            reproduced_operations += 1;
            // The operation's own lines come first in its block; deferred SQL (and COMMIT)
            // follows the last operation's.
            let actual = printed_lines(file, operation.index);
            if block.starts_with(&actual) {
                matched_statements += actual.len();
            } else {
                mismatches.push(format!(
                    "{}.{} operation {} ({}):\n--- sqlmigrate\n{}\n+++ lockstep\n{}",
                    migration["app"].as_str().unwrap(),
                    migration["name"].as_str().unwrap(),
                    operation.index,
                    operation.description,
                    block.join("\n"),
                    actual.join("\n")
                ));
            }
        }
        if file
            .operations
            .iter()
            .any(|o| o.sql == SqlStatus::NotReproduced)
        {
            continue;
        }
        claimed += 1;
        // `sqlmigrate` shows a migration on the state of its own ancestors only.
        let actual = sqlmigrate_alone(dir, &sources, &file.app_label, &file.name);
        if actual == expected {
            matched += 1;
        } else {
            mismatches.push(format!(
                "{}.{}:\n--- sqlmigrate\n{expected}\n+++ lockstep\n{actual}",
                migration["app"].as_str().unwrap(),
                migration["name"].as_str().unwrap()
            ));
        }
    }
    println!(
        "sqlmigrate parity ({dir}): {} migrations; {claimed} fully reproduced, {matched} of them \
         identical; operations reproduced {reproduced_operations}/{operations}; \
         SQL lines identical {matched_statements}/{statements}",
        migrations.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n\n")
    );
    migrations.len()
}

/// The lines `sqlmigrate` printed under each operation's `-- description` header, without
/// `BEGIN;`/`COMMIT;` and without the `-- (no-op)` marker.
fn operation_blocks(printed: &str) -> Vec<Vec<String>> {
    let lines: Vec<&str> = printed.lines().collect();
    let mut blocks: Vec<Vec<String>> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i] == "--" && lines.get(i + 2) == Some(&"--") {
            blocks.push(Vec::new());
            i += 3;
            continue;
        }
        let line = lines[i];
        if let Some(block) = blocks.last_mut()
            && line != "COMMIT;"
            && line != "-- (no-op)"
            && line != "-- THIS OPERATION CANNOT BE WRITTEN AS SQL"
        {
            block.push(line.to_owned());
        }
        i += 1;
    }
    blocks
}

/// What Lockstep prints for operation `index` of `file`: its immediate lines.
fn printed_lines(file: &FileAnalysis, index: usize) -> Vec<String> {
    let printed = file.sqlmigrate.as_deref().unwrap_or("");
    operation_blocks(printed)
        .into_iter()
        .nth(index)
        .unwrap_or_default()
        .into_iter()
        .filter(|l| !l.starts_with("-- (Lockstep"))
        .collect()
}

/// Without the `django.contrib` migrations among the files, the project's migrations still
/// get the same SQL: references to `auth.User` and friends resolve through the bundled state.
#[test]
fn contrib_models_come_from_the_bundled_state() {
    let (manifest, full) = analyze_corpus();
    let project: Vec<SourceFile> = manifest["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["path"].as_str().unwrap().starts_with("tests/"))
        .map(|m| {
            let path = repo().join(m["path"].as_str().unwrap());
            SourceFile::from_text(
                path.display().to_string(),
                std::fs::read_to_string(&path).unwrap(),
            )
        })
        .collect();
    let alone = lockstep_core::analyze(&project, &Settings::default());
    let mut compared = 0;
    for file in &alone.files {
        let with_contrib = full
            .files
            .iter()
            .find(|f| f.app_label == file.app_label && f.name == file.name)
            .unwrap();
        assert_eq!(
            file.sqlmigrate, with_contrib.sqlmigrate,
            "{}.{}",
            file.app_label, file.name
        );
        compared += 1;
    }
    assert_eq!(compared, project.len());
    // Nothing about a contrib model was assumed.
    let assumed: Vec<&str> = alone
        .findings
        .iter()
        .filter(|f| f.message.contains("auth.") || f.message.contains("contenttypes."))
        .map(|f| f.message.as_str())
        .collect();
    assert!(assumed.is_empty(), "{assumed:?}");
}

/// `sqlmigrate --backwards` on a database where the migration is applied (what a rollback
/// runs): every reproduced operation's lines match, and so does each fully reproduced
/// migration; the irreversible one is refused as Django refuses it.
#[test]
fn backwards_sql_matches_sqlmigrate_backwards_exactly() {
    backwards_parity(FIXTURE);
}

#[test]
fn third_party_backwards_sql_matches_sqlmigrate_backwards_exactly() {
    backwards_parity(WILD);
}

/// [`forwards_parity`] for `sqlmigrate --backwards` recorded on a database where the
/// migration is applied.
#[allow(
    clippy::print_stdout,
    reason = "the parity figure is this test's report"
)]
fn backwards_parity(dir: &str) {
    let oracle = repo().join(dir);
    let (manifest, analysis) = analyze_oracle(dir);
    let sources = analysis_sources(dir);
    let migrations = manifest["migrations"].as_array().unwrap();
    let planned = planned(&manifest, &analysis);
    let (mut operations, mut reproduced, mut identical_migrations) = (0, 0, 0);
    let mut mismatches = Vec::new();
    for (migration, file) in migrations.iter().zip(planned) {
        let key = key(&file.app_label, &file.name);
        match (
            &file.backwards,
            migration["backwards_after_apply_sql"].as_str(),
        ) {
            (Some(Backwards::Irreversible { .. }), None) => {}
            (Some(Backwards::Sql { .. }), Some(path)) => {
                // `sqlmigrate --backwards` shows the migration on its ancestors' state.
                let alone = lockstep_core::analysis::analyze_migration(
                    &sources,
                    &settings_for(dir),
                    &file.app_label,
                    &file.name,
                );
                let Some(Backwards::Sql { sqlmigrate }) = alone.and_then(|f| f.backwards) else {
                    mismatches.push(format!("{key}: no backwards SQL on its own"));
                    continue;
                };
                let sqlmigrate = &sqlmigrate;
                let expected = std::fs::read_to_string(oracle.join(path)).unwrap();
                if !sqlmigrate.contains("-- (Lockstep") {
                    if *sqlmigrate == expected {
                        identical_migrations += 1;
                    } else {
                        mismatches.push(format!(
                            "{key} (whole):\n--- sqlmigrate\n{expected}\n+++ lockstep\n{sqlmigrate}"
                        ));
                    }
                }
                let ours = operation_blocks(sqlmigrate);
                let theirs = operation_blocks(&expected);
                operations += theirs.len();
                for (i, (mine, block)) in ours.iter().zip(&theirs).enumerate() {
                    if mine
                        .iter()
                        .any(|l| l.starts_with("-- (Lockstep does not reproduce"))
                    {
                        continue;
                    }
                    reproduced += 1;
                    let mine: Vec<String> = mine
                        .iter()
                        .filter(|l| !l.starts_with("-- (Lockstep"))
                        .cloned()
                        .collect();
                    if !block.starts_with(&mine) {
                        mismatches.push(format!(
                            "{key} backwards block {i}:\n--- sqlmigrate\n{}\n+++ lockstep\n{}",
                            block.join("\n"),
                            mine.join("\n")
                        ));
                    }
                }
            }
            (ours, theirs) => mismatches.push(format!("{key}: {ours:?} but Django: {theirs:?}")),
        }
    }
    println!(
        "sqlmigrate --backwards parity ({dir}): {identical_migrations} migrations identical; \
         operations reproduced {reproduced}/{operations}"
    );
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n\n")
    );
}

/// The corpus' source files, as [`analyze_oracle`] reads them.
fn analysis_sources(dir: &str) -> Vec<SourceFile> {
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join(dir).join("manifest.json")).unwrap(),
    )
    .unwrap();
    manifest["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let path = repo().join(m["path"].as_str().unwrap());
            SourceFile::from_text(
                path.display().to_string(),
                std::fs::read_to_string(&path).unwrap(),
            )
        })
        .collect()
}

/// What `lockstep sql` prints for `app.name`: the migration on its ancestors' state.
fn sqlmigrate_alone(dir: &str, sources: &[SourceFile], app: &str, name: &str) -> String {
    lockstep_core::analysis::analyze_migration(sources, &settings_for(dir), app, name)
        .and_then(|f| f.sqlmigrate)
        .unwrap_or_default()
}

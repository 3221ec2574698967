//! `sqlmigrate` parity: Lockstep's SQL for each migration against what real Django printed.
//!
//! The oracle (`tests/django/oracle`) was recorded by `tests/django/record.py` on a database
//! walked through the migration plan (the fixture project plus `django.contrib`). A migration
//! whose every operation Lockstep claims to reproduce must match it byte for byte; the rest are
//! counted, so the report shows how far reproduction has come.

use std::path::{Path, PathBuf};

use lockstep_core::analysis::SqlStatus;
use lockstep_core::{Settings, SourceFile};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn reproduced_sql_matches_sqlmigrate_exactly() {
    let oracle = repo().join("tests/django/oracle");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(oracle.join("manifest.json")).unwrap())
            .unwrap();
    let migrations = manifest["migrations"].as_array().unwrap();
    // All files at once, in plan order, so the project state carries from one to the next.
    let sources: Vec<SourceFile> = migrations
        .iter()
        .map(|migration| {
            let path = repo().join(migration["path"].as_str().unwrap());
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
                panic!(
                    "{}: {e} (the contrib migrations come from .venv: run scripts/setup)",
                    path.display()
                )
            });
            SourceFile::from_text(path.display().to_string(), text)
        })
        .collect();
    let analysis = lockstep_core::analyze(&sources, &Settings::default());
    let (mut claimed, mut matched, mut operations, mut reproduced_operations) = (0, 0, 0, 0);
    let mut mismatches = Vec::new();
    for (migration, file) in migrations.iter().zip(&analysis.files) {
        operations += file.operations.len();
        reproduced_operations += file
            .operations
            .iter()
            .filter(|o| o.sql != SqlStatus::NotReproduced)
            .count();
        if file
            .operations
            .iter()
            .any(|o| o.sql == SqlStatus::NotReproduced)
        {
            continue;
        }
        claimed += 1;
        let expected =
            std::fs::read_to_string(oracle.join(migration["sql"].as_str().unwrap())).unwrap();
        let actual = file.sqlmigrate.clone().unwrap_or_default();
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
        "sqlmigrate parity: {} migrations; {claimed} fully reproduced, {matched} of them identical; \
         operations reproduced {reproduced_operations}/{operations}",
        migrations.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n\n")
    );
    assert!(migrations.len() >= 60, "the oracle lost migrations");
}

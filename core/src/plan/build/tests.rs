use super::*;
use crate::source::SourceFile;

fn plan_of(files: &[(&str, &str)]) -> Plan {
    let sources: Vec<SourceFile> = files
        .iter()
        .map(|(p, t)| SourceFile::from_text(*p, *t))
        .collect();
    let analysis = crate::analyze(&sources, &Settings::default());
    build(&analysis, &sources, &Choices::new())
}

#[test]
fn scratch() {
    let plan = plan_of(crate::examples::REVIEW);
    println!("{}", serde_json::to_string_pretty(&plan).unwrap());
}

/// The fixture project's migrations (with `django.contrib`'s from `.venv`), in reverse plan
/// order plus the migrations its squash replaces, as the oracle test reads them.
pub(crate) fn fixture_sources() -> Vec<SourceFile> {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo.join("tests/django/oracle/manifest.json")).unwrap(),
    )
    .unwrap();
    let mut paths: Vec<std::path::PathBuf> = manifest["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|m| repo.join(m["path"].as_str().unwrap()))
        .collect();
    for key in manifest["replaced_not_in_plan"].as_array().unwrap() {
        let (app, name) = key.as_str().unwrap().split_once('.').unwrap();
        paths.push(repo.join(format!("tests/django/project/{app}/migrations/{name}.py")));
    }
    paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).unwrap();
            let relative = path.strip_prefix(&repo).unwrap_or(path);
            SourceFile::from_text(relative.display().to_string(), text)
        })
        .collect()
}

#[test]
fn scratch_fixture() {
    let sources = fixture_sources();
    let settings = Settings {
        pg_version: 15,
        ..Settings::default()
    };
    let analysis = crate::analyze(&sources, &settings);
    let plan = build(&analysis, &sources, &Choices::new());
    for (phase, step) in plan.steps() {
        println!(
            "{} {} {:?} {:?} {}",
            phase.as_str(),
            step.id,
            step.kind,
            step.transaction,
            step.sql.join(" | ")
        );
        if let Some(b) = &step.backfill {
            println!("   backfill {b:?}");
        }
    }
}

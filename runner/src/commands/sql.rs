//! `lockstep sql`: one migration's SQL, as `manage.py sqlmigrate` prints it.

use std::io::Write as _;

use anyhow::{anyhow, bail};
use lockstep_core::analysis::{Backwards, FileAnalysis, SqlStatus};
use lockstep_core::source::SourceKind;
use lockstep_core::{Analysis, Severity};

use crate::cli::{Format, SqlArgs};
use crate::{config, exit, files};

/// The migration `--migration APP.NAME` names, or the only one given.
fn chosen<'a>(analysis: &'a Analysis, wanted: Option<&str>) -> anyhow::Result<&'a FileAnalysis> {
    let django: Vec<&FileAnalysis> = analysis
        .files
        .iter()
        .filter(|f| f.kind == Some(SourceKind::Django))
        .collect();
    Ok(match wanted {
        Some(wanted) => {
            let (app, name) = wanted
                .split_once('.')
                .ok_or_else(|| anyhow!("`--migration {wanted}`: expected APP.NAME"))?;
            django
                .iter()
                .find(|f| f.app_label == app && f.name == name)
                .ok_or_else(|| {
                    anyhow!(
                        "no migration `{wanted}` among the {} Django migration(s) given",
                        django.len()
                    )
                })?
        }
        None => match django.as_slice() {
            [only] => only,
            [] => bail!("no Django migration among the files given"),
            _ => bail!(
                "{} Django migrations given: name one with `--migration APP.NAME`",
                django.len()
            ),
        },
    })
}

pub(crate) fn run(args: &SqlArgs) -> anyhow::Result<u8> {
    // A project's custom user model, custom fields and Django version change its SQL.
    let settings = config::load(&args.config)?.settings;
    let sources = files::read(&args.paths)?;
    // All files are analysed together: the migrations before this one build its state.
    let analysis = lockstep_core::analyze(&sources, &settings);
    let chosen = chosen(&analysis, args.migration.as_deref())?;
    // `sqlmigrate` shows the migration on the state of its own ancestors; the whole analysis
    // (findings, reasons) is the plan's.
    let alone = lockstep_core::analysis::analyze_migration(
        &sources,
        &settings,
        &chosen.app_label,
        &chosen.name,
    );
    let file = alone.as_ref().unwrap_or(chosen);
    let Some(sqlmigrate) = &file.sqlmigrate else {
        // The file did not parse: say where, as `check` would.
        let problem = analysis
            .findings
            .iter()
            .find(|f| f.path == file.path && f.severity == Severity::Error)
            .map_or_else(
                || "it cannot be read".to_owned(),
                |f| format!("{}:{}:{}: {}", f.path, f.line, f.column, f.message),
            );
        bail!("no SQL for `{}.{}`: {problem}", file.app_label, file.name);
    };
    let sqlmigrate = if args.backwards {
        match &file.backwards {
            Some(Backwards::Sql { sqlmigrate }) => sqlmigrate,
            Some(Backwards::Irreversible { message, .. }) => {
                bail!(
                    "`{}.{}` cannot be rolled back: {message}",
                    file.app_label,
                    file.name
                )
            }
            None => bail!("no SQL for `{}.{}`", file.app_label, file.name),
        }
    } else {
        sqlmigrate
    };
    let output = match args.format {
        Format::Text => sqlmigrate.clone(),
        Format::Json => serde_json::to_string_pretty(file)? + "\n",
    };
    if args.backwards {
        std::io::stdout().lock().write_all(output.as_bytes())?;
        // The way back repeats the way forward's reasons; name the operations only.
        let missing = sqlmigrate
            .lines()
            .filter(|l| l.starts_with("-- (Lockstep does not reproduce"))
            .count();
        if missing == 0 {
            return Ok(exit::OK);
        }
        writeln!(
            std::io::stderr().lock(),
            "{}: {missing} operation(s) of the way back are not reproduced (marked in the output; `lockstep check` says why)",
            file.path
        )?;
        return Ok(exit::FINDINGS);
    }
    std::io::stdout().lock().write_all(output.as_bytes())?;
    let missing: Vec<String> = file
        .operations
        .iter()
        .filter(|op| op.sql == SqlStatus::NotReproduced)
        .map(|op| {
            // The diagnostic at the operation says why.
            let why = analysis
                .findings
                .iter()
                .filter(|f| f.path == file.path && f.operation_index == Some(op.index))
                .map(|f| f.message.as_str())
                .find(|m| m.contains("reproduce"))
                .unwrap_or("not reproduced yet");
            format!(
                "{}:{}:{}: {}: {why}",
                file.path, op.line, op.column, op.description
            )
        })
        .collect();
    if missing.is_empty() {
        return Ok(exit::OK);
    }
    let mut stderr = std::io::stderr().lock();
    for line in &missing {
        writeln!(stderr, "{line}")?;
    }
    Ok(exit::FINDINGS)
}

//! `lockstep check`: analyse files, print findings, exit by severity.
//!
//! Each output format is a module: [`text`] for people, [`sarif`] for code-scanning services,
//! [`github`] for GitHub Actions annotations; `json` is the analysis itself.

mod github;
mod sarif;
mod text;

use std::io::{IsTerminal as _, Write as _};

use anyhow::bail;
use lockstep_core::span::{LineColumn, LineIndex};
use lockstep_core::{Finding, SourceFile};

use crate::cli::{CheckArgs, CheckFormat, Color};
use crate::{config, exit, files};

pub(crate) fn run(args: &CheckArgs) -> anyhow::Result<u8> {
    let config = config::load(&args.config)?;
    let paths = if args.paths.is_empty() {
        if config.paths.is_empty() {
            bail!(
                "no paths to check: name files or directories, or list them as `paths` in \
                 lockstep.toml"
            );
        }
        &config.paths
    } else {
        &args.paths
    };
    let sources = files::read(paths)?;
    let analysis = lockstep_core::analyze(&sources, &config.settings);
    let output = match args.format {
        CheckFormat::Text => text::render(&analysis, &sources, colour(args.color)),
        CheckFormat::Json => serde_json::to_string_pretty(&analysis)? + "\n",
        CheckFormat::Sarif => sarif::render(&analysis, &Regions::new(&sources))?,
        CheckFormat::Github => github::render(&analysis, &Regions::new(&sources)),
    };
    std::io::stdout().lock().write_all(output.as_bytes())?;
    let failing = args.fail_on.threshold().is_some_and(|threshold| {
        // An acknowledged finding (`lockstep: ack RULE -- reason`) is shown, not failed on.
        analysis
            .findings
            .iter()
            .any(|f| f.severity >= threshold && f.acknowledged.is_none())
    });
    Ok(if failing { exit::FINDINGS } else { exit::OK })
}

/// Whether to colour: `always`/`never` as said; `auto` on a terminal unless `NO_COLOR` is set
/// to anything non-empty (<https://no-color.org>: a flag beats the variable).
fn colour(choice: Color) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

/// Where a finding starts and ends, in 1-based lines and character columns; the end column
/// is exclusive (the column just after the span), as SARIF and GitHub read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Region {
    start: LineColumn,
    end: LineColumn,
}

/// Line indexes of the files, to find where spans end (findings carry only their start).
struct Regions<'s> {
    sources: &'s [SourceFile],
    indexes: Vec<LineIndex>,
}

impl<'s> Regions<'s> {
    fn new(sources: &'s [SourceFile]) -> Self {
        Self {
            sources,
            indexes: sources.iter().map(|s| LineIndex::new(&s.text)).collect(),
        }
    }

    fn of(&self, finding: &Finding) -> Region {
        let start = LineColumn {
            line: finding.line,
            column: finding.column,
        };
        let file = finding.span.file.0 as usize;
        let end = match (self.sources.get(file), self.indexes.get(file)) {
            (Some(source), Some(index)) if finding.span.end > finding.span.start => {
                index.line_column(&source.text, finding.span.end)
            }
            _ => start,
        };
        Region { start, end }
    }
}

//! `lockstep plan`: the approvable plan, as canonical JSON, and its digest.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use lockstep_core::plan::{Choices, Plan};
use lockstep_core::{Analysis, SourceFile};

use crate::cli::{ConfigArgs, PlanArgs};
use crate::{config, exit, files};

/// The files and settings a plan or report is about, read as `check` reads them.
pub(crate) fn analyse(
    paths: &[PathBuf],
    config_args: &ConfigArgs,
) -> anyhow::Result<(Vec<SourceFile>, Analysis)> {
    let config = config::load(config_args)?;
    let paths = if paths.is_empty() {
        if config.paths.is_empty() {
            bail!("no paths: name files or directories, or list them as `paths` in lockstep.toml");
        }
        &config.paths
    } else {
        paths
    };
    let sources = files::read(paths)?;
    let analysis = lockstep_core::analyze(&sources, &config.settings);
    // A plan must hold every migration: one that cannot be read or ordered would be left out.
    if let Some(finding) = analysis
        .findings
        .iter()
        .find(|f| matches!(f.rule, "unparsable-source" | "migration-graph"))
    {
        bail!(
            "{}:{}:{}: {} (fix it first: a plan leaves nothing out)",
            finding.path,
            finding.line,
            finding.column,
            finding.message
        );
    }
    Ok((sources, analysis))
}

/// Reads a choices file: `{"fingerprint": "safe" | "keep"}`.
pub(crate) fn read_choices(path: &Path) -> anyhow::Result<Choices> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the choices file `{}`", path.display()))?;
    serde_json::from_str(&text).map_err(|error| {
        anyhow::anyhow!(
            "{}:{}:{}: {error} (expected a JSON object from finding fingerprint to \"safe\" or \"keep\")",
            path.display(),
            error.line(),
            error.column()
        )
    })
}

pub(crate) fn run(args: &PlanArgs) -> anyhow::Result<u8> {
    let (sources, analysis) = analyse(&args.paths, &args.config)?;
    let choices = match &args.choices {
        Some(path) => read_choices(path)?,
        None => Choices::new(),
    };
    let plan: Plan = lockstep_core::plan::build(&analysis, &sources, &choices);
    std::fs::write(&args.output, plan.canonical_json())
        .with_context(|| format!("cannot write the plan to `{}`", args.output.display()))?;
    let steps = plan.steps().count();
    writeln!(std::io::stdout().lock(), "{}", plan.digest())?;
    #[allow(
        clippy::print_stderr,
        reason = "a summary for people; stdout is the digest"
    )]
    {
        eprintln!(
            "wrote {} ({steps} steps in {} phase(s))",
            args.output.display(),
            plan.phases.len()
        );
    }
    Ok(exit::OK)
}

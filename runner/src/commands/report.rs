//! `lockstep report`: the Migration Report, as Markdown or JSON.

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context as _, bail};
use lockstep_core::plan::{Choices, Plan};
use lockstep_core::report::{self, Acknowledgements, Verification};
use serde::de::DeserializeOwned;

use crate::cli::{ReportArgs, ReportFormat};
use crate::exit;

fn read_json<T: DeserializeOwned>(path: &Path, what: &str) -> anyhow::Result<T> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the {what} `{}`", path.display()))?;
    serde_json::from_str(&text).map_err(|error| {
        anyhow::anyhow!(
            "{}:{}:{}: {error} (the {what})",
            path.display(),
            error.line(),
            error.column()
        )
    })
}

pub(crate) fn run(args: &ReportArgs) -> anyhow::Result<u8> {
    let (sources, analysis) = super::plan::analyse(&args.paths, &args.config)?;
    let built = lockstep_core::plan::build(&analysis, &sources, &Choices::new());
    let plan = match &args.plan {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the plan `{}`", path.display()))?;
            let plan = Plan::from_json(&text)
                .with_context(|| format!("while reading `{}`", path.display()))?;
            // The report describes these files: a plan of other files would describe
            // something else.
            if plan.sources != built.sources {
                bail!(
                    "the plan `{}` was built from other files (or other versions of them) than \
                     the ones given; build it again with `lockstep plan`",
                    path.display()
                );
            }
            plan
        }
        None => built,
    };
    let acknowledgements: Acknowledgements = match &args.acknowledgements {
        Some(path) => read_json(path, "acknowledgements file")?,
        None => Acknowledgements::new(),
    };
    let verification: Option<Verification> = match (&args.verification, &args.database_url) {
        (Some(path), _) => Some(read_json(path, "verification file")?),
        (None, Some(url)) => Some(verify_now(url, &plan)?),
        (None, None) => None,
    };
    let report = report::build(
        &analysis,
        &plan,
        &sources,
        &acknowledgements,
        verification.as_ref(),
    );
    let output = match args.format {
        ReportFormat::Markdown => report.to_markdown(),
        ReportFormat::Json => serde_json::to_string_pretty(&report)? + "\n",
    };
    std::io::stdout().lock().write_all(output.as_bytes())?;
    Ok(exit::OK)
}

/// The plan's checks against the live database (read-only), as the report shows them.
fn verify_now(url: &str, plan: &Plan) -> anyhow::Result<Verification> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut conn = crate::db::connect(url).await?;
        let verification = crate::apply::verify::verify_plan(&mut conn, plan).await?;
        anyhow::Ok(crate::apply::verify::to_report(&verification))
    })
}

//! `lockstep apply` and `lockstep rollback`: read the plan, check the approval, run.

use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use lockstep_core::plan::Plan;

use crate::apply::{self, ApplyError, Options, Summary};
use crate::cli::{ApplyArgs, RunArgs};

/// Plans larger than this are refused before parsing (a plan is a few KiB per migration).
const MAX_PLAN_BYTES: u64 = 32 * 1024 * 1024;

/// Reads and parses a plan file, refusing huge, unreadable and malformed ones with the path.
pub(crate) fn read_plan(path: &Path) -> anyhow::Result<Plan> {
    let size = std::fs::metadata(path)
        .with_context(|| format!("cannot read the plan `{}`", path.display()))?
        .len();
    if size > MAX_PLAN_BYTES {
        anyhow::bail!(
            "the plan `{}` is {size} bytes, more than the {MAX_PLAN_BYTES} a plan may have",
            path.display()
        );
    }
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read the plan `{}`", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "the plan `{}` is not UTF-8 (byte {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    Plan::from_json(&text).with_context(|| format!("cannot use the plan `{}`", path.display()))
}

/// What `apply`/`rollback` run with.
pub(crate) fn options(args: &RunArgs) -> Options {
    Options {
        database_url: args.database_url.clone(),
        django_command: args
            .django_command
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        django_dir: args.django_dir.clone(),
        batch_target: Duration::from_millis(args.batch_target_ms.max(1)),
        lock_wait: Duration::from_millis(args.lock_wait_ms),
        reconnects: args.reconnects,
    }
}

pub(crate) fn run(args: &ApplyArgs) -> anyhow::Result<u8> {
    execute(args, false)
}

pub(crate) fn run_rollback(args: &ApplyArgs) -> anyhow::Result<u8> {
    execute(args, true)
}

fn execute(args: &ApplyArgs, rollback: bool) -> anyhow::Result<u8> {
    let plan = read_plan(&args.plan)?;
    if let Err(error) = apply::approve(&plan, &args.approve) {
        return Ok(report_error(&error));
    }
    let options = options(&args.run);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut console = apply::progress::Console::new();
    let result = runtime.block_on(async {
        if rollback {
            apply::rollback::rollback(&plan, &options, &mut console).await
        } else {
            apply::apply(&plan, &options, &mut console).await
        }
    });
    match result {
        Ok(summary) => {
            say(&done_line(&summary, rollback));
            Ok(crate::exit::OK)
        }
        Err(error) => Ok(report_error(&error)),
    }
}

fn done_line(summary: &Summary, rollback: bool) -> String {
    if rollback {
        format!("rolled back: {} step(s) reversed", summary.ran)
    } else {
        format!(
            "applied: {} step(s) run, {} already done, {} skipped (Django had applied them)",
            summary.ran, summary.already_done, summary.skipped
        )
    }
}

fn report_error(error: &ApplyError) -> u8 {
    say(&format!("error: {error}"));
    if error.is_refusal() {
        crate::exit::REFUSED
    } else {
        crate::exit::FAILED
    }
}

fn say(line: &str) {
    #[allow(clippy::print_stderr, reason = "the command's result line")]
    {
        eprintln!("{line}");
    }
}

//! One function per subcommand.

pub(crate) mod apply;
mod check;
mod explain;
mod plan;
mod report;
mod review;
pub(crate) mod rules;
mod serve;
mod sql;
mod stats;
mod status;

use crate::cli::{Cli, Command};

pub(crate) use explain::suggestion;
pub(crate) use review::DEFAULT_BASE_URL;

/// Runs the command and returns the process exit code.
pub(crate) fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Rules(args) => rules::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Sql(args) => sql::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Stats(args) => stats::run(&args),
        Command::Review(args) => review::run(&args),
        Command::Apply(args) => apply::run(&args),
        Command::Status(args) => status::run(&args),
        Command::Rollback(args) => apply::run_rollback(&args),
        Command::Plan(args) => plan::run(&args),
        Command::Report(args) => report::run(&args),
    }
}

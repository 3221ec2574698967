//! `lockstep`: check migrations in CI, serve the reviewer, read table statistics.

mod apply;
mod cli;
mod commands;
mod config;
mod db;
mod files;
mod web;

use std::process::ExitCode;

use clap::Parser as _;

/// Exit codes, distinct so scripts can tell findings from failures.
pub(crate) mod exit {
    /// Clean.
    pub(crate) const OK: u8 = 0;
    /// Findings at or above `--fail-on`.
    pub(crate) const FINDINGS: u8 = 1;
    /// Usage or input error (clap uses 2 for usage errors too).
    pub(crate) const INPUT: u8 = 2;
    /// `apply`/`rollback` refused (digest, preconditions, another run): nothing changed.
    pub(crate) const REFUSED: u8 = 3;
    /// `apply`/`rollback` stopped part-way; the journal says where, running again resumes.
    pub(crate) const FAILED: u8 = 4;
}

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            #[allow(clippy::print_stderr, reason = "the one place errors reach the user")]
            {
                eprintln!("error: {error:#}");
            }
            ExitCode::from(exit::INPUT)
        }
    }
}

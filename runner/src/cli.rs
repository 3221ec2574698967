//! The command line: clap derive, doc comments are the help.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use lockstep_core::Severity;

/// Lockstep: PostgreSQL migration review and safe apply for Django and SQL migrations.
#[derive(Debug, Parser)]
#[command(name = "lockstep", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Analyse migration files and report findings (for CI).
    ///
    /// Settings come from `lockstep.toml` (or `[tool.lockstep]` in `pyproject.toml`), found in
    /// the current directory or the nearest one above it; its `paths` are checked when none are
    /// given. Its keys: `pg_version`, `django_version`, `lock_timeout_ms`, `default_auto_field`,
    /// `paths`, `disable = [rule ids]`, and a `[severity]` table (`rule-id = "warning"`).
    /// Exit status: 0 clean, 1 findings at or above `--fail-on`, 2 usage or input error.
    ///
    /// Example: `lockstep check shop/migrations/ db/0003_index.sql --format sarif > lockstep.sarif`
    Check(CheckArgs),
    /// List the rules of the catalog: id, default severity, what each flags.
    ///
    /// Example: `lockstep rules --format json`
    Rules(RulesArgs),
    /// Print a rule's documentation: what it flags, why it hurts, the safe alternative.
    ///
    /// Example: `lockstep explain add-index-non-concurrent`
    Explain(ExplainArgs),
    /// Print the SQL of one Django migration, exactly as `manage.py sqlmigrate APP NAME` does.
    ///
    /// Give the migration and the ones before it (the state they build decides the SQL).
    /// Exit status 1 when an operation's SQL is not reproduced; the reason goes to stderr.
    ///
    /// Example: `lockstep sql shop/migrations/ --migration shop.0002_order_created --backwards`
    Sql(SqlArgs),
    /// Serve the web reviewer on 127.0.0.1 (files embedded in this binary).
    ///
    /// Example: `lockstep serve --port 8080`
    Serve(ServeArgs),
    /// Print table statistics (rows, bytes, indexes) as JSON for the reviewer's settings.
    ///
    /// Example: `lockstep stats --database-url postgres://postgres@127.0.0.1/app shop_order`
    Stats(StatsArgs),
    /// Print a review link: the files and settings, opened in the web reviewer.
    ///
    /// The review travels in the link's fragment (after `#`), which browsers never send to a
    /// server. Paths are read as `check` reads them.
    ///
    /// Example: `lockstep review shop/migrations/ --base-url https://lockstep.example.com/`
    Review(ReviewArgs),
}

#[derive(Debug, clap::Args)]
pub(crate) struct CheckArgs {
    /// Files or directories (directories are read recursively for `migrations/*.py` and
    /// `*.sql`); default: the config file's `paths`.
    pub(crate) paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub(crate) format: CheckFormat,
    /// Exit with status 1 when a finding has this severity or higher.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub(crate) fail_on: FailOn,
    /// Colour in the text format: `auto` colours a terminal unless `NO_COLOR` is set.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub(crate) color: Color,
    #[command(flatten)]
    pub(crate) config: ConfigArgs,
}

/// Where the settings come from; flattened into every command that analyses files.
#[derive(Debug, clap::Args)]
pub(crate) struct ConfigArgs {
    /// A `lockstep.toml` or `pyproject.toml` to use instead of the one found from the current
    /// directory upward.
    #[arg(long, value_name = "PATH")]
    pub(crate) config: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub(crate) struct RulesArgs {
    /// `text`: one line per rule; `json`: every rule with its documentation.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ExplainArgs {
    /// The rule's id, as `lockstep rules` lists it.
    pub(crate) rule: String,
}

#[derive(Debug, clap::Args)]
pub(crate) struct SqlArgs {
    /// Files or directories, read as `check` reads them.
    #[arg(required = true)]
    pub(crate) paths: Vec<PathBuf>,
    /// `APP.NAME` of the migration; may be left out when the paths hold one Django migration.
    #[arg(long, value_name = "APP.NAME")]
    pub(crate) migration: Option<String>,
    /// What `sqlmigrate --backwards` prints: the SQL that rolls the migration back, on a
    /// database where it is applied.
    #[arg(long)]
    pub(crate) backwards: bool,
    /// `text`: what `sqlmigrate` prints; `json`: the same per operation, with each
    /// statement's SQL and whether Django defers it to the end of the migration.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
    #[command(flatten)]
    pub(crate) config: ConfigArgs,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum Format {
    /// For people: each finding with its code frame, why, and the safe alternative.
    Text,
    /// The whole analysis as JSON.
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum CheckFormat {
    /// For people: each finding with its code frame, why, and the safe alternative.
    Text,
    /// The whole analysis as JSON.
    Json,
    /// SARIF 2.1.0, for code-scanning services.
    Sarif,
    /// GitHub Actions workflow commands: one annotation per finding.
    Github,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Color {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always, even when piped.
    Always,
    /// Never.
    Never,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum FailOn {
    /// Any finding.
    Info,
    /// Warnings and errors.
    Warning,
    /// Errors only.
    Error,
    /// Never fail on findings.
    Never,
}

impl FailOn {
    pub(crate) fn threshold(self) -> Option<Severity> {
        match self {
            Self::Info => Some(Severity::Info),
            Self::Warning => Some(Severity::Warning),
            Self::Error => Some(Severity::Error),
            Self::Never => None,
        }
    }
}

#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    pub(crate) port: u16,
}

#[derive(Debug, clap::Args)]
pub(crate) struct StatsArgs {
    /// PostgreSQL connection URL.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub(crate) database_url: String,
    /// Tables to report (default: every table in the `public` schema).
    pub(crate) tables: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ReviewArgs {
    /// Files or directories, read as `check` reads them; default: the config file's `paths`.
    pub(crate) paths: Vec<PathBuf>,
    /// Where the reviewer is served; the review is appended after `#`.
    #[arg(long, value_name = "URL", default_value = crate::commands::DEFAULT_BASE_URL)]
    pub(crate) base_url: String,
    #[command(flatten)]
    pub(crate) config: ConfigArgs,
}

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
    /// Build the plan the runner applies: every migration's steps, with the safe rewrites.
    ///
    /// Writes the plan as canonical JSON and prints its `sha256:` digest (what approval pins;
    /// the web reviewer shows the same digest for the same files and choices). A choices file
    /// from a review (`{"<finding fingerprint>": "keep"}`) keeps statements as written.
    ///
    /// Example: `lockstep plan shop/migrations/ db/ -o plan.json --choices review-choices.json`
    Plan(PlanArgs),
    /// Print the Migration Report: pending migrations, changes and their strategies, the
    /// checks to verify, and the findings with their acknowledgements.
    ///
    /// Example: `lockstep report shop/migrations/ --plan plan.json --format markdown > REPORT.md`
    Report(ReportArgs),
    /// Apply an approved plan: advisory lock, preconditions, each step journaled in the
    /// database (schema `lockstep`), lock timeouts retried, backfills in batches.
    ///
    /// Run it again after a crash or failure: it resumes from the journal. Exit status: 0
    /// applied, 2 input error, 3 refused (digest, preconditions, another run; nothing changed),
    /// 4 failed part-way (resumable).
    ///
    /// Example: `lockstep apply plan.json --approve sha256:… --database-url postgres://…`
    Apply(ApplyArgs),
    /// Show which of the plan's migrations the database records as applied (like
    /// `showmigrations`), then the journal: runs, and each step's state, attempts, timings.
    ///
    /// Example: `lockstep status plan.json --database-url postgres://…`
    Status(StatusArgs),
    /// Undo the applied steps of an approved plan, last first, and remove their
    /// `django_migrations` rows; refuses (changing nothing) if a step has no reverse.
    ///
    /// Example: `lockstep rollback plan.json --approve sha256:… --database-url postgres://…`
    Rollback(ApplyArgs),
}

#[derive(Debug, clap::Args)]
pub(crate) struct ApplyArgs {
    /// The plan (JSON, `lockstep-plan/1`).
    pub(crate) plan: PathBuf,
    /// The digest the reviewer approved (`sha256:…`); any other plan is refused.
    #[arg(long, value_name = "sha256:HEX")]
    pub(crate) approve: String,
    #[command(flatten)]
    pub(crate) run: RunArgs,
}

/// How steps run; shared by `apply` and `rollback`.
#[derive(Debug, clap::Args)]
pub(crate) struct RunArgs {
    /// PostgreSQL connection URL (its password is never printed).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub(crate) database_url: String,
    /// The command that runs Django's `manage.py` for `django` steps, split on whitespace;
    /// `migrate APP NAME` is appended.
    #[arg(long, default_value = "python manage.py")]
    pub(crate) django_command: String,
    /// Working directory of the Django command.
    #[arg(long, value_name = "DIR")]
    pub(crate) django_dir: Option<PathBuf>,
    /// What one backfill batch should take; batch sizes adapt to it.
    #[arg(long, default_value_t = 200, value_name = "MS")]
    pub(crate) batch_target_ms: u64,
    /// How long to wait for another run's advisory lock before refusing.
    #[arg(long, default_value_t = 5000, value_name = "MS")]
    pub(crate) lock_wait_ms: u64,
    /// Reconnections when the database connection is lost mid-run (each resumes the step).
    #[arg(long, default_value_t = 3)]
    pub(crate) reconnects: u32,
}

#[derive(Debug, clap::Args)]
pub(crate) struct StatusArgs {
    /// The plan whose migrations and steps to show (default: the journal's latest run).
    pub(crate) plan: Option<PathBuf>,
    /// PostgreSQL connection URL.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub(crate) database_url: String,
    /// Also verify the plan's checks against the catalog (exit status 1 when one fails).
    #[arg(long, requires = "plan")]
    pub(crate) verify: bool,
    /// `json`: print only the verification (with `--verify`) as JSON.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
    /// With `--verify`: print the JSON `lockstep report --verification FILE` reads.
    #[arg(long, requires = "verify")]
    pub(crate) for_report: bool,
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

#[derive(Debug, clap::Args)]
pub(crate) struct PlanArgs {
    /// Files or directories, read as `check` reads them; default: the config file's `paths`.
    pub(crate) paths: Vec<PathBuf>,
    /// Where to write the plan (canonical JSON).
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: PathBuf,
    /// The review's choices: a JSON object from finding fingerprint to `"safe"` or `"keep"`.
    #[arg(long, value_name = "FILE")]
    pub(crate) choices: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) config: ConfigArgs,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ReportArgs {
    /// Files or directories, read as `check` reads them; default: the config file's `paths`.
    pub(crate) paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Markdown)]
    pub(crate) format: ReportFormat,
    /// The approved plan (`lockstep plan -o`); it must have been built from these files.
    /// Default: the plan with every safe rewrite.
    #[arg(long, value_name = "FILE")]
    pub(crate) plan: Option<PathBuf>,
    /// Acknowledgements from the review: `{"<fingerprint>": {"by": "…", "reason": "…"}}`.
    #[arg(long, value_name = "FILE")]
    pub(crate) acknowledgements: Option<PathBuf>,
    /// What the runner read from the database (`applied`, `results` per step), to tick the
    /// checks; without it every check is unverified.
    #[arg(long, value_name = "FILE", conflicts_with = "database_url")]
    pub(crate) verification: Option<PathBuf>,
    /// Verify the plan's checks against this database now (read-only) and tick them: what
    /// `status --verify --for-report` writes for `--verification`, in one step. Its password is
    /// never printed.
    #[arg(long, value_name = "URL")]
    pub(crate) database_url: Option<String>,
    #[command(flatten)]
    pub(crate) config: ConfigArgs,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum ReportFormat {
    /// The report as Markdown (for a pull request or a deploy log).
    Markdown,
    /// The report as JSON.
    Json,
}

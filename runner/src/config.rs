//! `lockstep.toml` (or `[tool.lockstep]` in `pyproject.toml`): the project's settings.
//!
//! In: `--config PATH`, or the current directory and its ancestors. Out: [`Config`], the core's
//! [`Settings`] plus the paths to check. Invariant: a key Lockstep does not know, a value out of
//! range, or a rule id not in the catalog is an error naming `file:line:column`, never ignored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow};
use lockstep_core::source::DjangoVersion;
use lockstep_core::{Settings, Severity};
use serde::Deserialize;
use toml::Spanned;

use crate::cli::ConfigArgs;

/// The file names looked for in each directory, in order of precedence.
const FILE_NAMES: [&str; 2] = ["lockstep.toml", "pyproject.toml"];

/// PostgreSQL major versions the analysis knows.
const PG_VERSIONS: std::ops::RangeInclusive<u8> = 12..=18;

/// Settings read from a config file, or the defaults when there is none.
#[derive(Debug, Default)]
pub(crate) struct Config {
    /// What the core's analysis is given.
    pub(crate) settings: Settings,
    /// Paths to check when the command line names none, relative to the config file's folder.
    pub(crate) paths: Vec<PathBuf>,
}

/// The settings a command uses: `--config PATH`, or the file found from the current directory
/// upward, or the defaults. Every subcommand that analyses files calls this.
pub(crate) fn load(args: &ConfigArgs) -> anyhow::Result<Config> {
    let cwd = std::env::current_dir().context("while finding the current directory")?;
    let file = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the config file `{}`", path.display()))?;
            return parse(path, &text);
        }
        None => discover(&cwd)?,
    };
    match file {
        Some((path, text)) => parse(&path, &text),
        None => Ok(Config::default()),
    }
}

/// The nearest `lockstep.toml`, or `pyproject.toml` with a `[tool.lockstep]` table, from `dir`
/// upward. A `pyproject.toml` without one is passed over, as ruff passes over one without
/// `[tool.ruff]`.
fn discover(cwd: &Path) -> anyhow::Result<Option<(PathBuf, String)>> {
    for dir in cwd.ancestors() {
        for name in FILE_NAMES {
            let path = dir.join(name);
            if !path.is_file() {
                continue;
            }
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read the config file `{}`", path.display()))?;
            if name == "pyproject.toml" && !mentions_lockstep(&text) {
                continue;
            }
            return Ok(Some((relative_to(&path, cwd), text)));
        }
    }
    Ok(None)
}

/// Whether a `pyproject.toml` may hold Lockstep's table: a broken `pyproject.toml` of some other
/// tool is not Lockstep's error, so it is parsed only when it names Lockstep.
fn mentions_lockstep(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim();
        line.starts_with('[') && line.contains("lockstep") || line.starts_with("lockstep")
    })
}

/// `path` relative to `base` when it lies below it: shorter in messages and in output paths.
fn relative_to(path: &Path, base: &Path) -> PathBuf {
    path.strip_prefix(base)
        .map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
}

/// The keys of the `lockstep` table, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    pg_version: Option<Spanned<PgVersion>>,
    django_version: Option<Spanned<DjangoVersion>>,
    lock_timeout_ms: Option<Spanned<u32>>,
    default_auto_field: Option<Spanned<String>>,
    #[serde(default)]
    paths: Vec<Spanned<String>>,
    #[serde(default)]
    disable: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Spanned<Severity>>,
    auth_user_model: Option<Spanned<String>>,
    #[serde(default)]
    model_settings: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    custom_fields: BTreeMap<String, Spanned<String>>,
}

/// `pg_version = 16`, or `pg_version = "14.2"` when a rule needs the minor version
/// (`pg14-concurrent-index-corruption`).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum PgVersion {
    Major(u8),
    Text(String),
}

impl PgVersion {
    /// `(major, minor)`, or `None` when the text is not `MAJOR` or `MAJOR.MINOR`.
    fn parts(&self) -> Option<(u8, Option<u8>)> {
        match self {
            Self::Major(major) => Some((*major, None)),
            Self::Text(text) => match text.split_once('.') {
                Some((major, minor)) => Some((major.parse().ok()?, Some(minor.parse().ok()?))),
                None => Some((text.parse().ok()?, None)),
            },
        }
    }
}

/// `pyproject.toml`: only `[tool.lockstep]` is Lockstep's; other tools' keys are theirs.
#[derive(Debug, Deserialize)]
struct Pyproject {
    tool: Option<Tool>,
}

#[derive(Debug, Deserialize)]
struct Tool {
    lockstep: Option<Raw>,
}

/// An error at a byte range of the file, shown as `file:line:column: message`.
fn at(path: &Path, text: &str, span: std::ops::Range<usize>, message: &str) -> anyhow::Error {
    let before = text.get(..span.start).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    anyhow!("{}:{line}:{column}: {message}", path.display())
}

/// `pg_version`: a major version in range, or `"major.minor"`.
fn pg_version(
    pg: &Spanned<PgVersion>,
    settings: &mut Settings,
    path: &Path,
    text: &str,
) -> anyhow::Result<()> {
    let written = match pg.get_ref() {
        PgVersion::Major(major) => major.to_string(),
        PgVersion::Text(text) => format!("{text:?}"),
    };
    let Some((major, minor)) = pg.get_ref().parts() else {
        return Err(at(
            path,
            text,
            pg.span(),
            &format!(
                "`pg_version = {written}`: write the major version (`16`) or major.minor (`\"14.2\"`)"
            ),
        ));
    };
    if !PG_VERSIONS.contains(&major) {
        return Err(at(
            path,
            text,
            pg.span(),
            &format!(
                "`pg_version = {written}`: Lockstep knows PostgreSQL {} to {}",
                PG_VERSIONS.start(),
                PG_VERSIONS.end()
            ),
        ));
    }
    settings.pg_version = major;
    settings.pg_minor = minor;
    Ok(())
}

/// Parses a config file's text; `path` names it in errors and anchors its relative `paths`.
pub(crate) fn parse(path: &Path, text: &str) -> anyhow::Result<Config> {
    let in_pyproject = path
        .file_name()
        .is_some_and(|name| name == "pyproject.toml");
    let toml_error = |error: toml::de::Error| {
        // toml's own message ends with a newline; the location is given in front instead.
        let message = error.message().trim_end().to_owned();
        match error.span() {
            Some(span) => at(path, text, span, &message),
            None => anyhow!("{}: {message}", path.display()),
        }
    };
    let raw = if in_pyproject {
        let pyproject: Pyproject = toml::from_str(text).map_err(toml_error)?;
        pyproject
            .tool
            .and_then(|tool| tool.lockstep)
            .unwrap_or_default()
    } else {
        toml::from_str::<Raw>(text).map_err(toml_error)?
    };
    let mut settings = Settings::default();
    project_keys(&raw, &mut settings, path, text)?;
    if let Some(pg) = &raw.pg_version {
        pg_version(pg, &mut settings, path, text)?;
    }
    if let Some(django) = raw.django_version {
        settings.django_version = django.into_inner();
    }
    if let Some(timeout) = raw.lock_timeout_ms {
        if *timeout.get_ref() == 0 {
            return Err(at(
                path,
                text,
                timeout.span(),
                "`lock_timeout_ms = 0` waits for locks forever; give a timeout in milliseconds",
            ));
        }
        settings.lock_timeout_ms = timeout.into_inner();
    }
    if let Some(field) = raw.default_auto_field {
        // Django's setting is a dotted path (`django.db.models.BigAutoField`); the class name
        // is what decides the column type.
        let class = field.get_ref().rsplit('.').next().unwrap_or("");
        if class.is_empty() || !class.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(at(
                path,
                text,
                field.span(),
                &format!(
                    "`default_auto_field = {:?}`: expected a field class such as \
                     `django.db.models.BigAutoField`",
                    field.get_ref()
                ),
            ));
        }
        class.clone_into(&mut settings.default_auto_field);
    }
    let known = |id: &Spanned<String>| -> anyhow::Result<String> {
        if lockstep_core::rules::registry::rule(id.get_ref()).is_some() {
            return Ok(id.get_ref().clone());
        }
        Err(at(
            path,
            text,
            id.span(),
            &format!(
                "no rule `{}`; `lockstep rules` lists them{}",
                id.get_ref(),
                crate::commands::suggestion(id.get_ref())
            ),
        ))
    };
    for id in &raw.disable {
        settings.rules.disable.insert(known(id)?);
    }
    for (id, severity) in raw.severity {
        settings
            .rules
            .severity
            .insert(known(&id)?, severity.into_inner());
    }
    let base = path.parent().unwrap_or(Path::new(""));
    let paths = raw
        .paths
        .into_iter()
        .map(|p| base.join(p.into_inner()))
        .collect();
    Ok(Config { settings, paths })
}

/// `auth_user_model`, `[model_settings]` and `[custom_fields]`: what the project's Python
/// settings and code say about its migrations.
fn project_keys(raw: &Raw, settings: &mut Settings, path: &Path, text: &str) -> anyhow::Result<()> {
    // `app.Model`, as Django's settings name a model.
    let model = |value: &Spanned<String>, key: &str| -> anyhow::Result<String> {
        match value.get_ref().split_once('.') {
            Some((app, model)) if !app.is_empty() && !model.is_empty() && !model.contains('.') => {
                Ok(value.get_ref().clone())
            }
            _ => Err(at(
                path,
                text,
                value.span(),
                &format!(
                    "`{key} = {:?}`: expected `app_label.ModelName`",
                    value.get_ref()
                ),
            )),
        }
    };
    if let Some(user) = &raw.auth_user_model {
        settings.auth_user_model = model(user, "auth_user_model")?;
    }
    for (expression, value) in &raw.model_settings {
        settings
            .model_settings
            .insert(expression.clone(), model(value, expression)?);
    }
    for (class, value) in &raw.custom_fields {
        // Read exactly as the core will read it, so a typo is reported here, at its line.
        let project = lockstep_core::parse::django::Project {
            custom_fields: BTreeMap::from([(class.clone(), value.get_ref().clone())]),
            ..lockstep_core::parse::django::Project::default()
        };
        if project.custom_field(class).is_none() {
            return Err(at(
                path,
                text,
                value.span(),
                &format!(
                    "`{class} = {:?}`: expected a built-in Django field, as in \
                     `\"CharField(max_length=63)\"`",
                    value.get_ref()
                ),
            ));
        }
        settings
            .custom_fields
            .insert(class.clone(), value.get_ref().clone());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(name: &str, text: &str) -> String {
        format!("{:#}", parse(Path::new(name), text).unwrap_err())
    }

    #[test]
    fn the_project_keys_are_read_and_checked() {
        let config = parse(
            Path::new("lockstep.toml"),
            r#"
auth_user_model = "accounts.Member"

[model_settings]
"oauth2_settings.APPLICATION_MODEL" = "oauth2_provider.Application"

[custom_fields]
"timezone_field.fields.TimeZoneField" = "CharField(max_length=63)"
"#,
        )
        .unwrap();
        let s = &config.settings;
        assert_eq!(s.auth_user_model, "accounts.Member");
        assert_eq!(
            s.model_settings["oauth2_settings.APPLICATION_MODEL"],
            "oauth2_provider.Application"
        );
        assert_eq!(
            s.custom_fields["timezone_field.fields.TimeZoneField"],
            "CharField(max_length=63)"
        );
        assert_eq!(
            error("lockstep.toml", "auth_user_model = \"Member\"\n"),
            "lockstep.toml:1:19: `auth_user_model = \"Member\"`: expected `app_label.ModelName`"
        );
        assert!(
            error("lockstep.toml", "[custom_fields]\nMoney = \"Decimal(\"\n")
                .starts_with("lockstep.toml:2:9: `Money = \"Decimal(\"`: expected a built-in"),
            "{}",
            error("lockstep.toml", "[custom_fields]\nMoney = \"Decimal(\"\n")
        );
    }

    #[test]
    fn every_key_is_read() {
        let config = parse(
            Path::new("proj/lockstep.toml"),
            r#"
pg_version = 15
django_version = "4.2"
lock_timeout_ms = 5000
default_auto_field = "django.db.models.AutoField"
paths = ["shop/migrations", "db"]
disable = ["runsql-opaque"]

[severity]
add-index-non-concurrent = "warning"
"#,
        )
        .unwrap();
        let s = &config.settings;
        assert_eq!(
            (s.pg_version, s.django_version, s.lock_timeout_ms),
            (15, DjangoVersion::V4_2, 5000)
        );
        assert_eq!(s.default_auto_field, "AutoField");
        assert!(s.rules.disable.contains("runsql-opaque"));
        assert_eq!(
            s.rules.severity.get("add-index-non-concurrent"),
            Some(&Severity::Warning)
        );
        assert_eq!(
            config.paths,
            [
                PathBuf::from("proj/shop/migrations"),
                PathBuf::from("proj/db")
            ]
        );
    }

    #[test]
    fn pyproject_reads_only_its_table() {
        let text = "[project]\nname = \"x\"\n\n[tool.ruff]\nline-length = 99\n\n[tool.lockstep]\npg_version = 13\n";
        let config = parse(Path::new("pyproject.toml"), text).unwrap();
        assert_eq!(config.settings.pg_version, 13);
        let text = "[tool.lockstep]\npg_version = \"14.2\"\n";
        let config = parse(Path::new("pyproject.toml"), text).unwrap();
        assert_eq!(
            (config.settings.pg_version, config.settings.pg_minor),
            (14, Some(2))
        );
        let text = "[tool.lockstep]\npg_version = 13\nbogus = 1\n";
        assert!(
            error("pyproject.toml", text).starts_with("pyproject.toml:3:1: unknown field `bogus`"),
            "{}",
            error("pyproject.toml", text)
        );
    }

    #[test]
    fn bad_keys_and_values_are_errors_at_their_location() {
        let cases = [
            (
                "pg_version = 16\nlocktimeout = 1\n",
                "lockstep.toml:2:1: unknown field `locktimeout`",
            ),
            (
                "pg_version = 9\n",
                "lockstep.toml:1:14: `pg_version = 9`: Lockstep knows PostgreSQL 12 to 18",
            ),
            (
                "pg_version = \"16.x\"\n",
                "lockstep.toml:1:14: `pg_version = \"16.x\"`: write the major version (`16`) or major.minor (`\"14.2\"`)",
            ),
            (
                "pg_version = \"11.9\"\n",
                "lockstep.toml:1:14: `pg_version = \"11.9\"`: Lockstep knows PostgreSQL 12 to 18",
            ),
            (
                "django_version = \"3.2\"\n",
                "lockstep.toml:1:18: unknown variant `3.2`",
            ),
            (
                "lock_timeout_ms = 0\n",
                "lockstep.toml:1:19: `lock_timeout_ms = 0` waits",
            ),
            (
                "lock_timeout_ms = -5\n",
                "lockstep.toml:1:19: invalid value",
            ),
            (
                "default_auto_field = \"a b\"\n",
                "lockstep.toml:1:22: `default_auto_field = \"a b\"`",
            ),
            (
                "disable = [\"add-index\"]\n",
                "lockstep.toml:1:12: no rule `add-index`; `lockstep rules` lists them; did you mean `add-index-non-concurrent`?",
            ),
            (
                "[severity]\nrunsql-opaque = \"fatal\"\n",
                "lockstep.toml:2:17: unknown variant `fatal`",
            ),
            (
                "[severity]\nnope = \"info\"\n",
                "lockstep.toml:2:1: no rule `nope`",
            ),
            ("pg_version = \n", "lockstep.toml:1:14: "),
        ];
        for (text, expected) in cases {
            let message = error("lockstep.toml", text);
            assert!(message.starts_with(expected), "{text:?}: {message}");
        }
    }
}

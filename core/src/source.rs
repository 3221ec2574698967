//! Input files and settings: what the user gave, before any parsing.
//!
//! In: `(path, bytes or text)` pairs and [`Settings`]. Out: [`Source`] with its kind, app label
//! and migration name. Invariant: nothing the user gave is dropped; a file that cannot be read
//! as text keeps its valid prefix and carries a [`SourceProblem`] with the offset.

use std::collections::BTreeMap;

use crate::parse::django::Project;
use serde::{Deserialize, Serialize};

/// Files larger than this are refused with a message instead of being analysed.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

/// One file as the user supplied it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFile {
    /// Path as given (`shop/migrations/0002_order_created.py`); it names the app and migration.
    pub path: String,
    /// The text. For a file that was not valid UTF-8 this is the valid prefix.
    pub text: String,
    /// Set when the file could not be taken as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<SourceProblem>,
}

/// Why a file's contents are not (entirely) analysable text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum SourceProblem {
    /// Bytes that are not UTF-8 at `offset` (binary files end up here).
    #[error("not UTF-8 text: invalid byte at offset {offset}")]
    NotUtf8 {
        /// First invalid byte.
        offset: u32,
    },
    /// A NUL byte, which no migration source contains.
    #[error("binary file: NUL byte at offset {offset}")]
    Binary {
        /// First NUL byte.
        offset: u32,
    },
    /// Larger than [`MAX_FILE_BYTES`].
    #[error("file is {bytes} bytes; the limit is {limit} bytes")]
    TooLarge {
        /// Size of the file.
        bytes: u64,
        /// The limit.
        limit: u64,
    },
}

impl SourceProblem {
    /// The byte offset the problem is at (0 for whole-file problems).
    pub fn offset(&self) -> u32 {
        match self {
            Self::NotUtf8 { offset } | Self::Binary { offset } => *offset,
            Self::TooLarge { .. } => 0,
        }
    }
}

impl SourceFile {
    /// A file given as text (pasted, or read by the browser).
    pub fn from_text(path: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let problem = check_size(text.len()).or_else(|| find_nul(&text));
        let text = if problem
            .as_ref()
            .is_some_and(|p| matches!(p, SourceProblem::TooLarge { .. }))
        {
            String::new()
        } else {
            text
        };
        Self {
            path: path.into(),
            text,
            problem,
        }
    }

    /// A file refused for its size (`bytes` long) without reading it.
    pub fn too_large(path: impl Into<String>, bytes: u64) -> Self {
        Self {
            path: path.into(),
            text: String::new(),
            problem: Some(SourceProblem::TooLarge {
                bytes,
                limit: MAX_FILE_BYTES as u64,
            }),
        }
    }

    /// A file given as raw bytes (read from disk or uploaded).
    pub fn from_bytes(path: impl Into<String>, bytes: Vec<u8>) -> Self {
        let path = path.into();
        if let Some(problem) = check_size(bytes.len()) {
            return Self {
                path,
                text: String::new(),
                problem: Some(problem),
            };
        }
        match String::from_utf8(bytes) {
            Ok(text) => Self::from_text(path, text),
            Err(error) => {
                let valid = error.utf8_error().valid_up_to();
                let mut bytes = error.into_bytes();
                bytes.truncate(valid);
                let text = String::from_utf8(bytes).unwrap_or_default();
                let offset = u32::try_from(valid).unwrap_or(u32::MAX);
                let problem = find_nul(&text).unwrap_or(SourceProblem::NotUtf8 { offset });
                Self {
                    path,
                    text,
                    problem: Some(problem),
                }
            }
        }
    }
}

fn check_size(len: usize) -> Option<SourceProblem> {
    (len > MAX_FILE_BYTES).then_some(SourceProblem::TooLarge {
        bytes: len as u64,
        limit: MAX_FILE_BYTES as u64,
    })
}

fn find_nul(text: &str) -> Option<SourceProblem> {
    text.bytes()
        .position(|b| b == 0)
        .map(|offset| SourceProblem::Binary {
            offset: u32::try_from(offset).unwrap_or(u32::MAX),
        })
}

/// What a file holds, decided by its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A Django migration module (`.py`).
    Django,
    /// Plain SQL (`.sql`).
    Sql,
}

impl SourceKind {
    /// The kind for `path`, or `None` for files Lockstep does not read.
    pub fn of_path(path: &str) -> Option<Self> {
        let extension = std::path::Path::new(path).extension()?.to_str()?;
        if extension.eq_ignore_ascii_case("py") {
            Some(Self::Django)
        } else if extension.eq_ignore_ascii_case("sql") {
            Some(Self::Sql)
        } else {
            None
        }
    }
}

/// The app label and migration name a path implies: `…/<app>/migrations/<name>.py`.
/// Outside a `migrations/` folder the app label is the parent folder, or `app`.
pub fn migration_key(path: &str) -> (String, String) {
    let parts: Vec<&str> = path.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
    let file = parts.last().copied().unwrap_or("migration");
    let name = file
        .rsplit_once('.')
        .map_or(file, |(stem, _)| stem)
        .to_owned();
    let parent = parts
        .len()
        .checked_sub(2)
        .and_then(|i| parts.get(i))
        .copied();
    let app = match parent {
        Some("migrations") => parts
            .len()
            .checked_sub(3)
            .and_then(|i| parts.get(i))
            .copied(),
        other => other,
    };
    (app.unwrap_or("app").to_owned(), name)
}

/// Supported PostgreSQL major versions.
pub const PG_VERSIONS: std::ops::RangeInclusive<u8> = 12..=18;

/// Django versions whose SQL Lockstep reproduces.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum DjangoVersion {
    /// Django 4.2 LTS.
    #[serde(rename = "4.2")]
    V4_2,
    /// Django 5.2 LTS.
    #[default]
    #[serde(rename = "5.2")]
    V5_2,
}

/// Settings that change what a migration does or how risky it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// PostgreSQL major version of the target (12–18).
    pub pg_version: u8,
    /// Its minor version, when known (`14.2` → `Some(2)`): a few rules depend on it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pg_minor: Option<u8>,
    /// Django version whose schema editor emits the SQL.
    pub django_version: DjangoVersion,
    /// `lock_timeout` the plan gives each step, in milliseconds.
    pub lock_timeout_ms: u32,
    /// `settings.DEFAULT_AUTO_FIELD` as a class name (`BigAutoField`): the primary key of
    /// the join tables Django creates for `ManyToManyField`s, which migrations do not spell
    /// out. Defaults to what `startproject` has written since Django 3.2.
    pub default_auto_field: String,
    /// `settings.AUTH_USER_MODEL` as `app.Model`, for projects with a custom user model.
    pub auth_user_model: String,
    /// Other settings naming a model, by the expression migrations read them as
    /// (`"oauth2_settings.APPLICATION_MODEL" = "oauth2_provider.Application"`).
    pub model_settings: BTreeMap<String, String>,
    /// Custom field classes (dotted path, or its last components) and the built-in field
    /// each stores as (`"shop.fields.MoneyField" = "DecimalField"`): migrations name the
    /// class, and only the project's code says what column it makes.
    pub custom_fields: BTreeMap<String, String>,
    /// Table statistics by table name (`lockstep stats` prints them), for estimates of how
    /// long a scan or rewrite holds its lock. Optional.
    pub table_stats: BTreeMap<String, TableStats>,
    /// Rules turned off and severities changed (`lockstep.toml`'s `disable` and `[severity]`).
    #[serde(skip_serializing_if = "crate::rules::RuleOverrides::is_empty")]
    pub rules: crate::rules::RuleOverrides,
}

impl Settings {
    /// What the settings say about the project's migrations, for the parser.
    pub fn project(&self) -> Project {
        Project {
            auth_user_model: self.auth_user_model.clone(),
            model_settings: self.model_settings.clone(),
            custom_fields: self.custom_fields.clone(),
        }
    }
}

/// Size of one table, as `lockstep stats` reads it from the catalog.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TableStats {
    /// Estimated rows (`pg_class.reltuples`).
    pub rows: u64,
    /// Table, indexes and TOAST, in bytes (0: unknown, estimated from the rows).
    pub bytes: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            pg_version: 16,
            pg_minor: None,
            django_version: DjangoVersion::V5_2,
            lock_timeout_ms: 2_000,
            default_auto_field: "BigAutoField".to_owned(),
            auth_user_model: "auth.User".to_owned(),
            model_settings: BTreeMap::new(),
            custom_fields: BTreeMap::new(),
            table_stats: BTreeMap::new(),
            rules: crate::rules::RuleOverrides::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_and_name_come_from_the_path() {
        assert_eq!(
            migration_key("src/shop/migrations/0002_order_created.py"),
            ("shop".into(), "0002_order_created".into())
        );
        assert_eq!(migration_key("0001.sql"), ("app".into(), "0001".into()));
        assert_eq!(
            migration_key("db/0003_x.sql"),
            ("db".into(), "0003_x".into())
        );
        assert_eq!(migration_key(""), ("app".into(), "migration".into()));
    }

    #[test]
    fn binary_and_invalid_utf8_keep_the_valid_prefix() {
        let file = SourceFile::from_bytes("a.py", b"ok\n\xff\xfe".to_vec());
        assert_eq!(file.text, "ok\n");
        assert_eq!(file.problem, Some(SourceProblem::NotUtf8 { offset: 3 }));
        let file = SourceFile::from_bytes("a.py", b"ab\0cd".to_vec());
        assert_eq!(file.problem, Some(SourceProblem::Binary { offset: 2 }));
    }

    #[test]
    fn oversized_files_are_refused_not_analysed() {
        let file = SourceFile::from_bytes("a.sql", vec![b' '; MAX_FILE_BYTES + 1]);
        assert!(matches!(file.problem, Some(SourceProblem::TooLarge { .. })));
        assert!(file.text.is_empty());
    }
}

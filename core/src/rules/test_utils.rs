//! Helpers for rule tests.

use crate::rules::Finding;
use crate::source::{Settings, SourceFile};

/// The findings for one file, without the `unknown-expression` notes.
pub(crate) fn findings(path: &str, text: &str) -> Vec<Finding> {
    crate::analyze(&[SourceFile::from_text(path, text)], &Settings::default())
        .findings
        .into_iter()
        .filter(|f| f.rule != "unknown-expression")
        .collect()
}

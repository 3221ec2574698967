//! A review: the files, the settings, and what people said about the findings.
//!
//! In: what the reviewer holds (files as path + text, [`Settings`], comments, acknowledgements,
//! plan choices). Out: the same, as a link fragment ([`link::encode`]) and back
//! ([`link::decode`]). Invariant: decoding never trusts the link — every limit is checked
//! before the work it bounds, and every failure is a [`link::LinkError`] with a message.
//!
//! [`Review`] is what the reviewer works with; the link carries a separate versioned wire
//! struct (`wire::ReviewV1`), so changing this type never silently changes old links.

pub mod link;
mod wire;

pub use wire::{MAX_COMMENTS, MAX_FILES, MAX_PATH_CHARS};

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::source::{Settings, SourceFile};

/// Plan choices per finding fingerprint: the plan's own type ([`crate::plan::Choices`]),
/// so the choices a link carries are exactly what `lockstep plan --choices` reads.
pub use crate::plan::{Choice, Choices};

/// One file under review, as the user gave it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewFile {
    /// Path as given; it names the app and migration.
    pub path: String,
    /// The text.
    pub text: String,
}

impl ReviewFile {
    /// The file as the analysis reads it.
    pub fn source(&self) -> SourceFile {
        SourceFile::from_text(self.path.clone(), self.text.clone())
    }
}

/// What a comment is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "on", rename_all = "snake_case")]
pub enum CommentTarget {
    /// A finding, by its fingerprint (stable across edits elsewhere in the files).
    Finding {
        /// The finding's fingerprint.
        fingerprint: String,
    },
    /// A line of a file.
    Line {
        /// The file's path.
        path: String,
        /// 1-based line.
        line: u32,
    },
}

/// A remark by a reviewer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    /// What it is about.
    pub target: CommentTarget,
    /// Who wrote it (free text; may be empty).
    pub author: String,
    /// The remark.
    pub text: String,
}

/// A finding accepted as it is, with who accepted it and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledgement {
    /// Who acknowledged it (free text; may be empty).
    pub by: String,
    /// Why it is acceptable here.
    pub reason: String,
}

/// The whole review, as the reviewer holds it and the link carries it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Review {
    /// The files, in the order the user arranged them.
    pub files: Vec<ReviewFile>,
    /// The settings of the analysis.
    pub settings: Settings,
    /// Comments, in the order written.
    pub comments: Vec<Comment>,
    /// Acknowledgements by finding fingerprint.
    pub acknowledgements: BTreeMap<String, Acknowledgement>,
    /// Plan choices by finding fingerprint.
    pub choices: Choices,
}

impl Review {
    /// The files as the analysis reads them.
    pub fn sources(&self) -> Vec<SourceFile> {
        self.files.iter().map(ReviewFile::source).collect()
    }
}

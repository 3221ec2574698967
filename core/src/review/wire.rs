//! The review as version 1 of the link format stores it: JSON, unknown fields refused.
//!
//! Kept apart from [`Review`] so a change to the reviewer's types is a compile error here
//! instead of a silent change to what old links mean. A new shape is a new version.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Acknowledgement, Choice, Choices, Comment, CommentTarget, Review, ReviewFile};
use crate::source::{PG_VERSIONS, Settings};

/// Version 1 of the review-link state.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ReviewV1 {
    files: Vec<FileV1>,
    #[serde(default)]
    settings: Settings,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    comments: Vec<CommentV1>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    acknowledgements: BTreeMap<String, AckV1>,
    /// Fingerprint → `"safe"` or `"keep"`. Strings on the wire (not [`Choice`]) so the old
    /// spelling `"rewrite"` of version 1 links still reads as `"safe"`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    choices: BTreeMap<String, String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileV1 {
    path: String,
    text: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, tag = "on", rename_all = "snake_case")]
enum TargetV1 {
    Finding { fingerprint: String },
    Line { path: String, line: u32 },
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CommentV1 {
    target: TargetV1,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    author: String,
    text: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AckV1 {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    by: String,
    reason: String,
}

/// At most this many files in one review.
pub const MAX_FILES: usize = 1_000;
/// At most this many comments in one review.
pub const MAX_COMMENTS: usize = 10_000;
/// Longest path accepted.
pub const MAX_PATH_CHARS: usize = 4_096;

impl From<&Review> for ReviewV1 {
    fn from(review: &Review) -> Self {
        Self {
            files: review
                .files
                .iter()
                .map(|f| FileV1 {
                    path: f.path.clone(),
                    text: f.text.clone(),
                })
                .collect(),
            settings: review.settings.clone(),
            comments: review
                .comments
                .iter()
                .map(|c| CommentV1 {
                    target: match &c.target {
                        CommentTarget::Finding { fingerprint } => TargetV1::Finding {
                            fingerprint: fingerprint.clone(),
                        },
                        CommentTarget::Line { path, line } => TargetV1::Line {
                            path: path.clone(),
                            line: *line,
                        },
                    },
                    author: c.author.clone(),
                    text: c.text.clone(),
                })
                .collect(),
            acknowledgements: review
                .acknowledgements
                .iter()
                .map(|(fingerprint, ack)| {
                    (
                        fingerprint.clone(),
                        AckV1 {
                            by: ack.by.clone(),
                            reason: ack.reason.clone(),
                        },
                    )
                })
                .collect(),
            choices: review
                .choices
                .iter()
                .map(|(fingerprint, choice)| (fingerprint.clone(), choice_name(*choice).to_owned()))
                .collect(),
        }
    }
}

impl ReviewV1 {
    /// The review this state describes, or what about it is not acceptable.
    pub(super) fn into_review(self) -> Result<Review, String> {
        if self.files.len() > MAX_FILES {
            return Err(format!(
                "{} files; a review holds at most {MAX_FILES}",
                self.files.len()
            ));
        }
        if self.comments.len() > MAX_COMMENTS {
            return Err(format!(
                "{} comments; a review holds at most {MAX_COMMENTS}",
                self.comments.len()
            ));
        }
        for (i, file) in self.files.iter().enumerate() {
            check_path(&file.path).map_err(|e| format!("file {}: {e}", i + 1))?;
        }
        if !PG_VERSIONS.contains(&self.settings.pg_version) {
            return Err(format!(
                "PostgreSQL version {} is not supported ({}–{})",
                self.settings.pg_version,
                PG_VERSIONS.start(),
                PG_VERSIONS.end()
            ));
        }
        let mut comments = Vec::with_capacity(self.comments.len());
        for (i, comment) in self.comments.into_iter().enumerate() {
            let target = match comment.target {
                TargetV1::Finding { fingerprint } => CommentTarget::Finding { fingerprint },
                TargetV1::Line { path, line } => {
                    check_path(&path).map_err(|e| format!("comment {}: {e}", i + 1))?;
                    if line == 0 {
                        return Err(format!("comment {}: lines count from 1", i + 1));
                    }
                    CommentTarget::Line { path, line }
                }
            };
            comments.push(Comment {
                target,
                author: comment.author,
                text: comment.text,
            });
        }
        let mut choices = Choices::new();
        for (fingerprint, name) in self.choices {
            let choice = match name.as_str() {
                "safe" | "rewrite" => Choice::Safe,
                "keep" => Choice::Keep,
                other => {
                    return Err(format!(
                        "the plan choice `{other}` for finding `{fingerprint}` is neither `safe` nor `keep`"
                    ));
                }
            };
            choices.insert(fingerprint, choice);
        }
        Ok(Review {
            files: self
                .files
                .into_iter()
                .map(|f| ReviewFile {
                    path: f.path,
                    text: f.text,
                })
                .collect(),
            settings: self.settings,
            comments,
            acknowledgements: self
                .acknowledgements
                .into_iter()
                .map(|(fingerprint, ack)| {
                    (
                        fingerprint,
                        Acknowledgement {
                            by: ack.by,
                            reason: ack.reason,
                        },
                    )
                })
                .collect(),
            choices,
        })
    }
}

fn choice_name(choice: Choice) -> &'static str {
    match choice {
        Choice::Safe => "safe",
        Choice::Keep => "keep",
    }
}

fn check_path(path: &str) -> Result<(), String> {
    if path.trim().is_empty() {
        return Err("the path is empty".to_owned());
    }
    if path.chars().count() > MAX_PATH_CHARS {
        return Err(format!(
            "the path is longer than {MAX_PATH_CHARS} characters"
        ));
    }
    if path.contains('\0') {
        return Err("the path contains a NUL character".to_owned());
    }
    Ok(())
}

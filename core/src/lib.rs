//! Lockstep's core: understands Django and SQL migrations for PostgreSQL.
//!
//! The pipeline (see ARCHITECTURE.md): [`source`] → [`parse`] → [`sql`] → [`rules`], with
//! [`analyze`] as the one entry point the web reviewer and the runner use. Pure: no I/O, no
//! clock, no randomness; it builds for `wasm32-unknown-unknown` and natively alike.

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::string_slice
    )
)]

pub mod analysis;
pub mod contrib;
pub mod examples;
pub mod graph;
pub mod locks;
pub mod parse;
pub mod plan;
pub mod report;
pub mod review;
pub mod rules;
pub mod source;
pub mod span;
pub mod sql;
pub mod state;

pub use analysis::{Analysis, analyze};
pub use rules::{Finding, RuleOverrides, Severity};
pub use source::{Settings, SourceFile};

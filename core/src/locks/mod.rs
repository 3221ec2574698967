//! The `locks` stage: what each statement locks, for how long, and what a transaction holds.
//!
//! In: statement SQL (Django's generated statements and user SQL alike, as text), the
//! [`Catalog`] of what earlier statements created, and [`Settings`] (`pg_version`, table
//! statistics). Out: [`StatementLocks`] per statement — each relation with its lock mode as
//! `pg_locks` names it, rewrite, scan, blocked reads/writes — and [`TransactionLocks`] per
//! transaction. Invariant: what the model cannot classify is listed in
//! [`StatementLocks::unknown`], never guessed. The model is checked against a real
//! PostgreSQL by `runner/tests/locks.rs`.

mod catalog;
mod classify;
mod estimate;
mod facts;
mod modes;
mod tokens;
mod transaction;
mod types;

pub use catalog::Catalog;
pub use facts::{Duration, Estimate, RelationLock, StatementLocks};
pub use modes::LockMode;
pub use transaction::{HeldLock, StatementRef, TransactionLocks, Window, transactions};
pub use types::{SqlType, change_rewrites};

use crate::source::Settings;

/// The locks `sql` takes (it may hold several statements, like Django's
/// `SET CONSTRAINTS … IMMEDIATE; ALTER TABLE …`), updating `catalog` with what it creates.
pub fn statement(sql: &str, catalog: &mut Catalog, settings: &Settings) -> StatementLocks {
    let mut out = StatementLocks::default();
    match tokens::statements(sql) {
        Ok(parts) => {
            for part in parts {
                let mut ctx = classify::Ctx {
                    catalog,
                    pg: settings.pg_version,
                    out: &mut out,
                };
                classify::statement(&part, &mut ctx);
            }
        }
        Err(error) => out.unknown.push(format!("cannot tokenize: {error}")),
    }
    out.finish();
    out.estimate = estimate::estimate(&out, settings);
    out
}

#[cfg(test)]
mod tests;

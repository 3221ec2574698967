//! Locks held until commit: what a transaction holds and its longest blocking windows.
//!
//! PostgreSQL releases table locks only at commit or rollback, so in an atomic Django
//! migration (or between `BEGIN` and `COMMIT`) an `ACCESS EXCLUSIVE` taken by the first
//! statement blocks readers until the last one finishes. Relations created inside the
//! transaction are invisible to others and never count as blocking.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::facts::{Duration, StatementLocks};
use super::modes::LockMode;

/// A statement's place in a file: operation index, then statement index within it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct StatementRef {
    /// Operation index (for `.sql` files: the statement's index).
    pub operation: usize,
    /// Statement index within the operation.
    pub statement: usize,
}

/// A lock a transaction holds until it ends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HeldLock {
    /// Relation name.
    pub relation: String,
    /// The strongest mode taken on it in the transaction.
    pub mode: LockMode,
    /// The statement that first locked it.
    pub since: StatementRef,
    /// Whether the transaction created the relation (its lock blocks nobody).
    pub created: bool,
}

/// A stretch of a transaction during which a relation others use is blocked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Window {
    /// The blocked relation.
    pub relation: String,
    /// The lock that blocks (the strongest held by the end of the window).
    pub mode: LockMode,
    /// The statement that takes the blocking lock.
    pub from: StatementRef,
    /// The last statement of the transaction (the lock is released at its commit).
    pub to: StatementRef,
    /// How many statements run while the relation is blocked.
    pub statements: usize,
    /// `instant` when every statement in the window is; otherwise proportional to rows
    /// with the blocked access, or `unknown`.
    pub duration: Duration,
    /// Sum of the spanned statements' estimates, with table statistics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimate_millis: Option<u64>,
}

/// One transaction (an atomic migration, or `BEGIN` … `COMMIT` in a `.sql` file).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TransactionLocks {
    /// Its first statement.
    pub first: StatementRef,
    /// Its last statement.
    pub last: StatementRef,
    /// Number of statements.
    pub statements: usize,
    /// Every relation locked, strongest mode first, then by name.
    pub held: Vec<HeldLock>,
    /// The longest window in which writes to an existing relation wait.
    pub longest_write_block: Option<Window>,
    /// The longest window in which reads of an existing relation wait.
    pub longest_read_block: Option<Window>,
}

/// The transactions among `statements` (each with its place, whether it runs inside a
/// transaction, and its locks): maximal runs of consecutive statements inside one.
pub fn transactions<'a>(
    statements: impl IntoIterator<Item = (StatementRef, bool, &'a StatementLocks)>,
) -> Vec<TransactionLocks> {
    let mut out = Vec::new();
    let mut run: Vec<(StatementRef, &StatementLocks)> = Vec::new();
    for (at, in_transaction, locks) in statements {
        if in_transaction {
            run.push((at, locks));
        } else if !run.is_empty() {
            out.extend(one(&std::mem::take(&mut run)));
        }
    }
    if !run.is_empty() {
        out.extend(one(&run));
    }
    out
}

fn one(run: &[(StatementRef, &StatementLocks)]) -> Option<TransactionLocks> {
    let (first, _) = *run.first()?;
    let (last, _) = *run.last()?;
    let mut held: BTreeMap<&str, HeldLock> = BTreeMap::new();
    let mut created: BTreeSet<&str> = BTreeSet::new();
    // Relation → (index in the run where the blocking lock is first taken, its mode).
    let mut writes: BTreeMap<&str, usize> = BTreeMap::new();
    let mut reads: BTreeMap<&str, usize> = BTreeMap::new();
    for (k, (at, locks)) in run.iter().enumerate() {
        for lock in &locks.locks {
            let name = lock.relation.as_str();
            if lock.created {
                created.insert(name);
            }
            let entry = held.entry(name).or_insert_with(|| HeldLock {
                relation: lock.relation.clone(),
                mode: lock.mode,
                since: *at,
                created: false,
            });
            entry.mode = entry.mode.max(lock.mode);
            entry.created = created.contains(name);
            if created.contains(name) {
                continue;
            }
            if lock.mode.blocks_writes() {
                writes.entry(name).or_insert(k);
            }
            if lock.mode.blocks_reads() {
                reads.entry(name).or_insert(k);
            }
        }
    }
    let window = |starts: &BTreeMap<&str, usize>, blocked: Duration| {
        starts
            .iter()
            .filter(|(name, _)| !created.contains(*name))
            .map(|(name, &k)| {
                let span = run.get(k..).unwrap_or_default();
                let worst = span
                    .iter()
                    .filter_map(|(_, l)| l.duration)
                    .max()
                    .unwrap_or(Duration::Instant);
                let duration = match worst {
                    Duration::Instant | Duration::Unknown => worst,
                    _ => blocked,
                };
                let estimates: Vec<u64> = span
                    .iter()
                    .filter_map(|(_, l)| l.estimate.map(|e| e.millis))
                    .collect();
                Window {
                    relation: (*name).to_owned(),
                    mode: held
                        .get(*name)
                        .map_or(LockMode::AccessExclusive, |h| h.mode),
                    from: run.get(k).map_or(first, |(at, _)| *at),
                    to: last,
                    statements: span.len(),
                    duration,
                    estimate_millis: (!estimates.is_empty()).then(|| estimates.iter().sum()),
                }
            })
            .max_by(|a, b| {
                (a.statements, a.duration)
                    .cmp(&(b.statements, b.duration))
                    .then(b.relation.cmp(&a.relation))
            })
    };
    let longest_write_block = window(&writes, Duration::RowsWritesBlocked);
    let longest_read_block = window(&reads, Duration::RowsReadsWritesBlocked);
    let mut held: Vec<HeldLock> = held.into_values().collect();
    held.sort_by(|a, b| b.mode.cmp(&a.mode).then(a.relation.cmp(&b.relation)));
    Some(TransactionLocks {
        first,
        last,
        statements: run.len(),
        held,
        longest_write_block,
        longest_read_block,
    })
}

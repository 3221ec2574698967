//! The lock facts of one statement, as the JSON output and the rules see them.

use serde::Serialize;

use super::modes::LockMode;

/// One relation a statement locks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "each flag is one documented fact of the JSON output"
)]
pub struct RelationLock {
    /// Relation name (unqualified; a table, or the index a statement targets).
    pub relation: String,
    /// The strongest mode the statement takes on it, as `pg_locks.mode` names it.
    pub mode: LockMode,
    /// Whether the table (and so its indexes) is rewritten into new files; `null`: unknown.
    pub rewrites: Option<bool>,
    /// Whether it is read in full while locked (validation, index build, `SET NOT NULL`);
    /// `null`: unknown.
    pub scans: Option<bool>,
    /// Whether an index is built on it.
    pub builds_index: bool,
    /// Whether plain `SELECT`s on it wait while the lock is held.
    pub blocks_reads: bool,
    /// Whether `INSERT`/`UPDATE`/`DELETE` on it wait while the lock is held.
    pub blocks_writes: bool,
    /// Whether this statement creates the relation (others cannot see it yet, so its lock
    /// blocks nobody).
    pub created: bool,
}

impl RelationLock {
    /// A lock with nothing else happening to the relation.
    pub(super) fn new(relation: impl Into<String>, mode: LockMode) -> Self {
        Self {
            relation: relation.into(),
            mode,
            rewrites: Some(false),
            scans: Some(false),
            builds_index: false,
            blocks_reads: mode.blocks_reads(),
            blocks_writes: mode.blocks_writes(),
            created: false,
        }
    }

    /// The same lock, rewriting the table (`None`: maybe).
    pub(super) fn rewriting(mut self, rewrites: Option<bool>) -> Self {
        self.rewrites = merge_flag(self.rewrites, rewrites);
        self
    }

    /// The same lock, scanning the table (`None`: maybe).
    pub(super) fn scanning(mut self, scans: Option<bool>) -> Self {
        self.scans = merge_flag(self.scans, scans);
        self
    }

    /// The same lock, building an index (which scans the table).
    pub(super) fn building_index(mut self) -> Self {
        self.builds_index = true;
        self.scans = Some(true);
        self
    }

    /// The same lock on a relation this statement creates.
    pub(super) fn creating(mut self) -> Self {
        self.created = true;
        self.blocks_reads = false;
        self.blocks_writes = false;
        self
    }

    /// Whether the work on this relation grows with its size (`None`: unknown).
    pub fn proportional(&self) -> Option<bool> {
        if self.created {
            return Some(false);
        }
        match (self.rewrites, self.scans) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        }
    }

    /// Folds `other` (a lock on the same relation) into this one.
    pub(super) fn merge(&mut self, other: &Self) {
        self.mode = self.mode.max(other.mode);
        self.rewrites = merge_flag(self.rewrites, other.rewrites);
        self.scans = merge_flag(self.scans, other.scans);
        self.builds_index |= other.builds_index;
        self.created |= other.created;
        self.blocks_reads = !self.created && self.mode.blocks_reads();
        self.blocks_writes = !self.created && self.mode.blocks_writes();
    }
}

/// `true` wins, then unknown, then `false`.
fn merge_flag(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

/// How long a statement holds its locks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Duration {
    /// Catalog changes only: milliseconds, once the lock is granted.
    Instant,
    /// Proportional to the rows, without blocking reads or writes.
    Rows,
    /// Proportional to the rows, with writes blocked throughout.
    RowsWritesBlocked,
    /// Proportional to the rows, with reads and writes blocked throughout.
    RowsReadsWritesBlocked,
    /// The model cannot tell.
    Unknown,
}

/// An estimate from the table statistics in `Settings`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Estimate {
    /// Rows the statement reads or writes (sum over the relations it scans or rewrites).
    pub rows: u64,
    /// Rough wall time in milliseconds (see `locks::estimate` for the throughputs assumed).
    pub millis: u64,
}

/// Everything the lock model says about one statement.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StatementLocks {
    /// Each relation locked, strongest mode first, then by name.
    pub locks: Vec<RelationLock>,
    /// How long the locks are held: the worst over the relations.
    #[serde(rename = "lock_duration")]
    pub duration: Option<Duration>,
    /// With table statistics: rows affected and a duration estimate.
    #[serde(rename = "lock_estimate", skip_serializing_if = "Option::is_none")]
    pub estimate: Option<Estimate>,
    /// What the model could not classify (then `locks` may be incomplete), one entry per
    /// statement part; empty when everything was classified.
    #[serde(rename = "lock_unknown", skip_serializing_if = "Vec::is_empty")]
    pub unknown: Vec<String>,
    /// Version-dependent or conditional facts worth showing (`PG 12+: …`).
    #[serde(rename = "lock_notes", skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl StatementLocks {
    /// Adds a lock, merging with an earlier one on the same relation.
    pub(super) fn add(&mut self, lock: RelationLock) {
        match self.locks.iter_mut().find(|l| l.relation == lock.relation) {
            Some(existing) => existing.merge(&lock),
            None => self.locks.push(lock),
        }
    }

    /// The lock on `relation`, if any.
    pub fn on(&self, relation: &str) -> Option<&RelationLock> {
        self.locks.iter().find(|l| l.relation == relation)
    }

    /// Whether any lock blocks reads of a relation others can see.
    pub fn blocks_reads(&self) -> bool {
        self.locks.iter().any(|l| l.blocks_reads)
    }

    /// Whether any lock blocks writes to a relation others can see.
    pub fn blocks_writes(&self) -> bool {
        self.locks.iter().any(|l| l.blocks_writes)
    }

    /// Sorts the locks and computes the duration class.
    pub(super) fn finish(&mut self) {
        self.locks
            .sort_by(|a, b| b.mode.cmp(&a.mode).then(a.relation.cmp(&b.relation)));
        if !self.unknown.is_empty() {
            self.duration = Some(Duration::Unknown);
            return;
        }
        // Proportional as soon as one relation's work is; unknown only if none is known to be.
        let each: Vec<Option<bool>> = self.locks.iter().map(RelationLock::proportional).collect();
        let proportional = if each.contains(&Some(true)) {
            Some(true)
        } else if each.contains(&None) {
            None
        } else {
            Some(false)
        };
        self.duration = Some(match proportional {
            None => Duration::Unknown,
            Some(false) => Duration::Instant,
            Some(true) if self.blocks_reads() => Duration::RowsReadsWritesBlocked,
            Some(true) if self.blocks_writes() => Duration::RowsWritesBlocked,
            Some(true) => Duration::Rows,
        });
    }
}

//! PostgreSQL's table-level lock modes and their conflict table.
//!
//! Source: the "Conflicting Lock Modes" table of the PostgreSQL documentation (explicit
//! locking), unchanged from 12 to 18. Names are what `pg_locks.mode` shows.

use serde::{Deserialize, Serialize};

/// A table-level lock mode, weakest first (the order is the order of the documentation's
/// table, so `max` picks the mode that conflicts with the most others).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum LockMode {
    /// `ACCESS SHARE`: `SELECT`.
    #[serde(rename = "AccessShareLock")]
    AccessShare,
    /// `ROW SHARE`: `SELECT … FOR UPDATE/SHARE`, an FK check on the referenced table.
    #[serde(rename = "RowShareLock")]
    RowShare,
    /// `ROW EXCLUSIVE`: `INSERT`, `UPDATE`, `DELETE`.
    #[serde(rename = "RowExclusiveLock")]
    RowExclusive,
    /// `SHARE UPDATE EXCLUSIVE`: `VACUUM`, `ANALYZE`, `CREATE INDEX CONCURRENTLY`, `VALIDATE`.
    #[serde(rename = "ShareUpdateExclusiveLock")]
    ShareUpdateExclusive,
    /// `SHARE`: `CREATE INDEX`.
    #[serde(rename = "ShareLock")]
    Share,
    /// `SHARE ROW EXCLUSIVE`: `CREATE TRIGGER`, adding a foreign key.
    #[serde(rename = "ShareRowExclusiveLock")]
    ShareRowExclusive,
    /// `EXCLUSIVE`: `REFRESH MATERIALIZED VIEW CONCURRENTLY`.
    #[serde(rename = "ExclusiveLock")]
    Exclusive,
    /// `ACCESS EXCLUSIVE`: most `ALTER TABLE` forms, `DROP`, `TRUNCATE`.
    #[serde(rename = "AccessExclusiveLock")]
    AccessExclusive,
}

impl LockMode {
    /// Every mode, weakest first.
    pub const ALL: [Self; 8] = [
        Self::AccessShare,
        Self::RowShare,
        Self::RowExclusive,
        Self::ShareUpdateExclusive,
        Self::Share,
        Self::ShareRowExclusive,
        Self::Exclusive,
        Self::AccessExclusive,
    ];

    /// The name `pg_locks.mode` shows (`AccessExclusiveLock`).
    pub fn pg_name(self) -> &'static str {
        match self {
            Self::AccessShare => "AccessShareLock",
            Self::RowShare => "RowShareLock",
            Self::RowExclusive => "RowExclusiveLock",
            Self::ShareUpdateExclusive => "ShareUpdateExclusiveLock",
            Self::Share => "ShareLock",
            Self::ShareRowExclusive => "ShareRowExclusiveLock",
            Self::Exclusive => "ExclusiveLock",
            Self::AccessExclusive => "AccessExclusiveLock",
        }
    }

    /// The mode `pg_locks` names `name`.
    pub fn from_pg_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.pg_name() == name)
    }

    /// The mode `LOCK TABLE … IN <words> MODE` names (`ACCESS EXCLUSIVE`).
    pub fn from_sql_words(words: &str) -> Option<Self> {
        Some(match words {
            "ACCESS SHARE" => Self::AccessShare,
            "ROW SHARE" => Self::RowShare,
            "ROW EXCLUSIVE" => Self::RowExclusive,
            "SHARE UPDATE EXCLUSIVE" => Self::ShareUpdateExclusive,
            "SHARE" => Self::Share,
            "SHARE ROW EXCLUSIVE" => Self::ShareRowExclusive,
            "EXCLUSIVE" => Self::Exclusive,
            "ACCESS EXCLUSIVE" => Self::AccessExclusive,
            _ => return None,
        })
    }

    /// The words `LOCK TABLE … IN <words> MODE` takes for this mode.
    pub fn sql_words(self) -> &'static str {
        match self {
            Self::AccessShare => "ACCESS SHARE",
            Self::RowShare => "ROW SHARE",
            Self::RowExclusive => "ROW EXCLUSIVE",
            Self::ShareUpdateExclusive => "SHARE UPDATE EXCLUSIVE",
            Self::Share => "SHARE",
            Self::ShareRowExclusive => "SHARE ROW EXCLUSIVE",
            Self::Exclusive => "EXCLUSIVE",
            Self::AccessExclusive => "ACCESS EXCLUSIVE",
        }
    }

    /// Whether a lock in this mode and one in `other` cannot be held at once.
    pub fn conflicts_with(self, other: Self) -> bool {
        use LockMode::{
            AccessExclusive as Ae, AccessShare as As, Exclusive as E, RowExclusive as Re,
            RowShare as Rs, Share as S, ShareRowExclusive as Sre, ShareUpdateExclusive as Sue,
        };
        let conflicts: &[LockMode] = match self {
            As => &[Ae],
            Rs => &[E, Ae],
            Re => &[S, Sre, E, Ae],
            Sue => &[Sue, S, Sre, E, Ae],
            S => &[Re, Sue, Sre, E, Ae],
            Sre => &[Re, Sue, S, Sre, E, Ae],
            E => &[Rs, Re, Sue, S, Sre, E, Ae],
            Ae => &Self::ALL,
        };
        conflicts.contains(&other)
    }

    /// Whether it makes plain `SELECT`s wait.
    pub fn blocks_reads(self) -> bool {
        self.conflicts_with(Self::AccessShare)
    }

    /// Whether it makes `INSERT`, `UPDATE` and `DELETE` wait.
    pub fn blocks_writes(self) -> bool {
        self.conflicts_with(Self::RowExclusive)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflict_table_is_symmetric() {
        for a in LockMode::ALL {
            for b in LockMode::ALL {
                assert_eq!(a.conflicts_with(b), b.conflicts_with(a), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn what_blocks_reads_and_writes() {
        let reads: Vec<_> = LockMode::ALL
            .into_iter()
            .filter(|m| m.blocks_reads())
            .collect();
        assert_eq!(reads, [LockMode::AccessExclusive]);
        let writes: Vec<_> = LockMode::ALL
            .into_iter()
            .filter(|m| m.blocks_writes())
            .collect();
        assert_eq!(
            writes,
            [
                LockMode::Share,
                LockMode::ShareRowExclusive,
                LockMode::Exclusive,
                LockMode::AccessExclusive
            ]
        );
        for m in LockMode::ALL {
            assert_eq!(LockMode::from_pg_name(m.pg_name()), Some(m));
        }
    }
}

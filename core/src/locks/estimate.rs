//! Rough durations from table statistics.
//!
//! Throughputs are deliberately round, conservative figures for a mid-size server with warm
//! caches; the estimate says "seconds or hours", not a promise.

use super::facts::{Estimate, RelationLock, StatementLocks};
use super::modes::LockMode;
use crate::source::{Settings, TableStats};

/// Bytes per millisecond read by a sequential scan (≈ 200 MB/s).
const SCAN_BYTES_PER_MS: u64 = 200_000;
/// Bytes per millisecond written by a rewrite, indexes included (≈ 50 MB/s).
const REWRITE_BYTES_PER_MS: u64 = 50_000;
/// Bytes per millisecond for an index build (≈ 100 MB/s).
const INDEX_BYTES_PER_MS: u64 = 100_000;
/// Rows per millisecond an `UPDATE`/`DELETE` changes (≈ 20 000 rows/s).
const DML_ROWS_PER_MS: u64 = 20;
/// Bytes per row assumed when the statistics give rows only.
const BYTES_PER_ROW: u64 = 100;

/// The estimate for `locks`, when some relation it scans or rewrites has statistics.
pub(super) fn estimate(locks: &StatementLocks, settings: &Settings) -> Option<Estimate> {
    let mut total: Option<Estimate> = None;
    for lock in &locks.locks {
        if lock.proportional() != Some(true) {
            continue;
        }
        let Some(stats) = settings.table_stats.get(&lock.relation) else {
            continue;
        };
        let millis = millis(lock, stats);
        let sum = total.get_or_insert(Estimate { rows: 0, millis: 0 });
        sum.rows = sum.rows.saturating_add(stats.rows);
        sum.millis = sum.millis.saturating_add(millis);
    }
    total
}

fn millis(lock: &RelationLock, stats: &TableStats) -> u64 {
    let bytes = if stats.bytes > 0 {
        stats.bytes
    } else {
        stats.rows.saturating_mul(BYTES_PER_ROW)
    };
    if lock.rewrites == Some(true) {
        bytes / REWRITE_BYTES_PER_MS
    } else if lock.builds_index {
        bytes / INDEX_BYTES_PER_MS
    } else if lock.mode == LockMode::RowExclusive {
        stats.rows / DML_ROWS_PER_MS
    } else {
        bytes / SCAN_BYTES_PER_MS
    }
}

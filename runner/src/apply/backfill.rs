//! Backfills: keyset batches on the key, one short transaction each.
//!
//! In: a `backfill` step ([`Backfill`]) and its journal row. Out: every row matching `where`
//! updated with `set`, batch by batch in key order. Invariants: batches follow the key
//! (`key > last`, never `OFFSET`), so each batch finds its start through the index; a batch and
//! its journal row (`lockstep.batches`, primary key per batch number, and the step's `last_key`)
//! commit together, so a resumed backfill starts after the last committed batch and no batch is
//! applied twice. The batch size adapts so that each batch takes about `--batch-target-ms`.

use std::time::{Duration, Instant};

use lockstep_core::plan::{Backfill, Step};
use sqlx::Connection as _;

use super::journal::{self, Key, StepRow};
use super::progress::Observer;
use super::step::{Failure, Retry, Runner, quote_ident, step_error};
use super::{ApplyError, fault};

/// The batch size never goes above this, whatever the timing says.
const MAX_BATCH: u32 = 100_000;

/// Runs (or resumes) a backfill step.
pub(crate) async fn run(
    runner: &mut Runner<'_>,
    step: &Step,
    resume: Option<&StepRow>,
    observer: &mut dyn Observer,
) -> Result<(), ApplyError> {
    let Some(spec) = &step.backfill else {
        return Err(ApplyError::StepFailed {
            step: step.id.clone(),
            message: "a backfill step without its backfill spec".to_owned(),
        });
    };
    let start = Instant::now();
    let key_column = quoted(&spec.key);
    let key_type = key_type(runner, step, spec).await?;
    let mut last_key = resume.and_then(|r| r.last_key.clone());
    let mut batches = resume.map_or(0, |r| r.batches);
    let mut rows = u64::try_from(resume.map_or(0, |r| r.rows)).unwrap_or(0);
    if last_key.is_some() {
        observer.note(&format!(
            "step `{}`: resuming the backfill after key {} ({batches} batches, {rows} rows done)",
            step.id,
            last_key.as_deref().unwrap_or_default()
        ));
    }
    let remaining = remaining(runner, spec).await;
    observer.backfill_start(step, remaining.map(|r| r + rows), rows);
    let queries = Queries::new(spec, &key_column, &key_type);
    let mut size = spec.batch_size.clamp(1, MAX_BATCH);
    loop {
        let number = batches + 1;
        let mut retry = Retry::default();
        let outcome = loop {
            let attempt = retry.begin();
            let result = batch(runner, step, &queries, last_key.as_deref(), size, number).await;
            if let Some(outcome) = retry.end(runner, step, observer, attempt, result).await? {
                break outcome;
            }
        };
        let Some(done) = outcome else {
            break;
        };
        fault::point("batch", &step.id);
        batches = number;
        rows += done.rows;
        last_key = Some(done.to_key);
        observer.backfill_rows(step, rows, size);
        size = adapt(size, done.elapsed, runner.options.batch_target);
    }
    observer.backfill_done(step, rows);
    runner.finish(step, start, None).await
}

/// A batch that committed.
struct Done {
    to_key: String,
    rows: u64,
    elapsed: Duration,
}

/// The two texts of the batch statement: the first batch has no lower bound.
struct Queries {
    first: String,
    next: String,
}

impl Queries {
    fn new(spec: &Backfill, key: &str, key_type: &str) -> Self {
        let make = |bound: &str| {
            format!(
                "WITH batch AS (SELECT {key} AS k FROM {table} WHERE {bound}({filter}) \
                     ORDER BY {key} LIMIT $1), \
                 done AS (UPDATE {table} SET {set} WHERE {key} IN (SELECT k FROM batch) \
                     AND ({filter}) RETURNING 1) \
                 SELECT (SELECT k::text AS last FROM batch ORDER BY batch.k DESC LIMIT 1), \
                        (SELECT count(*) FROM done)",
                table = spec.table,
                set = spec.set,
                filter = if spec.r#where.trim().is_empty() {
                    "true"
                } else {
                    spec.r#where.as_str()
                },
            )
        };
        Self {
            first: make(""),
            next: make(&format!("{key} > $2::text::{key_type} AND ")),
        }
    }
}

/// One batch in its own transaction, with its journal rows. `None` when no row is left.
async fn batch(
    runner: &mut Runner<'_>,
    step: &Step,
    queries: &Queries,
    last_key: Option<&str>,
    size: u32,
    number: i32,
) -> Result<Option<Done>, Failure> {
    let start = Instant::now();
    let digest = runner.digest.clone();
    let direction = runner.direction;
    let mut tx = runner.conn.begin().await?;
    sqlx::raw_sql(&format!(
        "SET LOCAL lock_timeout = {}; SET LOCAL statement_timeout = {}",
        step.lock_timeout_ms, step.statement_timeout_ms
    ))
    .execute(&mut *tx)
    .await?;
    let limit = i64::from(size);
    let (to_key, updated): (Option<String>, i64) = match last_key {
        None => {
            sqlx::query_as(&queries.first)
                .bind(limit)
                .fetch_one(&mut *tx)
                .await?
        }
        Some(last) => {
            sqlx::query_as(&queries.next)
                .bind(limit)
                .bind(last)
                .fetch_one(&mut *tx)
                .await?
        }
    };
    let Some(to_key) = to_key else {
        tx.rollback().await?;
        return Ok(None);
    };
    fault::point("inside", &step.id);
    let elapsed = start.elapsed();
    let record = journal::Batch {
        number,
        from_key: last_key,
        to_key: &to_key,
        rows: updated,
        duration_ms: i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX),
    };
    let key = Key {
        digest: &digest,
        direction,
        step_id: &step.id,
    };
    journal::record_batch(&mut tx, key, &record).await?;
    tx.commit().await?;
    Ok(Some(Done {
        to_key,
        rows: u64::try_from(updated).unwrap_or(0),
        elapsed,
    }))
}

/// The next batch size: scaled towards the target duration, at most doubling or halving.
pub(crate) fn adapt(size: u32, took: Duration, target: Duration) -> u32 {
    let took = took.as_secs_f64().max(0.000_1);
    let factor = (target.as_secs_f64() / took).clamp(0.5, 2.0);
    let next = (f64::from(size) * factor).round();
    if next >= f64::from(MAX_BATCH) {
        MAX_BATCH
    } else if next <= 1.0 {
        1
    } else {
        // In range by the checks above.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let next = next as u32;
        next
    }
}

/// `"key"` quoted unless the plan quoted it already.
fn quoted(key: &str) -> String {
    if key.starts_with('"') {
        key.to_owned()
    } else {
        quote_ident(key)
    }
}

/// The key column's type as `format_type` prints it, to cast the journaled last key back.
async fn key_type(
    runner: &mut Runner<'_>,
    step: &Step,
    spec: &Backfill,
) -> Result<String, ApplyError> {
    let column = spec.key.trim_matches('"').replace("\"\"", "\"");
    let found: Option<String> = sqlx::query_scalar(
        "SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a \
         WHERE a.attrelid = to_regclass($1) AND a.attname = $2 AND NOT a.attisdropped",
    )
    .bind(&spec.table)
    .bind(&column)
    .fetch_optional(&mut runner.conn)
    .await
    .map_err(|e| step_error(step, &e))?;
    found.ok_or_else(|| ApplyError::StepFailed {
        step: step.id.clone(),
        message: format!("the key column `{column}` of {} does not exist", spec.table),
    })
}

/// Rows still to update, for the progress bar's ETA; `None` when counting takes too long.
async fn remaining(runner: &mut Runner<'_>, spec: &Backfill) -> Option<u64> {
    let filter = if spec.r#where.trim().is_empty() {
        "true"
    } else {
        spec.r#where.as_str()
    };
    let mut tx = runner.conn.begin().await.ok()?;
    sqlx::query("SET LOCAL statement_timeout = 5000")
        .execute(&mut *tx)
        .await
        .ok()?;
    let count: i64 = sqlx::query_scalar(&format!(
        "SELECT count(*) FROM {} WHERE ({filter})",
        spec.table
    ))
    .fetch_one(&mut *tx)
    .await
    .ok()?;
    tx.rollback().await.ok()?;
    u64::try_from(count).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_size_follows_the_target_within_limits() {
        let target = Duration::from_millis(200);
        assert_eq!(adapt(1000, Duration::from_millis(100), target), 2000);
        assert_eq!(adapt(1000, Duration::from_millis(10), target), 2000);
        assert_eq!(adapt(1000, Duration::from_millis(400), target), 500);
        assert_eq!(adapt(1000, Duration::from_secs(10), target), 500);
        assert_eq!(adapt(1000, Duration::from_millis(250), target), 800);
        assert_eq!(adapt(1, Duration::from_secs(1), target), 1);
        assert_eq!(adapt(90_000, Duration::ZERO, target), MAX_BATCH);
    }

    #[test]
    fn batches_are_keyset_never_offset() {
        let spec = Backfill {
            table: "\"shop_order\"".into(),
            key: "id".into(),
            set: "\"status\" = 'new'".into(),
            r#where: "\"status\" IS NULL".into(),
            batch_size: 100,
        };
        let q = Queries::new(&spec, "\"id\"", "bigint");
        assert!(
            q.next
                .contains("\"id\" > $2::text::bigint AND (\"status\" IS NULL)")
        );
        assert!(!q.first.contains("$2"));
        // The last key is the greatest in the key's own order, not as text ("99" > "400").
        assert!(q.first.contains("ORDER BY batch.k DESC"));
        assert!(!q.first.to_uppercase().contains("OFFSET"));
        assert!(!q.next.to_uppercase().contains("OFFSET"));
    }
}

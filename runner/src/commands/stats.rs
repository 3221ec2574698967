//! `lockstep stats`: table sizes as the JSON the reviewer's settings accept.

use std::collections::BTreeMap;
use std::io::Write as _;

use serde::Serialize;

use crate::cli::StatsArgs;
use crate::db;

/// One table's size.
#[derive(Debug, Serialize)]
struct TableStats {
    /// Estimated rows (`pg_class.reltuples`; 0 for a never-analysed table).
    rows: i64,
    /// Table, indexes and TOAST, in bytes.
    bytes: i64,
    /// Number of indexes.
    indexes: i64,
}

pub(crate) fn run(args: &StatsArgs) -> anyhow::Result<u8> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let stats = runtime.block_on(read(&args.database_url, &args.tables))?;
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, &stats)?;
    writeln!(stdout)?;
    Ok(crate::exit::OK)
}

async fn read(url: &str, tables: &[String]) -> anyhow::Result<BTreeMap<String, TableStats>> {
    let mut connection = db::connect(url).await?;
    let rows: Vec<(String, f32, i64, i64)> = sqlx::query_as(
        "SELECT c.relname::text, c.reltuples, pg_total_relation_size(c.oid), \
                (SELECT count(*) FROM pg_index i WHERE i.indrelid = c.oid) \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p') AND n.nspname = 'public' \
           AND (cardinality($1::text[]) = 0 OR c.relname = ANY($1)) \
         ORDER BY 1",
    )
    .bind(tables)
    .fetch_all(&mut connection)
    .await?;
    let missing: Vec<&String> = tables
        .iter()
        .filter(|t| !rows.iter().any(|r| &r.0 == *t))
        .collect();
    if !missing.is_empty() {
        anyhow::bail!(
            "no such table in the public schema: {}",
            missing
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(rows
        .into_iter()
        .map(|(name, reltuples, bytes, indexes)| {
            // reltuples is -1 for a table never vacuumed or analysed (PG 14+).
            #[allow(
                clippy::cast_possible_truncation,
                reason = "row estimates are far below 2^63"
            )]
            let rows = reltuples.max(0.0).round() as i64;
            (
                name,
                TableStats {
                    rows,
                    bytes,
                    indexes,
                },
            )
        })
        .collect())
}

//! What the summary bar and the migration views say, computed from the analysis.

use std::collections::{BTreeMap, BTreeSet};

use lockstep_core::analysis::{FileAnalysis, OperationAnalysis};
use lockstep_core::locks::{Duration, Window};
use lockstep_core::review::Acknowledgement;
use lockstep_core::{Analysis, Finding, Severity};

/// The longest stretch during which writes to an existing table wait.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteBlock {
    /// `app.migration` (or the `.sql` file's name).
    pub migration: String,
    /// The blocked table.
    pub relation: String,
    /// The blocking lock, as `pg_locks` names it.
    pub mode: &'static str,
    /// Statements run while it is held.
    pub statements: usize,
    /// Its duration class.
    pub duration: Duration,
    /// With table statistics, the estimate in milliseconds.
    pub estimate_millis: Option<u64>,
}

impl WriteBlock {
    /// How long, in words.
    pub fn how_long(&self) -> String {
        let class = duration_words(self.duration);
        match self.estimate_millis {
            Some(ms) => format!("{class}, about {}", millis_words(ms)),
            None => class.to_owned(),
        }
    }
}

/// The summary bar.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Findings by severity.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Info.
    pub infos: usize,
    /// Findings acknowledged.
    pub acknowledged: usize,
    /// Errors neither fixed nor acknowledged: they block approval.
    pub blocking: usize,
    /// Tables (and indexes) any statement locks, sorted.
    pub tables: Vec<String>,
    /// Statements analysed.
    pub statements: usize,
    /// The longest write-blocking window.
    pub longest_write_block: Option<WriteBlock>,
}

/// The summary of `analysis`, given the acknowledgements.
pub fn summarize(analysis: &Analysis, acks: &BTreeMap<String, Acknowledgement>) -> Summary {
    let mut summary = Summary::default();
    for finding in &analysis.findings {
        let acknowledged = acks.contains_key(&finding.fingerprint);
        summary.acknowledged += usize::from(acknowledged);
        match finding.severity {
            Severity::Error => {
                summary.errors += 1;
                summary.blocking += usize::from(!acknowledged);
            }
            Severity::Warning => summary.warnings += 1,
            Severity::Info => summary.infos += 1,
        }
    }
    let mut tables = BTreeSet::new();
    for file in &analysis.files {
        for operation in &file.operations {
            for statement in &operation.statements {
                summary.statements += 1;
                tables.extend(statement.locks.locks.iter().map(|l| l.relation.clone()));
            }
        }
    }
    summary.tables = tables.into_iter().collect();
    summary.longest_write_block = analysis
        .files
        .iter()
        .flat_map(|file| write_blocks(file).into_iter())
        .max_by_key(|block| {
            (
                block.estimate_millis,
                duration_rank(block.duration),
                block.statements,
            )
        });
    summary
}

/// The write-blocking windows of a file: each transaction's longest, and each statement that
/// blocks writes outside a transaction.
fn write_blocks(file: &FileAnalysis) -> Vec<WriteBlock> {
    let migration = format!("{}.{}", file.app_label, file.name);
    let window = |w: &Window| WriteBlock {
        migration: migration.clone(),
        relation: w.relation.clone(),
        mode: w.mode.pg_name(),
        statements: w.statements,
        duration: w.duration,
        estimate_millis: w.estimate_millis,
    };
    let mut out: Vec<WriteBlock> = file
        .transactions
        .iter()
        .filter_map(|t| t.longest_write_block.as_ref())
        .map(window)
        .collect();
    for statement in file.operations.iter().flat_map(|o| &o.statements) {
        if statement.transaction {
            continue;
        }
        let Some(lock) = statement.locks.locks.iter().find(|l| l.blocks_writes) else {
            continue;
        };
        out.push(WriteBlock {
            migration: migration.clone(),
            relation: lock.relation.clone(),
            mode: lock.mode.pg_name(),
            statements: 1,
            duration: statement.locks.duration.unwrap_or(Duration::Unknown),
            estimate_millis: statement.locks.estimate.map(|e| e.millis),
        });
    }
    out
}

/// Longer first: proportional to the rows beats unknown beats instant.
fn duration_rank(duration: Duration) -> u8 {
    match duration {
        Duration::Instant => 0,
        Duration::Unknown => 1,
        Duration::Rows => 2,
        Duration::RowsWritesBlocked => 3,
        Duration::RowsReadsWritesBlocked => 4,
    }
}

/// A duration class in words.
pub fn duration_words(duration: Duration) -> &'static str {
    match duration {
        Duration::Instant => "instant (catalog change only)",
        Duration::Rows => "proportional to the table's rows, nothing blocked",
        Duration::RowsWritesBlocked => "proportional to the table's rows, writes blocked",
        Duration::RowsReadsWritesBlocked => {
            "proportional to the table's rows, reads and writes blocked"
        }
        Duration::Unknown => "unknown",
    }
}

/// Milliseconds as a person reads them: `850 ms`, `12 s`, `4 min`, `2.5 h`.
pub fn millis_words(ms: u64) -> String {
    match ms {
        0..1_000 => format!("{ms} ms"),
        1_000..120_000 => format!("{} s", ms / 1_000),
        120_000..7_200_000 => format!("{} min", ms / 60_000),
        _ => format!(
            "{:.1} h",
            f64::from(u32::try_from(ms / 60_000).unwrap_or(u32::MAX)) / 60.0
        ),
    }
}

/// `Some(true)` → `yes`, `Some(false)` → `no`, `None` → `maybe`.
pub fn flag_words(flag: Option<bool>) -> &'static str {
    match flag {
        Some(true) => "yes",
        Some(false) => "no",
        None => "maybe",
    }
}

/// The findings about one operation of one file.
pub fn findings_of<'a>(
    findings: &'a [Finding],
    file: &FileAnalysis,
    operation: &OperationAnalysis,
) -> Vec<&'a Finding> {
    findings
        .iter()
        .filter(|f| f.path == file.path && f.operation_index == Some(operation.index))
        .collect()
}

/// The findings of each operation of `file`, by operation index: one pass over the findings,
/// so a file of many operations with many findings is not quadratic to show.
pub fn findings_by_operation<'a>(
    findings: &'a [Finding],
    file: &FileAnalysis,
) -> std::collections::BTreeMap<usize, Vec<&'a Finding>> {
    let mut by_operation: std::collections::BTreeMap<usize, Vec<&'a Finding>> =
        std::collections::BTreeMap::new();
    for finding in findings.iter().filter(|f| f.path == file.path) {
        if let Some(index) = finding.operation_index {
            by_operation.entry(index).or_default().push(finding);
        }
    }
    by_operation
}

/// The findings about a file that belong to no operation (parse errors, mostly).
pub fn file_findings<'a>(findings: &'a [Finding], file: &FileAnalysis) -> Vec<&'a Finding> {
    findings
        .iter()
        .filter(|f| f.path == file.path && f.operation_index.is_none())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lockstep_core::source::TableStats;
    use lockstep_core::{Settings, SourceFile};

    fn example(settings: &Settings) -> Analysis {
        let files: Vec<SourceFile> = lockstep_core::examples::REVIEW
            .iter()
            .map(|(p, t)| SourceFile::from_text(*p, *t))
            .collect();
        lockstep_core::analyze(&files, settings)
    }

    #[test]
    fn the_example_summary() {
        let analysis = example(&Settings::default());
        let mut acks = BTreeMap::new();
        let summary = summarize(&analysis, &acks);
        // The non-concurrent index, and the same build under the AddField's exclusive lock.
        assert_eq!(summary.errors, 2);
        assert_eq!(summary.blocking, 2);
        assert!(
            summary.tables.contains(&"shop_order".to_owned()),
            "{:?}",
            summary.tables
        );
        let block = summary.longest_write_block.unwrap();
        assert_eq!(block.relation, "shop_order");
        assert_eq!(block.migration, "shop.0002_order_created");
        assert_eq!(block.estimate_millis, None);
        let error = analysis
            .findings
            .iter()
            .find(|f| f.severity == Severity::Error)
            .unwrap();
        let fingerprint = error.fingerprint.clone();
        acks.insert(
            fingerprint,
            Acknowledgement {
                by: "ana".into(),
                reason: "small table".into(),
            },
        );
        let summary = summarize(&analysis, &acks);
        assert_eq!((summary.blocking, summary.acknowledged), (1, 1));
    }

    #[test]
    fn statistics_give_the_window_an_estimate() {
        let mut settings = Settings::default();
        settings.table_stats.insert(
            "shop_order".into(),
            TableStats {
                rows: 50_000_000,
                bytes: 0,
            },
        );
        let block = summarize(&example(&settings), &BTreeMap::new())
            .longest_write_block
            .unwrap();
        assert!(block.estimate_millis.unwrap() > 1_000, "{block:?}");
        assert!(block.how_long().contains("about"), "{}", block.how_long());
    }

    #[test]
    fn millis_read_naturally() {
        assert_eq!(millis_words(850), "850 ms");
        assert_eq!(millis_words(12_400), "12 s");
        assert_eq!(millis_words(240_000), "4 min");
        assert_eq!(millis_words(9_000_000), "2.5 h");
    }

    #[test]
    fn findings_are_grouped_by_operation() {
        let analysis = example(&Settings::default());
        let file = &analysis.files[0];
        let add_index = &file.operations[1];
        let rules = |op| {
            findings_of(&analysis.findings, file, op)
                .iter()
                .map(|f| f.rule)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            rules(add_index),
            [
                "add-index-non-concurrent",
                "index-build-under-exclusive-lock"
            ]
        );
        assert_eq!(
            rules(&file.operations[0]),
            ["missing-lock-timeout", "unknown-expression"]
        );
        assert!(file_findings(&analysis.findings, file).is_empty());
    }
}

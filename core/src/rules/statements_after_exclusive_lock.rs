use super::{Ctx, Report, Severity, declare_rule};
use crate::analysis::{OperationAnalysis, StatementAnalysis};
use crate::locks::{Duration, LockMode, StatementRef};
use crate::sql::StatementKind;

declare_rule! {
    /// ## What it flags
    /// In one transaction (an atomic Django migration, or `BEGIN` … `COMMIT`), a statement
    /// that takes `ACCESS EXCLUSIVE` on an existing table, followed by statements that are not
    /// instant or that lock other existing tables. Statements that only make more instant
    /// changes to tables already held are fine and not counted; index builds after the lock
    /// are `index-build-under-exclusive-lock`.
    ///
    /// ## Why it hurts
    /// Locks are released only at commit. Every later statement runs while reads and writes of
    /// the first table wait: a slow one keeps it blocked for its whole duration, and a lock
    /// request on another table can wait (behind that table's long queries) while the first
    /// table stays blocked.
    ///
    /// ## Safe alternative
    /// One exclusive change per transaction, committed before the next. Django: split the
    /// migration so the exclusive operation is alone (or last) in its migration:
    /// ```python
    /// # 0005_note.py
    /// operations = [migrations.AddField("order", "note", models.TextField(null=True))]
    /// # 0006_customer_flag.py
    /// operations = [migrations.AddField("customer", "flag", models.BooleanField(null=True))]
    /// ```
    /// SQL:
    /// ```sql
    /// BEGIN; ALTER TABLE "shop_order" ADD COLUMN "note" text; COMMIT;
    /// BEGIN; ALTER TABLE "shop_customer" ADD COLUMN "flag" boolean; COMMIT;
    /// ```
    ///
    /// ## When it is fine
    /// The table is created in the same transaction, or the statements after it are instant
    /// changes to the same table.
    pub(crate) static STATEMENTS_AFTER_EXCLUSIVE_LOCK = { id: "statements-after-exclusive-lock", severity: Severity::Warning }
}

/// The first `ACCESS EXCLUSIVE` on an existing relation in a transaction, and the
/// statements after it in the same transaction.
pub(super) struct ExclusiveWindow<'a> {
    /// The statement that takes the lock.
    pub(super) operation: &'a OperationAnalysis,
    pub(super) statement: &'a StatementAnalysis,
    /// The relation locked.
    pub(super) relation: String,
    /// Later statements of the transaction, in order.
    pub(super) followers: Vec<(&'a OperationAnalysis, &'a StatementAnalysis)>,
}

/// Every transaction's first exclusive window.
pub(super) fn windows<'a>(ctx: &Ctx<'a>) -> Vec<ExclusiveWindow<'a>> {
    let file = ctx.file();
    let mut out = Vec::new();
    for transaction in &file.transactions {
        let mut window: Option<ExclusiveWindow<'a>> = None;
        for (operation, statement, at) in statements_with_refs(ctx) {
            if at < transaction.first || at > transaction.last {
                continue;
            }
            if let Some(window) = &mut window {
                window.followers.push((operation, statement));
                continue;
            }
            // `DROP INDEX` locks the index and its table: name the table.
            let indexes: &[String] = match &statement.statement.kind {
                StatementKind::DropIndex { names, .. } => names,
                _ => &[],
            };
            let exclusive = statement.locks.locks.iter().find(|l| {
                l.mode == LockMode::AccessExclusive
                    && !indexes.contains(&l.relation)
                    && !l.created
                    && !ctx.is_created_here(&l.relation, operation.index)
            });
            if let Some(lock) = exclusive {
                window = Some(ExclusiveWindow {
                    operation,
                    statement,
                    relation: lock.relation.clone(),
                    followers: Vec::new(),
                });
            }
        }
        out.extend(window);
    }
    out
}

fn statements_with_refs<'a>(
    ctx: &Ctx<'a>,
) -> impl Iterator<Item = (&'a OperationAnalysis, &'a StatementAnalysis, StatementRef)> + use<'a> {
    ctx.file().operations.iter().flat_map(|op| {
        op.statements.iter().enumerate().map(move |(i, s)| {
            (
                op,
                s,
                StatementRef {
                    operation: op.index,
                    statement: i,
                },
            )
        })
    })
}

/// Whether a statement's existing (not created) relation locks build an index.
pub(super) fn builds_index_on_existing(
    ctx: &Ctx<'_>,
    operation: &OperationAnalysis,
    statement: &StatementAnalysis,
) -> Option<String> {
    statement
        .locks
        .locks
        .iter()
        .find(|l| {
            l.builds_index && !l.created && !ctx.is_created_here(&l.relation, operation.index)
        })
        .map(|l| l.relation.clone())
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    for window in windows(ctx) {
        let mut held: Vec<&str> = vec![window.relation.as_str()];
        let mut costly: Vec<String> = Vec::new();
        for (operation, statement) in &window.followers {
            if builds_index_on_existing(ctx, operation, statement).is_some() {
                continue;
            }
            let existing: Vec<_> = statement
                .locks
                .locks
                .iter()
                .filter(|l| !l.created && !ctx.is_created_here(&l.relation, operation.index))
                .collect();
            let instant = statement.locks.duration == Some(Duration::Instant);
            let other = existing
                .iter()
                .find(|l| !held.contains(&l.relation.as_str()));
            let first_line = statement.statement.sql.lines().next().unwrap_or("").trim();
            if !instant {
                costly.push(format!("`{first_line}` (not instant)"));
            } else if let Some(lock) = other {
                costly.push(format!(
                    "`{first_line}` (waits for `{}` on `{}`)",
                    lock.mode.sql_words(),
                    lock.relation
                ));
            }
            for lock in existing {
                if lock.mode == LockMode::AccessExclusive && !held.contains(&lock.relation.as_str())
                {
                    held.push(lock.relation.as_str());
                }
            }
        }
        let Some(example) = costly.first() else {
            continue;
        };
        let relation = &window.relation;
        let count = costly.len();
        let statements = if count == 1 {
            "statement that takes time or waits"
        } else {
            "statements that take time or wait"
        };
        let split = if ctx.is_sql_file() {
            let sql = window.statement.statement.sql.trim();
            format!(
                "Commit right after the exclusive statement, and run the rest in a transaction of their own:\n\
                 ```sql\n{sql}\nCOMMIT;\nBEGIN;\n```"
            )
        } else {
            format!(
                "Move operation {} ({}) into a migration of its own, so its transaction commits as soon as \
                 it is done; put the following operations in the next migration.",
                window.operation.index, window.operation.kind
            )
        };
        ctx.report(Report {
            rule: &STATEMENTS_AFTER_EXCLUSIVE_LOCK,
            span: ctx.span_for(window.operation, window.statement),
            message: format!(
                "`ACCESS EXCLUSIVE` on `{relation}` is held until commit, through {count} more {statements} \
                 for other locks, e.g. {example}: reads and writes of `{relation}` wait meanwhile"
            ),
            safe_alternative: split,
            operation: Some(window.operation),
            statement: Some(window.statement),
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_utils::{findings, render_findings, rule_ids};

    #[test]
    fn fires_when_slow_or_other_table_statements_follow() {
        let found: Vec<_> = findings(
            "db/0013.sql",
            "SET lock_timeout = '2s';\nBEGIN;\nALTER TABLE shop_order ADD COLUMN note text;\n\
             ALTER TABLE shop_order ADD COLUMN memo text;\nALTER TABLE shop_customer ADD COLUMN flag boolean;\n\
             UPDATE shop_customer SET flag = true;\nCOMMIT;",
        )
        .into_iter()
        .filter(|f| f.rule == "statements-after-exclusive-lock")
        .collect();
        insta::assert_snapshot!(render_findings(&found));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line, 3);
    }

    #[test]
    fn instant_changes_to_the_same_table_and_autocommit_do_not_fire() {
        for sql in [
            "BEGIN;\nALTER TABLE shop_order ADD COLUMN note text;\nALTER TABLE shop_order ADD COLUMN memo text;\nCOMMIT;",
            "ALTER TABLE shop_order ADD COLUMN note text;\nUPDATE shop_order SET note = '';",
            "BEGIN;\nCREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN a int;\nINSERT INTO t VALUES (1);\nCOMMIT;",
        ] {
            assert!(
                !rule_ids("db/0013.sql", sql).contains(&"statements-after-exclusive-lock"),
                "{sql}"
            );
        }
    }
}

use super::rewrite;
use super::shape::Shape;
use super::{Ctx, Severity, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `REINDEX INDEX|TABLE|SCHEMA|DATABASE …` without `CONCURRENTLY`, in a `.sql` file or
    /// `RunSQL`.
    ///
    /// ## Why it hurts
    /// It holds a `SHARE` lock on the table (writes wait) and an `ACCESS EXCLUSIVE` lock on each
    /// index it rebuilds (queries that would use the index wait) for the whole rebuild.
    ///
    /// ## Safe alternative
    /// `REINDEX … CONCURRENTLY` (PostgreSQL 12+), outside a transaction; it builds a new index
    /// next to the old one and swaps them:
    /// ```sql
    /// REINDEX INDEX CONCURRENTLY "shop_order_created_idx";
    /// ```
    /// Django: the same statement in `RunSQL`, in a migration with `atomic = False`.
    ///
    /// ## When it is fine
    /// The table is created in the same migration, or is idle while it runs. `REINDEX SYSTEM`
    /// has no concurrent form.
    ///
    /// ## References
    /// PostgreSQL: REINDEX, "Rebuilding Indexes Concurrently".
    pub(crate) static REINDEX_NON_CONCURRENT = { id: "reindex-non-concurrent", severity: Severity::Warning }
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    for (_, op, statement, shapes) in rewrite::placed(ctx) {
        for shape in &shapes {
            let Shape::Reindex {
                target,
                name,
                concurrently: false,
            } = shape
            else {
                continue;
            };
            if target == "SYSTEM" {
                continue;
            }
            let tables: Vec<&str> = statement
                .locks
                .locks
                .iter()
                .filter(|l| l.builds_index)
                .map(|l| l.relation.as_str())
                .collect();
            if !tables.is_empty() && tables.iter().all(|t| ctx.is_created_here(t, op.index)) {
                continue;
            }
            let on = match tables.as_slice() {
                [] => "its tables".to_owned(),
                tables => tables
                    .iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            let message = format!(
                "`REINDEX {target} {name}` holds `SHARE` on {on} (writes wait) and `ACCESS EXCLUSIVE` on each \
                 index it rebuilds (queries that would use it wait) for the whole rebuild"
            );
            let concurrent = format!("REINDEX {target} CONCURRENTLY {name};");
            let mut alternative = String::from(
                "Rebuild it concurrently (PostgreSQL 12+): a new index is built beside the old one, then swapped; \
                 reads and writes go on. It cannot run inside a transaction.\n\n",
            );
            if rewrite::is_django(ctx) {
                alternative.push_str(&rewrite::django_intro("`atomic = False`"));
                alternative.push('\n');
                alternative.push_str(&rewrite::py_block(&rewrite::migration_class(
                    false,
                    &[rewrite::run_sql(std::slice::from_ref(&concurrent), &[])],
                )));
                alternative.push_str("\n\nSQL:\n");
            }
            alternative.push_str(&rewrite::sql_block(&[concurrent]));
            rewrite::report(
                ctx,
                &REINDEX_NON_CONCURRENT,
                op,
                statement,
                message,
                alternative,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::rewrite::testing::file_findings as findings;
    use crate::rules::rewrite::testing::{ids, render};

    #[test]
    fn fires_on_reindex() {
        let sql = "REINDEX TABLE shop_order;";
        let found = findings("db/0012.sql", sql);
        // sqlparser does not read REINDEX, but the lock model does: no `runsql-opaque`.
        assert_eq!(ids(&found), ["reindex-non-concurrent"]);
        insta::assert_snapshot!(render(&found[0], sql));
    }

    #[test]
    fn concurrent_and_new_tables_do_not_fire() {
        let sql = "CREATE TABLE t (a int);\nREINDEX TABLE t;\nREINDEX TABLE CONCURRENTLY u;";
        let found = findings("db/0001.sql", sql);
        assert!(
            !ids(&found).contains(&"reindex-non-concurrent"),
            "{found:#?}"
        );
    }
}

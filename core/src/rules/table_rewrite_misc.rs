use super::words::Words;
use super::{Ctx, Report, Severity, declare_rule};

declare_rule! {
    /// ## What it flags
    /// Statements that rewrite a whole existing table under `ACCESS EXCLUSIVE`, other than
    /// column changes: `ALTER TABLE … SET TABLESPACE`, `SET LOGGED`, `SET UNLOGGED`,
    /// `SET ACCESS METHOD`, `VACUUM FULL`, `CLUSTER`.
    ///
    /// ## Why it hurts
    /// `ACCESS EXCLUSIVE` blocks reads and writes while the table and all its indexes are
    /// copied into new files: minutes to hours on a large table, and twice its size on disk
    /// meanwhile.
    ///
    /// ## Safe alternative
    /// Do it online with `pg_repack` (it takes the exclusive lock only briefly, at the end),
    /// outside the migration:
    /// ```sh
    /// pg_repack --table=public.shop_order --dbname=shop      # instead of VACUUM FULL / CLUSTER
    /// pg_repack --table=public.shop_order --tablespace=fast  # instead of SET TABLESPACE
    /// ```
    /// or build a new table, copy in batches, and swap names. Django: drop the `RunSQL`.
    /// SQL: drop the statement from the migration and schedule the `pg_repack` run.
    ///
    /// ## When it is fine
    /// The table is created in the same migration, or the table is small and a short outage
    /// is accepted (acknowledge it).
    pub(crate) static TABLE_REWRITE_MISC = { id: "table-rewrite-misc", severity: Severity::Error }
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    for (operation, statement) in ctx.statements() {
        let words = Words::new(&statement.statement.sql);
        let found = if words.starts("ALTER TABLE") {
            let what = [
                (
                    "SET TABLESPACE",
                    "SET TABLESPACE",
                    "--tablespace=<tablespace> ",
                ),
                ("SET LOGGED", "SET LOGGED", ""),
                ("SET UNLOGGED", "SET UNLOGGED", ""),
                ("SET ACCESS METHOD", "SET ACCESS METHOD", ""),
            ]
            .into_iter()
            .find(|(kws, _, _)| words.find(2, kws).is_some());
            let Some((_, what, option)) = what else {
                continue;
            };
            if words.at(2, "ALL IN TABLESPACE") {
                continue;
            }
            words.name_after(2).map(|(t, _)| (t, what, option))
        } else if words.starts("VACUUM") && words.contains("FULL") {
            // The table is the last name: `VACUUM (FULL, ANALYZE) t`, `VACUUM FULL VERBOSE t`.
            let last = words.toks().iter().rposition(|t| t.ident().is_some());
            last.and_then(|i| {
                let start = if i >= 2 && words.get(i - 1).is_some_and(|t| t.is_sym(".")) {
                    i - 2
                } else {
                    i
                };
                words.name(start)
            })
            .filter(|(t, _)| !["full", "verbose", "analyze", "freeze"].contains(&t.as_str()))
            .map(|(t, _)| (t, "VACUUM FULL", ""))
        } else if words.starts("CLUSTER") {
            let at = if words.at(1, "VERBOSE") { 2 } else { 1 };
            words.name(at).map(|(t, _)| (t, "CLUSTER", ""))
        } else {
            continue;
        };
        let Some((table, what, option)) = found else {
            continue;
        };
        if ctx.is_created_here(&table, operation.index) {
            continue;
        }
        let repack = if what == "SET LOGGED"
            || what == "SET UNLOGGED"
            || what == "SET ACCESS METHOD"
        {
            format!(
                "Create the new table as it should be (`CREATE {}TABLE \"{table}_new\" (LIKE \"{table}\" INCLUDING ALL)`), \
                 copy rows in keyset batches, keep it in sync with a trigger, then swap names in one short transaction.",
                if what == "SET UNLOGGED" {
                    "UNLOGGED "
                } else {
                    ""
                }
            )
        } else {
            format!(
                "Take it out of the migration and run it online with pg_repack, which holds the exclusive lock \
                 only for the final swap:\n```sh\npg_repack --table={table} {option}--dbname=<database>\n```"
            )
        };
        ctx.report(Report {
            rule: &TABLE_REWRITE_MISC,
            span: ctx.span_for(operation, statement),
            message: format!(
                "`{what}` rewrites `{table}` and its indexes under `ACCESS EXCLUSIVE`: reads and writes of \
                 `{table}` wait until the copy is done"
            ),
            safe_alternative: repack,
            operation: Some(operation),
            statement: Some(statement),
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_utils::{findings_of, render_findings, rule_ids};

    #[test]
    fn fires_on_rewrites() {
        let found = findings_of(
            "table-rewrite-misc",
            "db/0007.sql",
            "SET lock_timeout = '2s';\nALTER TABLE shop_order SET TABLESPACE fast;\nVACUUM (FULL, ANALYZE) public.shop_item;\n\
             CLUSTER shop_cart USING shop_cart_pkey;\nALTER TABLE shop_log SET UNLOGGED;",
        );
        insta::assert_snapshot!(render_findings(&found));
        let tables: Vec<_> = found
            .iter()
            .filter(|f| f.rule == "table-rewrite-misc")
            .map(|f| f.message.split('`').nth(3).unwrap().to_owned())
            .collect();
        assert_eq!(tables, ["shop_order", "shop_item", "shop_cart", "shop_log"]);
    }

    #[test]
    fn plain_vacuum_and_new_tables_do_not_fire() {
        let ids = rule_ids(
            "db/0007.sql",
            "VACUUM ANALYZE shop_order;\nCREATE TABLE t (id int);\nALTER TABLE t SET LOGGED;",
        );
        assert!(!ids.contains(&"table-rewrite-misc"), "{ids:?}");
    }
}

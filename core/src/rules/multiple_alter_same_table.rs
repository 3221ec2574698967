use super::rewrite::{self, quote};
use super::shape::{Action, Shape};
use super::{Ctx, Severity, declare_rule};

declare_rule! {
    /// ## What it flags
    /// Consecutive hand-written `ALTER TABLE t …` statements on the same table (in a `.sql` file
    /// or `RunSQL`) that could be one: outside a transaction, or when two or more of them scan
    /// or rewrite the table.
    ///
    /// ## Why it hurts
    /// Outside a transaction each statement queues for its lock again, behind whatever runs on
    /// the table, and blocks everything that queues behind it each time. Inside one, PostgreSQL
    /// makes one pass per statement where one combined statement would make a single pass (one
    /// rewrite for several type changes, one scan for several checks).
    ///
    /// ## Safe alternative
    /// Combine the actions with commas:
    /// ```sql
    /// ALTER TABLE "shop_order" ADD COLUMN "shipped" boolean NULL, ADD COLUMN "shipped_at" timestamptz NULL;
    /// ```
    ///
    /// ## When it is fine
    /// The statements must commit separately (`VALIDATE CONSTRAINT` after `NOT VALID`); renames
    /// cannot be combined. Django's own operations are not reported: they cannot be merged.
    ///
    /// ## References
    /// PostgreSQL: ALTER TABLE ("all the actions … are applied in a single pass over the table").
    pub(crate) static MULTIPLE_ALTER_SAME_TABLE = { id: "multiple-alter-same-table", severity: Severity::Info }
}

/// Whether `ALTER TABLE` actions can share one statement with others.
fn combinable(actions: &[Action]) -> bool {
    actions.iter().all(|a| {
        !matches!(
            a,
            Action::RenameColumn { .. }
                | Action::RenameTable { .. }
                | Action::ValidateConstraint { .. }
                | Action::DetachPartition { .. }
                | Action::Other
        )
    })
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    let placed = rewrite::placed(ctx);
    // Runs of consecutive combinable ALTER TABLE statements on one table: (table, indexes).
    let mut runs: Vec<(String, Vec<usize>)> = Vec::new();
    let mut current: Option<(String, Vec<usize>)> = None;
    for (i, (_, op, statement, shapes)) in placed.iter().enumerate() {
        let table = match shapes.as_slice() {
            [Shape::AlterTable { table, actions, .. }]
                if combinable(actions) && rewrite::hand_written(ctx, op) =>
            {
                Some(table.clone())
            }
            _ => None,
        };
        match (&mut current, table) {
            (Some((t, members)), Some(table))
                if *t == table
                    && members
                        .last()
                        .and_then(|&j| placed.get(j))
                        .is_some_and(|(_, _, s, _)| s.transaction == statement.transaction) =>
            {
                members.push(i);
            }
            (_, table) => {
                runs.extend(current.take());
                current = table.map(|t| (t, vec![i]));
            }
        }
    }
    runs.extend(current);
    for (table, members) in runs {
        if members.len() < 2 {
            continue;
        }
        let statements: Vec<_> = members.iter().filter_map(|&i| placed.get(i)).collect();
        let Some((_, first_op, first, _)) = statements.first() else {
            continue;
        };
        if ctx.is_created_here(&table, first_op.index) {
            continue;
        }
        let in_transaction = first.transaction;
        let heavy = statements
            .iter()
            .filter(|(_, _, s, _)| {
                s.locks
                    .on(&table)
                    .and_then(crate::locks::RelationLock::proportional)
                    == Some(true)
            })
            .count();
        if in_transaction && heavy < 2 {
            continue;
        }
        let why = if in_transaction {
            format!(
                "{heavy} of them read or rewrite the whole table, each in its own pass, where one statement makes one"
            )
        } else {
            "outside a transaction each one queues for its lock again, and blocks what queues behind it".to_owned()
        };
        let message = format!(
            "{} `ALTER TABLE {table}` statements in a row: {why}",
            statements.len()
        );
        let actions: Vec<&str> = statements
            .iter()
            .flat_map(|(_, _, _, shapes)| shapes.iter())
            .flat_map(|shape| match shape {
                Shape::AlterTable { texts, .. } => texts.iter().map(String::as_str).collect(),
                _ => Vec::new(),
            })
            .collect();
        let combined = format!("ALTER TABLE {} {};", quote(&table), actions.join(", "));
        let alternative = format!(
            "Combine them into one statement:\n{}",
            rewrite::sql_block(&[combined])
        );
        rewrite::report(
            ctx,
            &MULTIPLE_ALTER_SAME_TABLE,
            first_op,
            first,
            message,
            alternative,
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::rewrite::testing::file_findings as findings;
    use crate::rules::rewrite::testing::{ids, render};

    #[test]
    fn fires_on_separate_statements_outside_a_transaction() {
        let sql = "ALTER TABLE shop_order ADD COLUMN shipped boolean NULL;\nALTER TABLE shop_order ADD COLUMN shipped_at timestamptz NULL;";
        let found = findings("db/0016.sql", sql);
        assert_eq!(ids(&found), ["multiple-alter-same-table"]);
        insta::assert_snapshot!(render(&found[0], sql));
    }

    #[test]
    fn light_statements_in_a_transaction_renames_and_django_do_not_fire() {
        for sql in [
            "BEGIN;\nALTER TABLE t ADD COLUMN a int NULL;\nALTER TABLE t ADD COLUMN b int NULL;\nCOMMIT;",
            "ALTER TABLE t RENAME COLUMN a TO b;\nALTER TABLE t RENAME COLUMN c TO d;",
            "ALTER TABLE t ADD COLUMN a int NULL;\nALTER TABLE u ADD COLUMN b int NULL;",
        ] {
            let found = findings("db/0001.sql", sql);
            assert!(
                !ids(&found).contains(&"multiple-alter-same-table"),
                "{sql}: {found:#?}"
            );
        }
        let found = crate::rules::rewrite::testing::shop_findings(
            &crate::rules::rewrite::testing::shop_migration(
                "",
                "    atomic = False\n",
                r#"        migrations.AddField("order", "a", models.IntegerField(null=True)),
        migrations.AddField("order", "b", models.IntegerField(null=True)),"#,
            ),
        );
        assert!(found.is_empty(), "{found:#?}");
    }
}

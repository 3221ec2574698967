use super::rewrite::{self, quote};
use super::shape::{Action, Shape};
use super::{Ctx, Severity, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A column of type `timestamp` (`timestamp without time zone`) in `CREATE TABLE`, `ADD
    /// COLUMN` or `ALTER COLUMN … TYPE`, from a `.sql` file or `RunSQL`. (Django's
    /// `DateTimeField` is already `timestamp with time zone`.)
    ///
    /// ## Why it hurts
    /// The value carries no time zone: the same row means different instants to clients in
    /// different zones, and times around daylight-saving changes are ambiguous.
    ///
    /// ## Safe alternative
    /// `timestamptz` (`timestamp with time zone`), which stores an instant. SQL:
    /// ```sql
    /// ALTER TABLE "shop_order" ADD COLUMN "shipped_at" timestamptz NULL;
    /// ```
    /// Django: `models.DateTimeField()` with `USE_TZ = True`.
    ///
    /// ## When it is fine
    /// The value is a wall-clock time by design (an opening hour, a local appointment).
    ///
    /// ## References
    /// PostgreSQL: "Date/Time Types"; the PostgreSQL wiki, "Don't Do This".
    pub(crate) static PREFER_TIMESTAMPTZ = { id: "prefer-timestamptz", severity: Severity::Info }
}

fn is_timestamp(base: &str) -> bool {
    matches!(
        base,
        "timestamp"
            | "timestamp without time zone"
            | "timestamp[]"
            | "timestamp without time zone[]"
    )
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    for (_, op, statement, shapes) in rewrite::placed(ctx) {
        for shape in &shapes {
            let columns: Vec<(&str, &str, String)> = match shape {
                Shape::CreateTable { table, columns, .. } => columns
                    .iter()
                    .filter(|c| is_timestamp(&c.base_type))
                    .map(|c| (table.as_str(), c.name.as_str(), c.ty.clone()))
                    .collect(),
                Shape::AlterTable { table, actions, .. } => actions
                    .iter()
                    .filter_map(|a| match a {
                        Action::AddColumn(c) if is_timestamp(&c.base_type) => {
                            Some((table.as_str(), c.name.as_str(), c.ty.clone()))
                        }
                        Action::AlterType { column, ty, .. } => {
                            let base = ty
                                .split('(')
                                .next()
                                .unwrap_or("")
                                .trim()
                                .to_ascii_lowercase();
                            is_timestamp(&base)
                                .then(|| (table.as_str(), column.as_str(), ty.clone()))
                        }
                        _ => None,
                    })
                    .collect(),
                _ => continue,
            };
            for (table, column, ty) in columns {
                let message = format!(
                    "`{table}.{column}` is `{ty}` without a time zone: the same value means different instants \
                     to clients in different zones, and times around daylight-saving changes are ambiguous"
                );
                let alternative = format!(
                    "Store an instant with `timestamptz`{}:\n{}",
                    if rewrite::is_django(ctx) {
                        " (Django's `DateTimeField` with `USE_TZ = True`)"
                    } else {
                        ""
                    },
                    rewrite::sql_block(&[format!("{} timestamptz", quote(column))])
                );
                rewrite::report(
                    ctx,
                    &PREFER_TIMESTAMPTZ,
                    op,
                    statement,
                    message,
                    alternative,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::rewrite::testing::file_findings as findings;
    use crate::rules::rewrite::testing::{ids, render};

    #[test]
    fn fires_on_timestamp_without_time_zone() {
        let sql = "CREATE TABLE audit (id bigint PRIMARY KEY, at timestamp NOT NULL);";
        let found = findings("db/0015.sql", sql);
        assert_eq!(ids(&found), ["prefer-timestamptz"]);
        insta::assert_snapshot!(render(&found[0], sql));
    }

    #[test]
    fn timestamptz_does_not_fire() {
        let sql = "CREATE TABLE t (a timestamptz, b timestamp with time zone);";
        assert!(findings("db/0001.sql", sql).is_empty());
    }
}

use super::rewrite::{self, quote};
use super::shape::{Action, Shape};
use super::{Ctx, Severity, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A column of type `json` (not `jsonb`): in `CREATE TABLE`, `ADD COLUMN` or `ALTER COLUMN
    /// … TYPE`, from a `.sql` file or `RunSQL`. (Django's `JSONField` is already `jsonb`.)
    ///
    /// ## Why it hurts
    /// `json` has no equality operator: `DISTINCT`, `UNION`, `GROUP BY` and unique indexes on it
    /// fail, it cannot be indexed with GIN, and it is re-parsed on every access.
    ///
    /// ## Safe alternative
    /// Use `jsonb`. Django: `models.JSONField()`. SQL:
    /// ```sql
    /// ALTER TABLE "shop_order" ADD COLUMN "payload" jsonb NULL;
    /// ```
    ///
    /// ## When it is fine
    /// The exact text must be kept (key order, duplicate keys, whitespace) and is never
    /// compared or indexed.
    ///
    /// ## References
    /// PostgreSQL: "JSON Types".
    pub(crate) static JSON_COLUMN = { id: "json-column", severity: Severity::Warning }
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    for (_, op, statement, shapes) in rewrite::placed(ctx) {
        for shape in &shapes {
            let columns: Vec<(&str, &str, String)> = match shape {
                Shape::CreateTable { table, columns, .. } => columns
                    .iter()
                    .filter(|c| is_json(&c.base_type))
                    .map(|c| (table.as_str(), c.name.as_str(), c.text.clone()))
                    .collect(),
                Shape::AlterTable { table, actions, .. } => actions
                    .iter()
                    .filter_map(|a| match a {
                        Action::AddColumn(c) if is_json(&c.base_type) => {
                            Some((table.as_str(), c.name.as_str(), c.text.clone()))
                        }
                        Action::AlterType { column, ty, .. }
                            if is_json(&ty.to_ascii_lowercase()) =>
                        {
                            Some((
                                table.as_str(),
                                column.as_str(),
                                format!("{} {ty}", quote(column)),
                            ))
                        }
                        _ => None,
                    })
                    .collect(),
                _ => continue,
            };
            for (table, column, definition) in columns {
                let message = format!(
                    "`{table}.{column}` is `json`, not `jsonb`: it has no equality operator, so `DISTINCT`, \
                     `UNION`, `GROUP BY` and unique indexes on it fail, and every access re-parses it"
                );
                let fixed = to_jsonb(&definition);
                let mut alternative = format!(
                    "Use `jsonb`{}:\n",
                    if rewrite::is_django(ctx) {
                        " (Django's `models.JSONField()` is `jsonb`)"
                    } else {
                        ""
                    }
                );
                alternative.push_str(&rewrite::sql_block(&[fixed]));
                rewrite::report(ctx, &JSON_COLUMN, op, statement, message, alternative);
            }
        }
    }
}

fn is_json(base: &str) -> bool {
    base == "json" || base == "json[]"
}

/// The definition with its `json` type word made `jsonb`.
fn to_jsonb(definition: &str) -> String {
    let mut out = Vec::new();
    let mut done = false;
    for word in definition.split(' ') {
        if !done && (word.eq_ignore_ascii_case("json") || word.eq_ignore_ascii_case("json[]")) {
            out.push(
                word.replacen("json", "jsonb", 1)
                    .replacen("JSON", "JSONB", 1),
            );
            done = true;
        } else {
            out.push(word.to_owned());
        }
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use crate::rules::rewrite::testing::file_findings as findings;
    use crate::rules::rewrite::testing::{ids, render};

    #[test]
    fn fires_on_json_columns() {
        let sql = "CREATE TABLE audit (id bigint PRIMARY KEY, payload json NOT NULL);";
        let found = findings("db/0013.sql", sql);
        assert_eq!(ids(&found), ["json-column"]);
        insta::assert_snapshot!(render(&found[0], sql));
        let found = findings(
            "db/0013.sql",
            "ALTER TABLE t ADD COLUMN a json;\nALTER TABLE u ALTER COLUMN b TYPE json USING b::json;",
        );
        assert_eq!(
            ids(&found),
            ["json-column", "alter-column-type-rewrite", "json-column"]
        );
        assert!(found[0].safe_alternative.contains("a jsonb"));
    }

    #[test]
    fn jsonb_does_not_fire() {
        assert!(findings("db/0001.sql", "CREATE TABLE t (a jsonb, b text);").is_empty());
    }
}

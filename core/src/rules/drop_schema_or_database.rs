use super::words::Words;
use super::{Ctx, Report, Severity, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `DROP SCHEMA` and `DROP DATABASE`, in a `.sql` file or a `RunSQL`.
    ///
    /// ## Why it hurts
    /// Everything in the schema (with `CASCADE`) or the database is gone, irreversibly, and no
    /// migration can bring the data back. `DROP DATABASE` cannot even run inside a transaction.
    ///
    /// ## Safe alternative
    /// Never drop them from a migration. Drop the tables one by one after the code stopped
    /// using them (each a `drop-table` finding to review), and remove an empty schema by hand
    /// after a backup. Django: `DeleteModel` per model, in a post-deploy migration. SQL:
    /// ```sql
    /// DROP TABLE "legacy"."orders";
    /// -- later, by hand, after a backup:
    /// DROP SCHEMA "legacy";   -- RESTRICT (the default) refuses if anything is left
    /// ```
    ///
    /// ## When it is fine
    /// A schema created earlier in the same file (a scratch schema) is not reported.
    pub(crate) static DROP_SCHEMA_OR_DATABASE = { id: "drop-schema-or-database", severity: Severity::Error }
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    let mut created_schemas: Vec<String> = Vec::new();
    for (operation, statement) in ctx.statements() {
        let words = Words::new(&statement.statement.sql);
        if words.starts("CREATE SCHEMA") {
            if let Some((name, _)) = words.name_after(2) {
                created_schemas.push(name);
            }
            continue;
        }
        let what = if words.starts("DROP SCHEMA") {
            "schema"
        } else if words.starts("DROP DATABASE") {
            "database"
        } else {
            continue;
        };
        let Some((name, _)) = words.name_after(2) else {
            continue;
        };
        if what == "schema" && created_schemas.contains(&name) {
            continue;
        }
        let cascade = words.find(2, "CASCADE").is_some();
        let message = match (what, cascade) {
            ("schema", true) => format!(
                "`DROP SCHEMA {name} CASCADE` irreversibly drops every table, view and function in `{name}`, with their data"
            ),
            ("schema", false) => format!(
                "`DROP SCHEMA {name}` removes the schema `{name}` for good; a migration is no place to do it"
            ),
            _ => format!("`DROP DATABASE {name}` irreversibly drops the whole database `{name}`"),
        };
        let safe_alternative = if what == "database" {
            format!(
                "Take this out of the migration: a migration changes the database it runs in. Retire `{name}` \
                 by hand, after a backup (`pg_dump --format=custom {name}`), outside any deploy."
            )
        } else {
            format!(
                "Take this out of the migration. Drop what `{name}` holds table by table once no code uses it \
                 (Django: `DeleteModel` in a post-deploy migration; SQL: `DROP TABLE \"{name}\".\"…\";`), then, \
                 after a backup and by hand:\n```sql\nDROP {} \"{name}\";  -- without CASCADE: refuses if anything is left\n```",
                what.to_ascii_uppercase()
            )
        };
        ctx.report(Report {
            rule: &DROP_SCHEMA_OR_DATABASE,
            span: ctx.span_for(operation, statement),
            message,
            safe_alternative,
            operation: Some(operation),
            statement: Some(statement),
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_utils::{findings_of, render_findings, rule_ids};

    #[test]
    fn fires_on_drop_schema_and_database() {
        let found = findings_of(
            "drop-schema-or-database",
            "db/0009.sql",
            "DROP SCHEMA IF EXISTS legacy CASCADE;\nDROP DATABASE old_shop;",
        );
        insta::assert_snapshot!(render_findings(&found));
        let rules: Vec<_> = found.iter().map(|f| f.rule).collect();
        assert_eq!(
            rules,
            ["drop-schema-or-database", "drop-schema-or-database"]
        );
    }

    #[test]
    fn scratch_schema_created_here_does_not_fire() {
        let ids = rule_ids(
            "db/0009.sql",
            "CREATE SCHEMA scratch;\nDROP SCHEMA scratch;\nSELECT 'DROP SCHEMA x';",
        );
        assert!(!ids.contains(&"drop-schema-or-database"), "{ids:?}");
    }
}

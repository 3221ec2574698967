use super::words::{Tok, Words};
use super::{Ctx, Report, Severity, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `CREATE TYPE … AS ENUM (…)` and `ALTER TYPE … RENAME VALUE`.
    ///
    /// ## Why it hurts
    /// An enum's values can be added but never removed or reordered without recreating the
    /// type and rewriting every column that uses it under `ACCESS EXCLUSIVE`; renaming a value
    /// breaks every client still sending the old one, at once.
    ///
    /// ## Safe alternative
    /// A `text` column with a check constraint, or a lookup table with a foreign key: both
    /// change with ordinary, lock-friendly migrations. Django (`choices` are not a database
    /// enum):
    /// ```python
    /// status = models.CharField(max_length=16, choices=[("new", "new"), ("paid", "paid")])
    /// models.CheckConstraint(condition=models.Q(status__in=["new", "paid"]), name="order_status_valid")
    /// ```
    /// SQL:
    /// ```sql
    /// ALTER TABLE "shop_order" ADD COLUMN "status" text;
    /// ALTER TABLE "shop_order" ADD CONSTRAINT "order_status_valid" CHECK ("status" IN ('new', 'paid')) NOT VALID;
    /// ```
    /// To rename a value: add the new value, move the rows in batches, then stop using the old.
    ///
    /// ## When it is fine
    /// A closed set that will never change (days of the week).
    pub(crate) static ENUM_TYPE_CHANGE = { id: "enum-type-change", severity: Severity::Warning }
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    for (operation, statement) in ctx.statements() {
        let words = Words::new(&statement.statement.sql);
        let (message, safe_alternative) = if words.starts("CREATE TYPE") {
            let Some((name, after)) = words.name_after(2) else {
                continue;
            };
            if !words.at(after, "AS ENUM") {
                continue;
            }
            let values: Vec<String> = words
                .toks()
                .iter()
                .skip(after + 2)
                .filter_map(|t| match t {
                    Tok::Lit(value) => Some(format!("'{}'", value.replace('\'', "''"))),
                    _ => None,
                })
                .collect();
            let values = values.join(", ");
            (
                format!(
                    "enum type `{name}`: its values can never be removed or reordered without rewriting every \
                     column that uses it"
                ),
                format!(
                    "Use `text` with a check constraint (or a lookup table) instead of the enum:\n```sql\n\
                     -- on each column that would use {name}:\n\
                     ALTER TABLE \"<table>\" ADD CONSTRAINT \"<table>_<column>_valid\" CHECK (\"<column>\" IN ({values})) NOT VALID;\n```\n\
                     Django: a `CharField(choices=...)` with a `CheckConstraint(condition=Q(<column>__in=[...]))`."
                ),
            )
        } else if words.starts("ALTER TYPE") {
            let Some((name, after)) = words.name_after(2) else {
                continue;
            };
            if !words.at(after, "RENAME VALUE") {
                continue;
            }
            let literal = |i: usize| match words.get(i) {
                Some(Tok::Lit(v)) => v.clone(),
                _ => String::new(),
            };
            let (old, new) = (literal(after + 2), literal(after + 4));
            (
                format!(
                    "renaming value '{old}' of enum `{name}` to '{new}' breaks, at once, every client still \
                     sending '{old}'"
                ),
                format!(
                    "Expand and contract: add the new value, move rows in batches, deploy code that writes \
                     '{new}', and only then stop accepting '{old}':\n```sql\n\
                     ALTER TYPE \"{name}\" ADD VALUE IF NOT EXISTS '{new}';\n\
                     -- later, in batches: UPDATE \"<table>\" SET \"<column>\" = '{new}' WHERE \"<column>\" = '{old}' AND id BETWEEN … ;\n```"
                ),
            )
        } else {
            continue;
        };
        ctx.report(Report {
            rule: &ENUM_TYPE_CHANGE,
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
    fn fires_on_enums() {
        let found = findings_of(
            "enum-type-change",
            "db/0006.sql",
            "CREATE TYPE order_status AS ENUM ('new', 'paid');\nALTER TYPE order_status RENAME VALUE 'paid' TO 'settled';",
        );
        insta::assert_snapshot!(render_findings(&found));
        assert_eq!(found.len(), 2);
        assert!(found[0].safe_alternative.contains("IN ('new', 'paid')"));
    }

    #[test]
    fn other_types_and_added_values_do_not_fire() {
        let ids = rule_ids(
            "db/0006.sql",
            "CREATE TYPE pair AS (a int, b int);\nALTER TYPE order_status ADD VALUE 'refunded';",
        );
        assert!(!ids.contains(&"enum-type-change"), "{ids:?}");
    }
}

use super::words::Words;
use super::{Ctx, Report, Severity, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `CREATE DOMAIN … CHECK (…)` and `ALTER DOMAIN … ADD CONSTRAINT` without `NOT VALID`.
    ///
    /// ## Why it hurts
    /// Adding a constraint to a domain checks every column of every table that uses it, while
    /// holding locks on those tables; and the constraint of a domain created now makes every
    /// later change of it such a scan. The tables involved are not named in the statement, so
    /// the review cannot see the cost.
    ///
    /// ## Safe alternative
    /// Put the check on the column as a table constraint, which has the `NOT VALID` +
    /// `VALIDATE` path. Django:
    /// ```python
    /// AddConstraintNotValid("order", models.CheckConstraint(condition=models.Q(total__gte=0), name="total_gte_0"))
    /// ValidateConstraint("order", "total_gte_0")   # in a later migration
    /// ```
    /// SQL:
    /// ```sql
    /// ALTER TABLE "shop_order" ADD CONSTRAINT "total_gte_0" CHECK ("total" >= 0) NOT VALID;
    /// ALTER TABLE "shop_order" VALIDATE CONSTRAINT "total_gte_0";  -- next transaction
    /// ```
    /// For an existing domain: `ALTER DOMAIN … ADD CONSTRAINT … NOT VALID`, then
    /// `ALTER DOMAIN … VALIDATE CONSTRAINT …` in a later transaction.
    ///
    /// ## When it is fine
    /// A domain no table uses yet, when you accept the cost of changing it later.
    pub(crate) static DOMAIN_WITH_CONSTRAINT = { id: "domain-with-constraint", severity: Severity::Warning }
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    for (operation, statement) in ctx.statements() {
        let sql = &statement.statement.sql;
        let words = Words::new(sql);
        let (message, safe_alternative) = if words.starts("CREATE DOMAIN") {
            if words.find(2, "CHECK").is_none() {
                continue;
            }
            let Some((domain, _)) = words.name_after(2) else {
                continue;
            };
            (
                format!(
                    "domain `{domain}` carries a `CHECK`: every later change to it re-checks every column of \
                     every table using it, under lock"
                ),
                format!(
                    "Create `{domain}` without the `CHECK` and put the check on each column as a table \
                     constraint, added `NOT VALID` and validated in a later transaction:\n```sql\n\
                     ALTER TABLE \"<table>\" ADD CONSTRAINT \"<table>_<column>_check\" CHECK (<condition on the column>) NOT VALID;\n\
                     ALTER TABLE \"<table>\" VALIDATE CONSTRAINT \"<table>_<column>_check\";\n```\n\
                     Django: `AddConstraintNotValid(...)`, then `ValidateConstraint(...)` in the next migration."
                ),
            )
        } else if words.starts("ALTER DOMAIN") {
            let Some(add) = words.find(2, "ADD") else {
                continue;
            };
            if words.find(add, "NOT VALID").is_some() {
                continue;
            }
            let Some((domain, _)) = words.name_after(2) else {
                continue;
            };
            let trimmed = sql.trim_end_matches(';').trim_end();
            let constraint = words
                .find(add, "CONSTRAINT")
                .and_then(|i| words.name(i + 1))
                .map_or_else(|| "<constraint>".to_owned(), |(name, _)| name);
            (
                format!(
                    "`ALTER DOMAIN {domain} ADD CONSTRAINT` checks every column of every table using `{domain}` \
                     while holding locks on them"
                ),
                format!(
                    "Add it `NOT VALID` (new values are checked at once), then validate in a later \
                     transaction, which does not block writes:\n```sql\n{trimmed} NOT VALID;\n\
                     ALTER DOMAIN \"{domain}\" VALIDATE CONSTRAINT \"{constraint}\";\n```"
                ),
            )
        } else {
            continue;
        };
        ctx.report(Report {
            rule: &DOMAIN_WITH_CONSTRAINT,
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
    fn fires_on_domain_checks() {
        let found = findings_of(
            "domain-with-constraint",
            "db/0004.sql",
            "CREATE DOMAIN positive AS integer CHECK (VALUE > 0);\n\
             ALTER DOMAIN positive ADD CONSTRAINT small CHECK (VALUE < 100);",
        );
        insta::assert_snapshot!(render_findings(&found));
        assert_eq!(found.len(), 2);
        assert!(
            found[1].safe_alternative.contains(
                "ALTER DOMAIN positive ADD CONSTRAINT small CHECK (VALUE < 100) NOT VALID;"
            )
        );
    }

    #[test]
    fn plain_domains_and_not_valid_do_not_fire() {
        let ids = rule_ids(
            "db/0004.sql",
            "CREATE DOMAIN code AS text;\nALTER DOMAIN positive ADD CONSTRAINT small CHECK (VALUE < 100) NOT VALID;",
        );
        assert!(!ids.contains(&"domain-with-constraint"), "{ids:?}");
    }
}

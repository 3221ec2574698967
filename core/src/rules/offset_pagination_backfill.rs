use super::run_python;
use super::{Ctx, Report, Severity, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A `RunPython` whose function (written in the migration) pages through rows by position
    /// inside a loop: a queryset sliced from a moving start (`qs[offset:offset + batch_size]`),
    /// a `Paginator`, or raw SQL with `OFFSET`.
    ///
    /// ## Why it hurts
    /// Each page is `LIMIT n OFFSET k`: PostgreSQL reads and throws away the `k` rows before
    /// it, so the whole pass reads the table about (rows / n) / 2 times over — quadratic. And
    /// rows inserted or deleted while it runs shift the pages: some rows are skipped, others
    /// done twice. Without `order_by` the pages are not even a stable order.
    ///
    /// ## Safe alternative
    /// Keyset pagination: remember the last primary key and ask for the rows after it, which
    /// the primary key index finds directly. Django:
    /// ```python
    /// last_pk = 0
    /// while True:
    ///     batch = list(Order.objects.filter(pk__gt=last_pk).order_by("pk")[:batch_size])
    ///     if not batch:
    ///         break
    ///     ...
    ///     last_pk = batch[-1].pk
    /// ```
    /// SQL:
    /// ```sql
    /// SELECT * FROM "shop_order" WHERE "id" > :last_id ORDER BY "id" LIMIT 1000;
    /// ```
    ///
    /// ## When it is fine
    /// A table of a few pages that nothing writes to while the migration runs.
    pub(crate) static OFFSET_PAGINATION_BACKFILL = { id: "offset-pagination-backfill", severity: Severity::Warning }
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    if ctx.is_sql_file() {
        return;
    }
    let file = ctx.file();
    for (operation, run) in run_python::read_all(file, ctx.text()) {
        let Some(body) = &run.body else {
            continue;
        };
        let Some((paging, span)) = body.offset_paging.first() else {
            continue;
        };
        let (app, model) = body
            .model()
            .map_or((file.app_label.as_str(), "Model"), |(a, m)| {
                (a.as_str(), m.as_str())
            });
        ctx.report(Report {
            rule: &OFFSET_PAGINATION_BACKFILL,
            span: *span,
            message: format!(
                "`RunPython({})` pages by position (`{paging}`): every page re-reads and skips all rows before it, \
                 and rows written meanwhile shift the pages, so some are skipped or done twice",
                run.code
            ),
            safe_alternative: format!(
                "Page by primary key instead of by position:\n```python\n{model} = apps.get_model(\"{app}\", \"{model}\")\n\
                 last_pk = 0\nwhile True:\n    batch = list({model}.objects.filter(pk__gt=last_pk).order_by(\"pk\")[:batch_size])\n    \
                 if not batch:\n        break\n    ...  # the same work on `batch`\n    last_pk = batch[-1].pk\n```"
            ),
            operation: Some(operation),
            statement: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_utils::{findings, render_findings, rule_ids};

    const PAGED: &str = r#"from django.core.paginator import Paginator
from django.db import migrations

def forwards(apps, schema_editor):
    Order = apps.get_model("shop", "Order")
    paginator = Paginator(Order.objects.order_by("pk"), 500)
    for number in paginator.page_range:
        for order in paginator.page(number):
            pass

class Migration(migrations.Migration):
    atomic = False
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
"#;

    #[test]
    fn fires_on_paginator_loops() {
        let found: Vec<_> = findings("shop/migrations/0002_x.py", PAGED)
            .into_iter()
            .filter(|f| f.rule == "offset-pagination-backfill")
            .collect();
        insta::assert_snapshot!(render_findings(&found));
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn keyset_loops_and_fixed_slices_do_not_fire() {
        let keyset = r#"from django.db import migrations

def forwards(apps, schema_editor):
    Order = apps.get_model("shop", "Order")
    last = 0
    while True:
        batch = list(Order.objects.filter(pk__gt=last).order_by("pk")[:500])
        if not batch:
            break
        last = batch[-1].pk

class Migration(migrations.Migration):
    atomic = False
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
"#;
        assert!(
            !rule_ids("shop/migrations/0002_x.py", keyset).contains(&"offset-pagination-backfill")
        );
    }
}

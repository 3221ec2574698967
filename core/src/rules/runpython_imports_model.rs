use super::run_python;
use super::{Ctx, Report, Severity, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A `RunPython` function (written in the migration) that uses a model imported from the
    /// project's code (`from shop.models import Order`, `import shop.models`, also inside the
    /// function) or `get_user_model()`, instead of the historical model from
    /// `apps.get_model`.
    ///
    /// ## Why it hurts
    /// The imported class is the model as it is *today*, not as it was at this point of the
    /// migration history. Once a later migration adds, renames or removes a field, this
    /// migration queries columns that do not exist yet (or any more) and fails on every fresh
    /// database — new environments, tests, disaster recovery.
    ///
    /// ## Safe alternative
    /// Django:
    /// ```python
    /// def forwards(apps, schema_editor):
    ///     Order = apps.get_model("shop", "Order")
    ///     User = apps.get_model(settings.AUTH_USER_MODEL)
    /// ```
    /// (Plain SQL migrations have no model classes; the rule does not apply to them.)
    ///
    /// ## When it is fine
    /// Never for models. Importing constants or pure functions from the project is a separate
    /// risk (they change too) that this rule does not report.
    pub(crate) static RUNPYTHON_IMPORTS_MODEL = { id: "runpython-imports-model", severity: Severity::Error }
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
        for (name, span) in &body.model_imports {
            let (what, replacement) = if name == "get_user_model()" {
                (
                    "`get_user_model()` returns the current user model".to_owned(),
                    "User = apps.get_model(settings.AUTH_USER_MODEL)  # from django.conf import settings".to_owned(),
                )
            } else if let Some(import) = name
                .strip_prefix("from ")
                .or_else(|| name.strip_prefix("import "))
            {
                let model = import.rsplit(' ').next().unwrap_or("Model");
                (
                    format!("`{name}` imports the current model class"),
                    format!(
                        "{model} = apps.get_model(\"{}\", \"{model}\")",
                        app_of(import, &file.app_label)
                    ),
                )
            } else {
                (
                    format!("`{name}` is the current model class imported at the top of the file"),
                    format!(
                        "{name} = apps.get_model(\"{}\", \"{name}\")",
                        file.app_label
                    ),
                )
            };
            ctx.report(Report {
                rule: &RUNPYTHON_IMPORTS_MODEL,
                span: *span,
                message: format!(
                    "in `RunPython({})`, {what}, not the historical one: when the model changes later, this \
                     migration breaks on every fresh database",
                    run.code
                ),
                safe_alternative: format!(
                    "Take the historical model from the `apps` argument, and remove the import:\n```python\n{replacement}\n```"
                ),
                operation: Some(operation),
                statement: None,
            });
        }
    }
}

/// The app label in `shop.models import Order` (`shop`), or the migration's own app.
fn app_of(import: &str, own: &str) -> String {
    let module = import.split(' ').next().unwrap_or("");
    let app = module.strip_suffix(".models").unwrap_or("");
    match app.rsplit('.').next() {
        Some(label) if !label.is_empty() => label.to_owned(),
        _ => own.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_utils::{findings, render_findings, rule_ids};

    #[test]
    fn fires_on_imported_models() {
        let py = r#"from django.contrib.auth import get_user_model
from django.db import migrations
from shop.models import Order

def forwards(apps, schema_editor):
    from billing.models import Invoice
    for order in Order.objects.all():
        Invoice.objects.create(order_id=order.pk)
    get_user_model().objects.filter(is_staff=True).count()

class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
"#;
        let found: Vec<_> = findings("shop/migrations/0002_x.py", py)
            .into_iter()
            .filter(|f| f.rule == "runpython-imports-model")
            .collect();
        insta::assert_snapshot!(render_findings(&found));
        assert_eq!(found.len(), 3);
    }

    #[test]
    fn historical_models_and_shadowed_imports_do_not_fire() {
        let py = r#"from django.db import migrations
from shop.models import Order, default_code

def forwards(apps, schema_editor):
    Order = apps.get_model("shop", "Order")
    Order.objects.update(code="x")

class Migration(migrations.Migration):
    atomic = False
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
"#;
        assert!(!rule_ids("shop/migrations/0002_x.py", py).contains(&"runpython-imports-model"));
    }
}

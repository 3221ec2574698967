//! The seed's own examples, as a senior reviewer reads them: exactly these findings, no
//! false alarm. Each fixture is named for the example it stands for.

use lockstep_core::{Settings, Severity, SourceFile, analyze};

/// Rule ids and severities of the findings for `files`, in order, without the
/// `unknown-expression` notes about models outside the files.
fn rules(files: &[(&str, &str)]) -> Vec<(&'static str, Severity)> {
    let files: Vec<SourceFile> = files
        .iter()
        .map(|(path, text)| SourceFile::from_text(*path, *text))
        .collect();
    analyze(&files, &Settings::default())
        .findings
        .iter()
        .filter(|f| f.rule != "unknown-expression")
        .map(|f| (f.rule, f.severity))
        .collect()
}

/// The seed's backfill: pages with `[offset:offset + batch_size]` and sleeps between pages,
/// in a migration that is atomic (Django's default).
const BACKFILL_OFFSET_SLEEP: &str = r#"import time

from django.db import migrations


def backfill_display_name(apps, schema_editor):
    Customer = apps.get_model("shop", "Customer")
    batch_size = 1000
    offset = 0
    while True:
        batch = list(Customer.objects.order_by("id")[offset:offset + batch_size])
        if not batch:
            break
        for customer in batch:
            customer.display_name = f"{customer.first_name} {customer.last_name}"
        Customer.objects.bulk_update(batch, ["display_name"])
        offset += batch_size
        time.sleep(0.5)


class Migration(migrations.Migration):
    dependencies = [("shop", "0002_customer_display_name")]

    operations = [
        migrations.RunPython(backfill_display_name, migrations.RunPython.noop),
    ]
"#;

#[test]
fn seed_backfill_offset_pagination_with_sleep() {
    let path = "shop/migrations/0003_backfill_display_name.py";
    // Paging by OFFSET is quadratic and skips rows under writes; and in an atomic migration
    // the batches and sleeps commit nothing: every updated row stays locked to the end.
    assert_eq!(
        rules(&[(path, BACKFILL_OFFSET_SLEEP)]),
        [
            ("offset-pagination-backfill", Severity::Warning),
            ("unbatched-backfill", Severity::Error),
        ]
    );
    let files = [SourceFile::from_text(path, BACKFILL_OFFSET_SLEEP)];
    let analysis = analyze(&files, &Settings::default());
    let offset = &analysis.findings[0];
    assert_eq!((offset.line, offset.column), (11, 22));
    assert!(offset.safe_alternative.contains("filter(pk__gt=last_pk)"));
    let unbatched = &analysis.findings[1];
    assert!(
        unbatched
            .message
            .contains("its batches and sleeps commit nothing"),
        "{}",
        unbatched.message
    );
    assert!(unbatched.safe_alternative.contains("atomic = False"));
    assert!(
        unbatched
            .safe_alternative
            .contains(r#"Customer = apps.get_model("shop", "Customer")"#)
    );
}

#[test]
fn seed_backfill_offset_pagination_non_atomic() {
    // With `atomic = False` each `bulk_update` commits on its own: only the paging remains.
    let text = BACKFILL_OFFSET_SLEEP.replace(
        "class Migration(migrations.Migration):\n",
        "class Migration(migrations.Migration):\n    atomic = False\n",
    );
    assert_eq!(
        rules(&[("shop/migrations/0003_backfill_display_name.py", &text)]),
        [("offset-pagination-backfill", Severity::Warning)]
    );
}

#[test]
fn seed_backfill_in_the_migration_that_adds_the_column() {
    // Expand and backfill in one atomic migration: the `ACCESS EXCLUSIVE` of the new column
    // is held through the whole backfill.
    let text = BACKFILL_OFFSET_SLEEP
        .replace(
            "    operations = [\n",
            "    operations = [\n        migrations.AddField(\"customer\", \"display_name\", \
         models.CharField(max_length=200, null=True)),\n",
        )
        .replace(
            "from django.db import migrations",
            "from django.db import migrations, models",
        );
    let found = rules(&[("shop/migrations/0003_backfill_display_name.py", &text)]);
    assert_eq!(
        found,
        [
            ("offset-pagination-backfill", Severity::Warning),
            ("missing-lock-timeout", Severity::Info),
            ("unbatched-backfill", Severity::Error),
        ]
    );
    let files = [SourceFile::from_text(
        "shop/migrations/0003_backfill_display_name.py",
        text,
    )];
    let analysis = analyze(&files, &Settings::default());
    let unbatched = analysis
        .findings
        .iter()
        .find(|f| f.rule == "unbatched-backfill")
        .unwrap();
    assert!(
        unbatched
            .message
            .contains("`ACCESS EXCLUSIVE` on `shop_customer` (operation 0) is held all along"),
        "{}",
        unbatched.message
    );
}

/// The seed's index: `CREATE INDEX CONCURRENTLY` through `RunSQL`, in a migration with
/// `atomic = False` — the safe way, so no finding at all.
const RUNSQL_CONCURRENT_INDEX: &str = r#"from django.db import migrations


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("shop", "0003_backfill_display_name")]

    operations = [
        migrations.RunSQL(
            sql='CREATE INDEX CONCURRENTLY IF NOT EXISTS "shop_customer_display_name_idx" '
            'ON "shop_customer" ("display_name");',
            reverse_sql='DROP INDEX CONCURRENTLY IF EXISTS "shop_customer_display_name_idx";',
        ),
    ]
"#;

#[test]
fn seed_runsql_create_index_concurrently_non_atomic() {
    assert_eq!(
        rules(&[(
            "shop/migrations/0004_customer_display_name_idx.py",
            RUNSQL_CONCURRENT_INDEX
        )]),
        []
    );
}

#[test]
fn seed_runsql_create_index_concurrently_atomic() {
    // In an atomic migration PostgreSQL refuses the statement. That is
    // `concurrent-in-transaction` (the index rules' file); whatever else fires, none of the
    // lock rules may call the concurrent build itself blocking.
    let text = RUNSQL_CONCURRENT_INDEX.replace("    atomic = False\n\n", "");
    let found = rules(&[("shop/migrations/0004_customer_display_name_idx.py", &text)]);
    for (rule, _) in &found {
        assert!(
            [
                "concurrent-in-transaction",
                "pg14-concurrent-index-corruption"
            ]
            .contains(rule),
            "{found:?}"
        );
    }
    if lockstep_core::rules::registry::rule("concurrent-in-transaction").is_some() {
        assert_eq!(found, [("concurrent-in-transaction", Severity::Error)]);
    }
}

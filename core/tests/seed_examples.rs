//! The seed's own examples and Django's everyday patterns: each gets exactly the findings a
//! senior reviewer would give, and no false alarm. And every safe rewrite a finding writes out,
//! applied instead, no longer fires its rule.

use lockstep_core::{Finding, Settings, SourceFile};

/// `shop/0001_initial`: `Customer` and `Order`, existing tables for the migrations below.
const INITIAL: &str = r#"from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Customer",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100)),
            ],
        ),
        migrations.CreateModel(
            name="Order",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("email", models.CharField(max_length=100, null=True)),
                ("note", models.TextField(null=True)),
                ("total", models.IntegerField(null=True)),
                ("paid", models.BooleanField(default=False)),
                ("code", models.CharField(max_length=20, db_index=True)),
                ("created", models.DateTimeField(auto_now_add=True)),
            ],
        ),
    ]
"#;

/// A `shop` migration after `0001_initial`.
fn migration(header: &str, class_lines: &str, operations: &str) -> String {
    format!(
        "from django.db import migrations, models\nimport django.db.models.deletion\n{header}\n\n\nclass Migration(migrations.Migration):\n{class_lines}    dependencies = [(\"shop\", \"0001_initial\")]\n    operations = [\n{operations}\n    ]\n"
    )
}

/// Every finding for the migration, applied after `0001_initial` (the initial migration's own
/// findings excluded; `unknown-expression` notes too).
fn findings_of(text: &str) -> Vec<Finding> {
    let files = [
        SourceFile::from_text("shop/migrations/0001_initial.py", INITIAL),
        SourceFile::from_text("shop/migrations/0002_change.py", text),
    ];
    lockstep_core::analyze(&files, &Settings::default())
        .findings
        .into_iter()
        .filter(|f| f.path.ends_with("0002_change.py") && f.rule != "unknown-expression")
        .collect()
}

/// The findings a reviewer acts on: without `missing-lock-timeout`, which the catalog makes an
/// `info` on every Django migration that locks an existing table (the runner sets the timeout;
/// for `manage.py migrate` it is a hint), and which is asserted on its own below.
fn actionable(text: &str) -> Vec<Finding> {
    let found = findings_of(text);
    if let Some(note) = found.iter().find(|f| f.rule == "missing-lock-timeout") {
        assert_eq!(note.severity, lockstep_core::Severity::Info, "{note:#?}");
    }
    found
        .into_iter()
        .filter(|f| f.rule != "missing-lock-timeout")
        .collect()
}

fn ids(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.rule).collect()
}

// The seed's examples.

#[test]
fn seed_expand_contract_add_nullable_field_is_clean() {
    // The expand step: a nullable column without a default is a catalog change.
    let text = migration(
        "",
        "",
        r#"        migrations.AddField(
            model_name="order",
            name="coupon",
            field=models.CharField(max_length=20, null=True),
        ),"#,
    );
    let found = actionable(&text);
    assert_eq!(ids(&found), Vec::<&str>::new(), "{found:#?}");
}

#[test]
fn seed_alter_field_to_not_null_gets_the_check_route() {
    let text = migration(
        "",
        "",
        r#"        migrations.AlterField(
            model_name="order",
            name="email",
            field=models.CharField(max_length=100),
        ),"#,
    );
    let found = actionable(&text);
    assert_eq!(ids(&found), ["set-not-null-scan"], "{found:#?}");
    let alternative = &found[0].safe_alternative;
    // The four steps, in order, with the real names: CHECK NOT VALID → VALIDATE → SET NOT NULL
    // → DROP CHECK, in Django and in SQL.
    let steps = [
        r#"ALTER TABLE "shop_order" ADD CONSTRAINT "shop_order_email_not_null" CHECK ("email" IS NOT NULL) NOT VALID;"#,
        r#"ALTER TABLE "shop_order" VALIDATE CONSTRAINT "shop_order_email_not_null";"#,
        r#"ALTER TABLE "shop_order" ALTER COLUMN "email" SET NOT NULL;"#,
        r#"ALTER TABLE "shop_order" DROP CONSTRAINT "shop_order_email_not_null";"#,
    ];
    let mut at = 0;
    for step in steps {
        let found = alternative
            .get(at..)
            .and_then(|rest| rest.find(step))
            .unwrap_or_else(|| panic!("missing or out of order: {step}\n{alternative}"));
        at += found + step.len();
    }
    for django in [
        "AddConstraintNotValid(",
        "models.CheckConstraint(condition=models.Q(email__isnull=False), name=\"shop_order_email_not_null\")",
        "ValidateConstraint(model_name=\"order\", name=\"shop_order_email_not_null\")",
        "migrations.RemoveConstraint(model_name=\"order\", name=\"shop_order_email_not_null\")",
        "atomic = False",
    ] {
        assert!(alternative.contains(django), "{django}\n{alternative}");
    }
}

#[test]
fn seed_rename_field_gets_db_column_in_separate_database_and_state() {
    let text = migration(
        "",
        "",
        r#"        migrations.RenameField(
            model_name="order",
            old_name="note",
            new_name="comment",
        ),"#,
    );
    let found = actionable(&text);
    assert_eq!(ids(&found), ["rename-column"], "{found:#?}");
    let alternative = &found[0].safe_alternative;
    for expected in [
        "migrations.SeparateDatabaseAndState(\n    state_operations=[",
        "field=models.TextField(null=True, db_column=\"note\")",
        "comment = models.TextField(null=True, db_column=\"note\")",
    ] {
        assert!(alternative.contains(expected), "{expected}\n{alternative}");
    }
    assert!(
        !alternative.contains("database_operations"),
        "no SQL should run: {alternative}"
    );
}

// Django's everyday patterns that must stay quiet.

#[test]
fn create_model_then_foreign_key_in_the_same_migration_is_clean() {
    let text = migration(
        "",
        "",
        r#"        migrations.CreateModel(
            name="Invoice",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.CharField(max_length=20, unique=True)),
                ("issued", models.DateTimeField()),
            ],
        ),
        migrations.AddField(
            model_name="invoice",
            name="order",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="shop.order"),
        ),
        migrations.AddField(
            model_name="invoice",
            name="amount",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(fields=["issued"], name="shop_invoice_issued_idx"),
        ),"#,
    );
    let found = actionable(&text);
    assert_eq!(ids(&found), Vec::<&str>::new(), "{found:#?}");
}

#[test]
fn like_index_of_a_new_table_is_clean() {
    let text = migration(
        "",
        "",
        r#"        migrations.CreateModel(
            name="Tag",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("slug", models.SlugField(max_length=50)),
                ("label", models.CharField(max_length=50, db_index=True)),
            ],
        ),"#,
    );
    let files = [
        SourceFile::from_text("shop/migrations/0001_initial.py", INITIAL),
        SourceFile::from_text("shop/migrations/0002_change.py", &text),
    ];
    let analysis = lockstep_core::analyze(&files, &Settings::default());
    let like = analysis
        .files
        .iter()
        .flat_map(|f| &f.operations)
        .flat_map(|op| &op.statements)
        .filter(|s| s.statement.sql.contains("_like"))
        .count();
    assert!(
        like >= 2,
        "the fixture must exercise Django's `_like` indexes"
    );
    let found = actionable(&text);
    assert_eq!(ids(&found), Vec::<&str>::new(), "{found:#?}");
}

#[test]
fn alter_field_raising_max_length_has_no_error() {
    // Also on an indexed column (its `_like` index stays as it is).
    let text = migration(
        "",
        "",
        r#"        migrations.AlterField("order", "email", models.CharField(max_length=254, null=True)),
        migrations.AlterField("order", "code", models.CharField(max_length=40, db_index=True)),"#,
    );
    let found = actionable(&text);
    // No rewrite and no error. Known imprecision: the lock model does not yet call widening
    // an indexed varchar instant, so `statements-after-exclusive-lock` (a warning) still says
    // the first ALTER's lock is held through the second.
    assert_eq!(
        ids(&found),
        ["statements-after-exclusive-lock"],
        "{found:#?}"
    );
}

#[test]
fn nullable_foreign_key_on_an_existing_table_only_needs_its_index_built_concurrently() {
    // A new nullable key column holds only NULLs: PostgreSQL skips validating it.
    let text = migration(
        "",
        "",
        r#"        migrations.AddField(
            model_name="order",
            name="customer",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, to="shop.customer"),
        ),"#,
    );
    let found = actionable(&text);
    // The index is also built under the ACCESS EXCLUSIVE lock `ADD COLUMN` took in the same
    // transaction: reads wait too. Both are true; the plan's concurrent build clears both.
    assert_eq!(
        ids(&found),
        [
            "add-index-non-concurrent",
            "index-build-under-exclusive-lock"
        ],
        "{found:#?}"
    );
}

// Every mechanical rewrite clears its own finding.

/// The last fenced `sql` block of `text`, as runnable statements: comments dropped, the keyset
/// placeholder given a value.
fn sql_block(text: &str) -> Option<String> {
    let start = text.rfind("```sql\n")? + "```sql\n".len();
    let end = start + text.get(start..)?.find("\n```")?;
    let statements: Vec<String> = text
        .get(start..end)?
        .lines()
        .filter(|line| !line.trim_start().starts_with("--") && !line.contains('<'))
        .map(|line| line.replace(":last", "0"))
        .collect();
    Some(statements.join("\n"))
}

#[test]
fn rewrites_clear_their_findings() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "set-not-null-scan",
            "",
            r#"        migrations.AlterField("order", "email", models.CharField(max_length=100)),"#,
        ),
        (
            "django-alterfield-backfill-in-transaction",
            "",
            r#"        migrations.AlterField("order", "total", models.IntegerField(default=0)),"#,
        ),
        (
            "add-check-validating",
            "",
            r#"        migrations.AddConstraint("order", models.CheckConstraint(condition=models.Q(total__gte=0), name="total_gte_0")),"#,
        ),
        (
            "add-check-validating",
            "",
            r#"        migrations.AddField("order", "quantity", models.PositiveIntegerField(null=True)),"#,
        ),
        (
            "add-foreign-key-validating",
            "",
            r#"        migrations.AddField("order", "owner", models.ForeignKey(default=1, on_delete=django.db.models.deletion.CASCADE, to="shop.customer")),"#,
        ),
        (
            "add-unique-constraint-blocking",
            "",
            r#"        migrations.AddConstraint("order", models.UniqueConstraint(fields=["email"], name="email_uniq")),"#,
        ),
        (
            "add-column-volatile-default",
            "from django.contrib.postgres.functions import RandomUUID",
            r#"        migrations.AddField("order", "ref", models.UUIDField(db_default=RandomUUID())),"#,
        ),
        (
            "alter-column-type-rewrite",
            "",
            r#"        migrations.AlterField("order", "total", models.BigIntegerField(null=True)),"#,
        ),
        (
            "django-default-dropped",
            "",
            r#"        migrations.AddField("order", "archived", models.BooleanField(default=False)),"#,
        ),
        (
            "drop-index-non-concurrent",
            "",
            r#"        migrations.AlterField("order", "code", models.CharField(max_length=20)),"#,
        ),
        (
            "concurrent-in-transaction",
            "",
            r#"        migrations.RunSQL('CREATE INDEX CONCURRENTLY "o_created" ON "shop_order" ("created");'),"#,
        ),
    ];
    for (rule, header, operations) in cases {
        let text = migration(header, "", operations);
        let found = actionable(&text);
        let finding = found
            .iter()
            .find(|f| f.rule == *rule)
            .unwrap_or_else(|| panic!("{rule} does not fire on its fixture: {found:#?}"));
        let Some(sql) = sql_block(&finding.safe_alternative) else {
            // A Django-only rewrite: the same migration, `atomic = False`.
            assert!(
                finding.safe_alternative.contains("atomic = False"),
                "{rule}: {}",
                finding.safe_alternative
            );
            let again = findings_of(&migration(header, "    atomic = False\n", operations));
            assert!(!ids(&again).contains(rule), "{rule}: {again:#?}");
            continue;
        };
        let files = [
            SourceFile::from_text("shop/migrations/0001_initial.py", INITIAL),
            SourceFile::from_text("db/rewritten.sql", &sql),
        ];
        let after = lockstep_core::analyze(&files, &Settings::default());
        let again: Vec<&Finding> = after
            .findings
            .iter()
            .filter(|f| f.path == "db/rewritten.sql" && f.rule == *rule)
            .collect();
        assert!(
            again.is_empty(),
            "{rule} still fires on its rewrite:\n{sql}\n{again:#?}"
        );
    }
}

// Large files: every rule answers in one pass (with lookups), never by rescanning the file
// per statement.

#[test]
fn large_files_stay_linear() {
    use std::fmt::Write as _;
    const N: usize = 2_000;
    let mut sql = String::from("BEGIN;\n");
    for n in 0..N {
        let _ = writeln!(
            sql,
            "DROP INDEX IF EXISTS i{n};\nDROP INDEX IF EXISTS i{n};\n\
             ALTER TABLE t{n} ADD COLUMN c integer DEFAULT 0 NOT NULL;\nALTER TABLE t{n} ALTER COLUMN c DROP DEFAULT;\n\
             ALTER TABLE t{n} ADD CONSTRAINT k CHECK (c > 0) NOT VALID;\nALTER TABLE t{n} VALIDATE CONSTRAINT k;\n\
             UPDATE t{n} SET d = 0 WHERE d IS NULL;\nALTER TABLE t{n} ALTER COLUMN d SET NOT NULL;\n\
             ALTER TABLE t{n} RENAME COLUMN e TO f;\nALTER TABLE t{n} DROP COLUMN g;"
        );
    }
    sql.push_str("COMMIT;\n");
    let analysis = lockstep_core::analyze(
        &[SourceFile::from_text("db/big.sql", &sql)],
        &Settings::default(),
    );
    let count = |rule: &str| analysis.findings.iter().filter(|f| f.rule == rule).count();
    assert_eq!(count("drop-index-non-concurrent"), N);
    assert_eq!(count("django-default-dropped"), N);
    assert_eq!(count("validate-in-same-transaction"), N);
    assert_eq!(count("django-alterfield-backfill-in-transaction"), N);
    assert_eq!(count("set-not-null-scan"), 0);
    assert_eq!(count("rename-column"), N);
    assert_eq!(count("drop-column"), N);

    // A Django migration of many operations: the states are replayed once, not per finding.
    let mut operations = String::new();
    for n in 0..N {
        let _ = writeln!(
            operations,
            "        migrations.AddField(\"order\", \"f{n}\", models.IntegerField(default=0)),"
        );
    }
    let found = findings_of(&migration("", "", &operations));
    assert_eq!(
        found
            .iter()
            .filter(|f| f.rule == "django-default-dropped")
            .count(),
        N
    );
}

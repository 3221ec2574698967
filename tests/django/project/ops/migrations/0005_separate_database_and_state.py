# SeparateDatabaseAndState: rename a field in the state only (the column keeps its
# name through db_column), and add a column with SQL while the state gets AddField.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("ops", "0004_irreversible"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField("ticket", "old_ref", "legacy_ref"),
                migrations.AlterField(
                    model_name="ticket",
                    name="legacy_ref",
                    field=models.CharField(blank=True, db_column="old_ref", max_length=40),
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE ops_ticket ADD COLUMN resolved boolean DEFAULT false NOT NULL;",
                    reverse_sql="ALTER TABLE ops_ticket DROP COLUMN resolved;",
                ),
            ],
            state_operations=[
                migrations.AddField(
                    model_name="ticket",
                    name="resolved",
                    field=models.BooleanField(db_default=False),
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AddField(
                    model_name="ticket",
                    name="assignee",
                    field=models.CharField(blank=True, max_length=100, null=True),
                ),
            ],
            state_operations=[
                migrations.AddField(
                    model_name="ticket",
                    name="assignee",
                    field=models.CharField(blank=True, max_length=100, null=True),
                ),
            ],
        ),
    ]

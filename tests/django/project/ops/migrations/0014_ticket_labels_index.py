import django.contrib.postgres.indexes
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("ops", "0013_ticket_labels"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["labels"], name="ops_ticket_labels_gin"
            ),
        ),
    ]

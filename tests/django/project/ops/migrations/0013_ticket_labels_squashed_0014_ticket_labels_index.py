# A squashed migration (as `squashmigrations ops 0013 0014` writes it). On a database
# where neither replaced migration is applied, `migrate` applies this one instead of
# 0013 and 0014, so the oracle records this one and not those.

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [("ops", "0013_ticket_labels"), ("ops", "0014_ticket_labels_index")]

    dependencies = [
        ("ops", "0012_drop_index_together"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="labels",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=30), blank=True, default=list, size=None
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["labels"], name="ops_ticket_labels_gin"
            ),
        ),
    ]

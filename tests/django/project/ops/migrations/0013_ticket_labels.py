import django.contrib.postgres.fields
from django.db import migrations, models


class Migration(migrations.Migration):

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
    ]

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("ops", "0011_legacy_index_together"),
    ]

    operations = [
        migrations.AlterIndexTogether(
            name="ticket",
            index_together=set(),
        ),
    ]

# AlterIndexTogether: Meta.index_together is gone since Django 5.1 but the operation
# stays for historical migrations. Added here and dropped in 0012, so the final
# state has no index_together. (Not in one migration: sqlmigrate does not execute,
# so the drop would look for an index that is not there yet and fail.)

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("ops", "0010_collation_changes"),
    ]

    operations = [
        migrations.AlterIndexTogether(
            name="ticket",
            index_together={("priority", "created")},
        ),
    ]

from django.contrib.postgres.operations import RemoveCollation
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("ops", "0009_collations"),
    ]

    operations = [
        RemoveCollation("german_phonebook", provider="icu", locale="de-u-co-phonebk"),
        migrations.AlterField(
            model_name="ticket",
            name="code",
            field=models.CharField(db_collation="ops_posix", default="", max_length=20),
        ),
    ]

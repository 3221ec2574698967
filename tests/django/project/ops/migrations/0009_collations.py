# Collations: ICU (non-deterministic and deterministic) and libc, then a column
# that uses one.

from django.contrib.postgres.operations import CreateCollation
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("ops", "0008_validate_check"),
    ]

    operations = [
        CreateCollation(
            "case_insensitive", provider="icu", locale="und-u-ks-level2", deterministic=False
        ),
        CreateCollation("german_phonebook", provider="icu", locale="de-u-co-phonebk"),
        CreateCollation("ops_posix", locale="C"),
        migrations.AddField(
            model_name="ticket",
            name="code",
            field=models.CharField(db_collation="case_insensitive", default="", max_length=20),
        ),
    ]

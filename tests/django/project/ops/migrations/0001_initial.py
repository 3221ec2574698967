# Written by hand (the `ops` app is not generated): extensions and the model the
# later hand-written migrations work on.

import django.utils.timezone
from django.contrib.postgres.operations import (
    BtreeGinExtension,
    CITextExtension,
    CreateExtension,
    CryptoExtension,
    TrigramExtension,
    UnaccentExtension,
)
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = []

    operations = [
        BtreeGinExtension(),
        CITextExtension(),
        CryptoExtension(),
        TrigramExtension(),
        UnaccentExtension(),
        CreateExtension("ltree"),
        migrations.CreateModel(
            name="Ticket",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=200)),
                ("body", models.TextField(blank=True)),
                ("priority", models.IntegerField(default=0)),
                ("old_ref", models.CharField(blank=True, max_length=40)),
                ("created", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "indexes": [models.Index(fields=["created"], name="ops_ticket_created_idx")],
            },
        ),
    ]

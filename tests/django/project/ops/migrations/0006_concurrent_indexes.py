# Concurrent index operations: they refuse to run inside a transaction.

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import (
    AddIndexConcurrently,
    RemoveIndexConcurrently,
)
from django.db import migrations, models


class Migration(migrations.Migration):

    atomic = False

    dependencies = [
        ("ops", "0005_separate_database_and_state"),
    ]

    operations = [
        AddIndexConcurrently(
            "ticket",
            models.Index(fields=["priority", "-created"], name="ops_ticket_priority_idx"),
        ),
        AddIndexConcurrently(
            "ticket",
            GinIndex(fields=["body"], opclasses=["gin_trgm_ops"], name="ops_ticket_body_trgm"),
        ),
        RemoveIndexConcurrently("ticket", "ops_ticket_created_idx"),
    ]

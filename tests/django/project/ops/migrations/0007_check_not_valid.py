# A check constraint added NOT VALID; 0008 validates it in its own transaction.

from django.contrib.postgres.operations import AddConstraintNotValid
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("ops", "0006_concurrent_indexes"),
    ]

    operations = [
        AddConstraintNotValid(
            model_name="ticket",
            constraint=models.CheckConstraint(
                condition=models.Q(priority__gte=0), name="ops_ticket_priority_gte_0"
            ),
        ),
    ]

from django.contrib.postgres.operations import ValidateConstraint
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("ops", "0007_check_not_valid"),
    ]

    operations = [
        ValidateConstraint(model_name="ticket", name="ops_ticket_priority_gte_0"),
    ]

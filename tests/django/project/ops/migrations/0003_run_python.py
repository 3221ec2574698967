# RunPython with reverse code and with RunPython.noop as the reverse.

from django.db import migrations
from django.utils import timezone


def add_tickets(apps, schema_editor):
    Ticket = apps.get_model("ops", "Ticket")
    Ticket.objects.bulk_create(
        [Ticket(title=f"Ticket {n}", priority=n, created=timezone.now()) for n in range(3)]
    )


def remove_tickets(apps, schema_editor):
    Ticket = apps.get_model("ops", "Ticket")
    Ticket.objects.filter(title__startswith="Ticket ").delete()


def audit(apps, schema_editor):
    AuditEntry = apps.get_model("ops", "AuditEntry")
    AuditEntry.objects.create(message="tickets added")


class Migration(migrations.Migration):

    dependencies = [
        ("ops", "0002_run_sql"),
    ]

    operations = [
        migrations.RunPython(add_tickets, remove_tickets),
        migrations.RunPython(audit, migrations.RunPython.noop, elidable=True),
    ]

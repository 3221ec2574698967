# Operations without a reverse: sqlmigrate --backwards cannot print this migration.

from django.db import migrations


def normalise_titles(apps, schema_editor):
    Ticket = apps.get_model("ops", "Ticket")
    for ticket in Ticket.objects.all():
        ticket.title = ticket.title.strip()
        ticket.save(update_fields=["title"])


class Migration(migrations.Migration):

    dependencies = [
        ("ops", "0003_run_python"),
    ]

    operations = [
        migrations.RunPython(normalise_titles),
        migrations.RunSQL("UPDATE ops_ticket SET body = '' WHERE body IS NULL;"),
    ]

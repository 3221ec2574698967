# The final state of django.contrib.sites's models in Django 5.2.19,
# written by `tests/django/record.py contrib-state` (Django's MigrationWriter).
# Lockstep reads it when a migration refers to these models without their
# migrations being supplied. Do not edit: regenerate.
import django.contrib.sites.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='Site',
            fields=[
                ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('domain', models.CharField(max_length=100, unique=True, validators=[django.contrib.sites.models._simple_domain_name_validator], verbose_name='domain name')),
                ('name', models.CharField(max_length=50, verbose_name='display name')),
            ],
            options={
                'ordering': ['domain'],
                'db_table': 'django_site',
                'verbose_name': 'site',
                'verbose_name_plural': 'sites',
                'indexes': [],
                'constraints': [],
            },
        ),
    ]

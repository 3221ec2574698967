# The final state of django.contrib.contenttypes's models in Django 5.2.19,
# written by `tests/django/record.py contrib-state` (Django's MigrationWriter).
# Lockstep reads it when a migration refers to these models without their
# migrations being supplied. Do not edit: regenerate.
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='ContentType',
            fields=[
                ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('app_label', models.CharField(max_length=100)),
                ('model', models.CharField(max_length=100, verbose_name='python model class name')),
            ],
            options={
                'db_table': 'django_content_type',
                'verbose_name': 'content type',
                'verbose_name_plural': 'content types',
                'indexes': [],
                'constraints': [],
                'unique_together': {('app_label', 'model')},
            },
        ),
    ]

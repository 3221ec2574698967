# The final state of django.contrib.redirects's models in Django 5.2.19,
# written by `tests/django/record.py contrib-state` (Django's MigrationWriter).
# Lockstep reads it when a migration refers to these models without their
# migrations being supplied. Do not edit: regenerate.
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='Redirect',
            fields=[
                ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('site', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='sites.site', verbose_name='site')),
                ('old_path', models.CharField(db_index=True, help_text='This should be an absolute path, excluding the domain name. Example: “/events/search/”.', max_length=200, verbose_name='redirect from')),
                ('new_path', models.CharField(blank=True, help_text='This can be either an absolute path (as above) or a full URL starting with a scheme such as “https://”.', max_length=200, verbose_name='redirect to')),
            ],
            options={
                'ordering': ['old_path'],
                'unique_together': {('site', 'old_path')},
                'db_table': 'django_redirect',
                'verbose_name': 'redirect',
                'verbose_name_plural': 'redirects',
                'indexes': [],
                'constraints': [],
            },
        ),
    ]

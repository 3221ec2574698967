# Written by hand: makemigrations never emits extension operations. The extensions
# must exist before 0004 creates hstore columns, a bloom index and an exclusion
# constraint that uses btree_gist's "=" on bigint.

from django.contrib.postgres.operations import (
    BloomExtension,
    BtreeGistExtension,
    HStoreExtension,
)
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0002_more_fields"),
    ]

    operations = [
        HStoreExtension(),
        BtreeGistExtension(),
        BloomExtension(),
    ]

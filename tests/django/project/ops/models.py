"""Models of the hand-written `ops` app: the state after its last migration.

`record.py generate` checks that makemigrations finds nothing to do here.
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils import timezone


class Ticket(models.Model):
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    priority = models.IntegerField(default=0)
    legacy_ref = models.CharField(blank=True, db_column="old_ref", max_length=40)
    created = models.DateTimeField(default=timezone.now)
    resolved = models.BooleanField(db_default=False)
    assignee = models.CharField(blank=True, max_length=100, null=True)
    code = models.CharField(db_collation="ops_posix", default="", max_length=20)
    labels = ArrayField(models.CharField(max_length=30), blank=True, default=list)

    class Meta:
        indexes = [
            models.Index(fields=["priority", "-created"], name="ops_ticket_priority_idx"),
            GinIndex(fields=["body"], opclasses=["gin_trgm_ops"], name="ops_ticket_body_trgm"),
            GinIndex(fields=["labels"], name="ops_ticket_labels_gin"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(priority__gte=0), name="ops_ticket_priority_gte_0"
            ),
        ]


class AuditEntry(models.Model):
    message = models.TextField()

    class Meta:
        db_table = "ops_audit"

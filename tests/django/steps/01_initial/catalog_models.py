from uuid import uuid4

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone


class Category(models.Model):
    id = models.AutoField(primary_key=True)
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    description = models.TextField(blank=True)
    position = models.SmallIntegerField(default=0)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"


class Product(models.Model):
    uuid = models.UUIDField(default=uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    sku = models.CharField(max_length=32, unique=True)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    weight_kg = models.FloatField(null=True, blank=True)
    stock = models.PositiveIntegerField(default=0)
    views = models.PositiveBigIntegerField(db_default=0)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)
    release_date = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    attributes = models.JSONField(default=dict, blank=True)
    tags = ArrayField(models.CharField(max_length=30), default=list, blank=True)
    description = models.TextField(blank=True, db_comment="Shown on the product page")

    class Meta:
        db_table_comment = "Everything we sell"

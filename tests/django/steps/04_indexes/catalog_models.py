from uuid import uuid4

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.indexes import (
    BloomIndex,
    BrinIndex,
    BTreeIndex,
    GinIndex,
    GistIndex,
    HashIndex,
    SpGistIndex,
)
from django.contrib.postgres.fields import (
    ArrayField,
    BigIntegerRangeField,
    DateRangeField,
    DateTimeRangeField,
    DecimalRangeField,
    HStoreField,
    IntegerRangeField,
    RangeOperators,
)
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower, Upper
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
    # Added in this step.
    warranty = models.DurationField(null=True, blank=True)
    available_from = models.TimeField(null=True, blank=True)
    homepage = models.URLField(blank=True)
    contact_email = models.EmailField(default="sales@example.com")
    manual = models.FileField(upload_to="manuals/", blank=True)
    spec_sheet = models.FilePathField(path="/srv/specs", match=r".*\.pdf$", blank=True)
    thumbnail = models.BinaryField(null=True, blank=True)
    first_listed = models.DateTimeField(default=timezone.now)
    public_id = models.UUIDField(default=uuid4)
    rating = models.SmallIntegerField(db_default=3)
    code = models.SlugField(max_length=40, db_default="", blank=True)
    # Added in this step.
    extra = HStoreField(null=True, blank=True)
    dimensions_mm = ArrayField(models.IntegerField(), size=3, null=True, blank=True)

    class Meta:
        db_table_comment = "Everything we sell"
        indexes = [
            models.Index(fields=["name"], name="catalog_product_name_idx"),
            models.Index(fields=["-created"], name="catalog_product_created_desc"),
            models.Index(fields=["category", "-price"], name="catalog_product_cat_price"),
            models.Index(
                fields=["price"], condition=Q(is_active=True), name="catalog_product_active_price"
            ),
            models.Index(
                fields=["sku"], include=["name", "price"], name="catalog_product_sku_cover"
            ),
            models.Index(
                fields=["name"], opclasses=["varchar_pattern_ops"], name="catalog_product_name_like"
            ),
            models.Index(Lower("name"), name="catalog_product_lower_name"),
            models.Index(
                Upper("sku"), F("created").desc(), name="catalog_product_upper_sku_new"
            ),
            GinIndex(fields=["tags"], name="catalog_product_tags_gin"),
            GinIndex(fields=["attributes"], fastupdate=False, name="catalog_product_attrs_gin"),
            BrinIndex(
                fields=["created"], autosummarize=True, pages_per_range=16,
                name="catalog_product_created_brin",
            ),
            BTreeIndex(
                fields=["release_date"], fillfactor=80, deduplicate_items=False,
                name="catalog_product_release_btree",
            ),
            HashIndex(fields=["sku"], fillfactor=90, name="catalog_product_sku_hash"),
            SpGistIndex(fields=["homepage"], name="catalog_product_home_spgist"),
            BloomIndex(
                fields=["stock", "description"], length=80, columns=[4, 2],
                name="catalog_product_bloom",
            ),
        ]


class Promotion(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="promotions")
    name = models.CharField(max_length=100)
    period = DateTimeRangeField()
    days = DateRangeField(null=True, blank=True)
    quantity = IntegerRangeField(null=True, blank=True)
    order_total_cents = BigIntegerRangeField(null=True, blank=True)
    price = DecimalRangeField(null=True, blank=True)
    metadata = HStoreField(default=dict, blank=True)
    coupon_matrix = ArrayField(ArrayField(models.IntegerField(), size=2), null=True, blank=True)

    class Meta:
        constraints = [
            ExclusionConstraint(
                name="catalog_promotion_no_overlap",
                expressions=[
                    ("period", RangeOperators.OVERLAPS),
                    ("product", RangeOperators.EQUAL),
                ],
            ),
        ]
        indexes = [
            GistIndex(fields=["days"], buffering=True, fillfactor=70, name="catalog_promo_days_gist"),
            SpGistIndex(fields=["quantity"], fillfactor=80, name="catalog_promo_qty_spgist"),
            GinIndex(fields=["metadata"], name="catalog_promo_metadata_gin"),
            GistIndex(fields=["price", "order_total_cents"], name="catalog_promo_ranges_gist"),
        ]

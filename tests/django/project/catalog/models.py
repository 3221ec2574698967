from decimal import Decimal
from uuid import uuid4

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.indexes import (
    BrinIndex,
    BTreeIndex,
    GinIndex,
    GistIndex,
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
from django.db.models import Deferrable, F, Q
from django.db.models.functions import Length, Lower, Upper
from django.utils import timezone


class Category(models.Model):
    id = models.BigAutoField(primary_key=True)
    name = models.TextField(unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    description = models.CharField(max_length=500, blank=True)
    position = models.SmallIntegerField(default=0)
    # Added in this step.
    hero_product = models.OneToOneField(
        "Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "catalog_categories"
        ordering = ["position", "name"]
        verbose_name = "product category"
        verbose_name_plural = "product categories"


class ProductManager(models.Manager):
    use_in_migrations = True

    def active(self):
        return self.filter(is_active=True)


class Product(models.Model):
    uuid = models.UUIDField(default=uuid4, unique=True, editable=False)
    name = models.CharField(max_length=250)
    sku = models.CharField(max_length=32)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    weight = models.FloatField(default=0.0)
    stock = models.PositiveIntegerField(default=0, db_index=True, db_comment="Units in the warehouse")
    views = models.PositiveBigIntegerField(default=0)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)
    release_date = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    attributes = models.JSONField(default=dict, blank=True)
    tags = ArrayField(models.CharField(max_length=30), default=list, blank=True)
    description = models.TextField(blank=True, db_comment="Markdown, shown on the product page")
    # Added in this step.
    warranty = models.DurationField(null=True, blank=True)
    available_from = models.TimeField(null=True, blank=True)
    website = models.URLField(blank=True, db_column="home_page")
    contact_email = models.EmailField(max_length=320, default="sales@example.com")
    manual = models.FileField(upload_to="manuals/", blank=True)
    first_listed = models.DateTimeField(default=timezone.now)
    public_id = models.UUIDField(default=uuid4)
    rating = models.SmallIntegerField(db_default=5)
    code = models.SlugField(max_length=40, db_default="", blank=True, db_index=False)
    # Added in this step.
    extra = HStoreField(null=True, blank=True)
    # Added in this step.
    similar_products = models.ManyToManyField("self", blank=True)
    # Re-added with a new expression: Django cannot alter a GeneratedField in place.
    price_with_tax = models.GeneratedField(
        expression=F("price") * Decimal("1.25"),
        output_field=models.DecimalField(max_digits=14, decimal_places=4),
        db_persist=True,
    )

    objects = ProductManager()

    class Meta:
        db_table_comment = "Everything we sell, active or not"
        indexes = [
            models.Index(fields=["name"], name="catalog_product_name_btree"),
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
            SpGistIndex(fields=["website"], name="catalog_product_home_spgist"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(stock__lte=1_000_000) | Q(is_active=False),
                name="catalog_product_stock_sane",
                violation_error_message="An active product cannot have that much stock.",
            ),
            models.CheckConstraint(
                condition=Q(release_date__isnull=True) | Q(release_date__gte="2000-01-01"),
                name="catalog_product_release_recent",
            ),
            models.UniqueConstraint(
                fields=["category", "name"], name="catalog_product_unique_name_per_category"
            ),
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_active=True) & ~Q(code=""),
                name="catalog_product_active_code",
            ),
            models.UniqueConstraint(
                fields=["public_id"], include=["price"], name="catalog_product_public_id_cover"
            ),
            models.UniqueConstraint(
                fields=["website", "category"], deferrable=Deferrable.DEFERRED,
                name="catalog_product_homepage_deferred",
            ),
            models.UniqueConstraint(
                fields=["contact_email"], opclasses=["varchar_pattern_ops"],
                name="catalog_product_contact_pattern",
            ),
            models.UniqueConstraint(
                Lower("name"), "category", name="catalog_product_lower_name_category"
            ),
        ]


class Campaign(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="promotions")
    name = models.TextField()
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
            models.CheckConstraint(
                condition=Q(period__startswith__isnull=False), name="catalog_promotion_has_start"
            ),
        ]
        indexes = [
            SpGistIndex(fields=["quantity"], fillfactor=80, name="catalog_promo_qty_spgist"),
            GinIndex(fields=["metadata"], name="catalog_promo_metadata_gin"),
            GistIndex(fields=["price", "order_total_cents"], name="catalog_promo_ranges_gist"),
        ]


class ProductDetail(models.Model):
    product = models.OneToOneField(
        Product, on_delete=models.CASCADE, primary_key=True, related_name="detail"
    )
    long_description = models.TextField(blank=True)
    specs = models.JSONField(null=True, blank=True)
    description_length = models.GeneratedField(
        expression=Length("long_description"),
        output_field=models.IntegerField(),
        db_persist=True,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    fallback_category = models.ForeignKey(
        Category, on_delete=models.SET_DEFAULT, default=1, related_name="+"
    )
    legacy_category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.RESTRICT,
        db_constraint=False, db_index=False, related_name="+",
    )
    substitute = models.OneToOneField(
        Product, null=True, blank=True, on_delete=models.SET(None), related_name="+"
    )
    featured_by = models.ForeignKey(
        "shop.Client", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+"
    )

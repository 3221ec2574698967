import decimal
import uuid

from django.conf import settings
from django.contrib.postgres.functions import RandomUUID, TransactionNow
from django.contrib.postgres.indexes import GistIndex
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class Client(models.Model):
    id = models.SmallAutoField(primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customers"
    )
    email_address = models.EmailField(unique=True)
    phone = models.CharField(max_length=32, blank=True, null=True)
    last_ip = models.GenericIPAddressField(null=True, blank=True)
    loyalty_points = models.BigIntegerField(default=0)
    balance_cents = models.BigIntegerField(db_default=0)
    joined = models.DateTimeField(auto_now_add=True)
    # Added in this step.
    vip = models.BooleanField(db_default=True)
    token = models.UUIDField(db_default=RandomUUID())
    score = models.FloatField(default=1.5)
    # Added in this step.
    favourite_products = models.ManyToManyField(
        "catalog.Product", blank=True, related_name="fans", db_table="shop_favourite_products"
    )
    referral_code = models.CharField(max_length=12, unique=True, null=True, blank=True)
    country = models.CharField(max_length=2, default="NL", db_index=True)

    class Meta:
        indexes = [
            GistIndex(fields=["last_ip"], opclasses=["inet_ops"], name="shop_customer_ip_gist"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["phone"], condition=~Q(phone=""), name="shop_customer_unique_phone"
            ),
            models.CheckConstraint(
                condition=Q(loyalty_points__gte=0), name="shop_customer_points_non_negative"
            ),
        ]


class Order(models.Model):
    STATUS_CHOICES = [
        ("new", "New"),
        ("paid", "Paid"),
        ("shipped", "Shipped"),
        ("cancelled", "Cancelled"),
        ("refunded", "Refunded"),
    ]

    customer = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="orders"
    )
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default="new")
    placed_at = models.DateTimeField(default=timezone.now)
    reference = models.UUIDField(default=uuid.uuid4, unique=True)
    total = models.DecimalField(max_digits=12, decimal_places=2, default=decimal.Decimal("0"))
    note = models.TextField(blank=True, db_comment="Internal note; never shown to customers")
    # Added in this step.
    created_db = models.DateTimeField(db_default=TransactionNow())
    shipped_on = models.DateField(null=True, blank=True, db_index=True)
    weight_g = models.PositiveIntegerField(default=0)
    priority = models.IntegerField(db_default=0)
    gift = models.BooleanField(default=False)
    # Added in this step.
    campaign = models.ForeignKey(
        "catalog.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )

    class Meta:
        db_table_comment = "One checkout"
        indexes = [
            models.Index(fields=["customer", "-placed_at"], name="shop_order_customer_recent"),
            models.Index(
                fields=["placed_at"], condition=Q(status="new") & Q(gift=True),
                name="shop_order_new_gifts",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="shop_order_total_non_negative"),
            models.CheckConstraint(
                condition=Q(status="shipped", shipped_on__isnull=False) | ~Q(status="shipped"),
                name="shop_order_shipped_has_date",
            ),
        ]


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE)
    quantity = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    # Added in this step.
    line_total = models.GeneratedField(
        expression=F("quantity") * F("unit_price"),
        output_field=models.DecimalField(max_digits=14, decimal_places=2),
        db_persist=True,
    )


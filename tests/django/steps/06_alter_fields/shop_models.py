import decimal
import uuid

from django.conf import settings
from django.contrib.postgres.functions import RandomUUID, TransactionNow
from django.contrib.postgres.indexes import GistIndex
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Customer(models.Model):
    id = models.SmallAutoField(primary_key=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer"
    )
    email = models.EmailField(unique=True)
    phone = models.CharField(max_length=32, blank=True)
    last_ip = models.GenericIPAddressField(null=True, blank=True)
    loyalty_points = models.BigIntegerField(default=0)
    balance_cents = models.BigIntegerField(db_default=0)
    joined = models.DateTimeField(auto_now_add=True)
    # Added in this step.
    birthday = models.DateField(null=True, blank=True)
    vip = models.BooleanField(db_default=True, db_comment="Gets free shipping")
    token = models.UUIDField(db_default=RandomUUID())
    score = models.FloatField(default=1.5)

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
    ]

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="orders", db_index=False
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
    priority = models.IntegerField(default=0)
    gift = models.BooleanField(default=False)

    class Meta:
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
            models.CheckConstraint(
                condition=Q(created_db__lte=models.F("placed_at")) | Q(priority__gt=0),
                name="shop_order_dates_ordered",
            ),
        ]


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE)
    quantity = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    # Added in this step.
    product_ref = models.ForeignKey(
        "catalog.Product", to_field="uuid", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        unique_together = [("order", "product")]

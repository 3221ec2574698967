import decimal
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Customer(models.Model):
    id = models.SmallAutoField(primary_key=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer"
    )
    email = models.EmailField(unique=True)
    phone = models.CharField(max_length=20, blank=True)
    last_ip = models.GenericIPAddressField(null=True, blank=True)
    loyalty_points = models.IntegerField(default=0)
    balance_cents = models.BigIntegerField(db_default=0)
    joined = models.DateTimeField(auto_now_add=True)


class Order(models.Model):
    STATUS_CHOICES = [
        ("new", "New"),
        ("paid", "Paid"),
        ("shipped", "Shipped"),
        ("cancelled", "Cancelled"),
    ]

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="orders")
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default="new", db_index=True)
    placed_at = models.DateTimeField(default=timezone.now)
    reference = models.UUIDField(default=uuid.uuid4, unique=True)
    total = models.DecimalField(max_digits=12, decimal_places=2, default=decimal.Decimal("0.00"))
    note = models.TextField(blank=True, db_comment="Internal note, never shown to the customer")


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT)
    quantity = models.PositiveSmallIntegerField(default=1)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        unique_together = [("order", "product")]

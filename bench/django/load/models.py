"""The tables the benchmark writes to while a migration runs (bench/load.py)."""

from django.db import models


class Customer(models.Model):
    name = models.CharField(max_length=100)
    created = models.DateTimeField(auto_now_add=True)


class Order(models.Model):
    amount = models.IntegerField()
    note = models.CharField(max_length=100, blank=True)
    placed = models.DateTimeField()
    customer = models.ForeignKey(Customer, null=True, on_delete=models.SET_NULL)
    status = models.CharField(max_length=20, default="new")

    class Meta:
        indexes = [models.Index(fields=["placed"], name="load_order_placed_idx")]

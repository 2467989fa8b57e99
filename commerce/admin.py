"""Bags, orders and lines in the admin: to look at, never to change. An edited order or line
would no longer be what the buyer bought and the seller was paid for."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from commerce.models import Bag, BagItem, Order, OrderLine


class ReadOnly:
    """View permission only: no add, change or delete, in lists, forms and inlines."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class BagItemInline(ReadOnly, admin.TabularInline):
    model = BagItem
    fields = ("product", "quantity", "seen_price", "created", "deleted")
    readonly_fields = fields


@admin.register(Bag)
class BagAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("id", "owner", "state", "created", "updated")
    list_filter = ("state",)
    search_fields = ("owner__username",)
    inlines = [BagItemInline]


class OrderLineInline(ReadOnly, admin.TabularInline):
    model = OrderLine
    fields = ("product_name", "seller", "unit_price", "quantity", "line_total", "fulfilled")
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("number", "buyer", "state", "total", "currency", "created")
    list_filter = ("state",)
    search_fields = ("number", "buyer__username")
    inlines = [OrderLineInline]


@admin.register(OrderLine)
class OrderLineAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("order", "product_name", "seller", "quantity", "line_total", "fulfilled")
    list_filter = ("fulfilled",)
    search_fields = ("order__number", "product_name", "seller__username")

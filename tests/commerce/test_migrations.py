"""commerce 0003: lines already in bags get the price their product has at migration time,
so nobody is asked to confirm a change made before prices were remembered."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("commerce", "0002_order_line_position")]
AFTER = [("commerce", "0003_bag_item_seen_price")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_bag_lines_see_the_current_price(make_user, make_product):
    product = make_product(price=Decimal("12.30"))
    buyer = make_user("old-bag")
    try:
        apps = migrate(BEFORE)
        Bag = apps.get_model("commerce", "Bag")
        BagItem = apps.get_model("commerce", "BagItem")
        bag = Bag.objects.create(owner_id=buyer.pk)
        item = BagItem.objects.create(bag=bag, product_id=product.pk, quantity=2)

        apps = migrate(AFTER)

        migrated = apps.get_model("commerce", "BagItem").objects.get(pk=item.pk)
        assert migrated.seen_price == Decimal("12.30")
    finally:
        migrate(AFTER)

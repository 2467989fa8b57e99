from django.db import migrations, models

# Lines already in bags agreed to the price their product has now: nobody is asked to
# confirm a change made before this column existed.
SEE_CURRENT_PRICES = """
UPDATE commerce_bagitem AS item SET seen_price = product.price
FROM catalog_product AS product
WHERE product.id = item.product_id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("commerce", "0002_order_line_position"),
    ]

    operations = [
        migrations.AddField(
            model_name="bagitem",
            name="seen_price",
            field=models.DecimalField(decimal_places=2, max_digits=12, null=True),
        ),
        migrations.RunSQL(SEE_CURRENT_PRICES, reverse_sql=migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="bagitem",
            name="seen_price",
            field=models.DecimalField(decimal_places=2, max_digits=12),
        ),
        migrations.AddConstraint(
            model_name="bagitem",
            constraint=models.CheckConstraint(
                condition=models.Q(("seen_price__gte", 0)), name="bag_item_seen_price_gte_0"
            ),
        ),
    ]

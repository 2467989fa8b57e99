from django.db import migrations, models

NUMBER_EXISTING_LINES = """
UPDATE commerce_orderline AS line SET position = numbered.position
FROM (
    SELECT id, row_number() OVER (PARTITION BY order_id ORDER BY created, id) AS position
    FROM commerce_orderline
) AS numbered
WHERE line.id = numbered.id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("commerce", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="orderline",
            options={"ordering": ["order", "position"]},
        ),
        migrations.AddField(
            model_name="orderline",
            name="position",
            field=models.PositiveSmallIntegerField(null=True),
        ),
        migrations.RunSQL(NUMBER_EXISTING_LINES, reverse_sql=migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="orderline",
            name="position",
            field=models.PositiveSmallIntegerField(),
        ),
        migrations.AddConstraint(
            model_name="orderline",
            constraint=models.UniqueConstraint(
                models.F("order"), models.F("position"), name="order_line_position_unique"
            ),
        ),
    ]

import statistics
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from accounts.models import User
from catalog.models import Product, ProductState, ProductTag, Tag
from catalog.seed_vocabulary import tag_vocabulary

pytestmark = pytest.mark.django_db


def seed(**options):
    out = StringIO()
    call_command("seed_catalog", no_progress=True, stdout=out, **options)
    return out.getvalue()


def test_seed_creates_a_realistic_catalog():
    output = seed(products=1000, users=5, seed=7)

    assert Product.objects.count() == 1000
    assert User.objects.filter(username__startswith="seller-").count() == 5
    assert Tag.objects.count() == len(tag_vocabulary())
    assert "search_reindex" in output
    # Mostly active, with some drafts and archived ones; some out of stock.
    assert 750 < Product.objects.filter(state=ProductState.ACTIVE).count() < 950
    assert Product.objects.exclude(state=ProductState.ACTIVE).exists()
    assert 80 < Product.objects.filter(stock=0).count() < 250

    per_product = Product.objects.annotate(
        n=Count("tag_links", filter=Q(tag_links__deleted__isnull=True))
    ).values_list("n", flat=True)
    assert min(per_product) >= 1
    assert max(per_product) <= 6

    per_tag = sorted(
        Tag.objects.annotate(n=Count("product_links")).values_list("n", flat=True), reverse=True
    )
    assert per_tag[0] > 10 * max(1, statistics.median(per_tag))  # a long tail


def test_seed_twice_with_the_same_seed_adds_products_and_reuses_sellers_and_tags():
    Tag.objects.create(name="kitchen", slug="kitchen")  # the vocabulary says "Kitchen"
    seed(products=200, users=3, seed=1)
    seed(products=200, users=4, seed=1)

    assert Product.objects.count() == 400
    assert User.objects.filter(username__startswith="seller-").count() == 4
    assert Tag.objects.count() == len(tag_vocabulary())
    assert Tag.objects.filter(name__iexact="kitchen").count() == 1
    assert ProductTag.objects.filter(tag__slug="kitchen").exists()

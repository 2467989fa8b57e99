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


def test_tags_and_materials_belong_to_the_product():
    from catalog.seed_vocabulary import (
        CATEGORIES,
        CATEGORY_MATERIALS,
        CATEGORY_TAGS,
        GENERIC_TAGS,
        SHOWCASE,
    )

    seed(products=300, users=2, seed=3)

    fitting = {name.lower() for name in GENERIC_TAGS}
    for category, tags in CATEGORY_TAGS.items():
        fitting |= {category.lower(), *(t.lower() for t in tags)}
    materials = {m.lower() for ms in CATEGORY_MATERIALS.values() for m in ms}
    showcase = {name for _, name in SHOWCASE}
    for product in Product.objects.prefetch_related("tag_links__tag"):
        if product.name in showcase:
            continue
        kinds = [c for c, (_, nouns) in CATEGORIES.items() if _kind(product.name, nouns)]
        allowed = fitting | materials
        for link in product.tag_links.all():
            tag = link.tag.name.lower()
            assert tag in allowed or tag in product.name.lower(), (product.name, tag)
        fitting_materials = [m for kind in kinds for m in CATEGORY_MATERIALS[kind]]
        assert any(m.lower() in product.name.lower() for m in fitting_materials), product.name


def _kind(name: str, nouns: list[str]) -> bool:
    from catalog.seed_vocabulary import plural

    return any(name.endswith(noun) or name.endswith(f"{plural(noun)} Set") for noun in nouns)


def test_names_have_accents_plurals_and_audiences():
    seed(products=1000, users=2, seed=5)

    names = list(Product.objects.values_list("name", flat=True))
    assert any(not name.isascii() for name in names)
    assert any(name.endswith("s Set") for name in names)
    assert any(name.startswith(("Women's", "Men's", "Children's")) for name in names)
    assert {"Crème Brûlée Torch", "Women's Boots", "Television Stand"} <= set(names)


def test_if_empty_seeds_only_an_empty_catalog_and_reindex_indexes():
    output = seed(products=50, users=2, seed=1, if_empty=True, reindex=True, demo_synonyms=True)
    assert "added: tv, television" in output
    assert Product.objects.count() == 50
    assert "products: " in output  # search_reindex's report

    assert "nothing seeded" in seed(products=50, users=2, seed=1, if_empty=True)
    assert Product.objects.count() == 50

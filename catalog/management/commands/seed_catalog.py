"""`manage.py seed_catalog`: a realistic demo catalog, fast, for demos and benchmarks."""

import bisect
import functools
import itertools
import math
import random
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from accounts.identity import canonical_username
from accounts.models import User
from catalog.models import Product, ProductState, ProductTag, Tag
from catalog.seed_vocabulary import (
    ADJECTIVES,
    AUDIENCES,
    CATEGORIES,
    CATEGORY_AUDIENCES,
    CATEGORY_MATERIALS,
    CATEGORY_TAGS,
    COLORS,
    DEMO_SYNONYMS,
    DESCRIPTION_CLOSERS,
    DESCRIPTION_MIDDLES,
    DESCRIPTION_OPENERS,
    GENERIC_TAGS,
    ROOMS,
    SET_CATEGORIES,
    SHOWCASE,
    plural,
    tag_vocabulary,
)

SEED_PASSWORD = "seed-password-1"  # noqa: S105 - demo accounts on local data only
CREATED_SPAN = timedelta(days=730)
# Zipf exponent of tag popularity: a few tags on many products, a long tail on few.
TAG_ZIPF_EXPONENT = 1.1
TAGS_PER_PRODUCT_WEIGHTS = [15, 30, 25, 15, 10, 5]  # 1..6 tags

STATE_CHOICES = [ProductState.ACTIVE, ProductState.DRAFT, ProductState.ARCHIVED]
STATE_WEIGHTS = [85, 10, 5]


def seller_username(n: int) -> str:
    return f"seller-{n:04d}"


class Command(BaseCommand):
    help = (
        "Create a realistic demo catalog fast (bulk inserts): sellers, tags with a long-tail "
        "popularity, and products. Bulk-created rows bypass the search sync on purpose: run "
        "`manage.py search_reindex` afterwards. Safe to re-run: sellers and tags are reused, "
        "products are added."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--products", type=int, default=1000, help="products to add")
        parser.add_argument("--users", type=int, default=50, help="sellers (seller-0001, ...)")
        parser.add_argument("--seed", type=int, default=42, help="random seed (same data)")
        parser.add_argument("--batch-size", type=int, default=2000, help="rows per INSERT")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when any product exists"
        )
        parser.add_argument(
            "--reindex", action="store_true", help="then run search_reindex (search shows them)"
        )
        parser.add_argument(
            "--demo-synonyms", action="store_true", help="add the demo's search synonym rules"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        n_products: int = options["products"]
        n_users: int = options["users"]
        batch_size: int = options["batch_size"]
        if n_products < 0 or n_users < 1 or batch_size < 1:
            raise CommandError("--products >= 0, --users >= 1 and --batch-size >= 1, please.")
        if options["if_empty"] and Product.all_objects.exists():
            self.stdout.write("The catalog has products already: nothing seeded.")
            return
        rng = random.Random(options["seed"])  # noqa: S311 - demo data, not secrets
        now = timezone.now()

        sellers = self._sellers(n_users, batch_size)
        tags = self._tags()
        tags_by_lower = {tag.name.lower(): tag for tag in tags}
        generator = _ProductGenerator(rng, now, sellers, tags_by_lower)

        progress = tqdm(
            total=n_products, unit="product", desc="seed_catalog", disable=options["no_progress"]
        )
        created_products = created_links = 0
        with progress:
            remaining = n_products
            while remaining > 0:
                size = min(batch_size, remaining)
                products, links = generator.batch(size)
                with transaction.atomic():
                    Product.objects.bulk_create(products, batch_size=batch_size)
                    ProductTag.objects.bulk_create(links, batch_size=batch_size * 2)
                created_products += len(products)
                created_links += len(links)
                remaining -= size
                progress.update(size)

        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {created_products} products ({created_links} tag links), "
                f"{len(sellers)} sellers, {len(tags)} tags."
            )
        )
        if options["demo_synonyms"]:
            for rule in DEMO_SYNONYMS:  # by name, as below: search is its own app
                call_command("search_synonyms", "add", rule, stdout=self.stdout)
        if options["reindex"]:
            call_command("search_reindex", stdout=self.stdout)
            return
        self.stdout.write(
            "Bulk inserts bypass the search sync: run `manage.py search_reindex` now so that "
            "search and listings show them."
        )

    def _sellers(self, n_users: int, batch_size: int) -> list[User]:
        """seller-0001..seller-M, reusing those that exist; one password hash for all."""
        wanted = [seller_username(i) for i in range(1, n_users + 1)]
        # Seller names are ASCII lower case: their canonical form is themselves.
        existing = {
            user.username_canonical: user
            for user in User.all_objects.filter(username_canonical__in=wanted)
        }
        password = make_password(SEED_PASSWORD)  # hashed once: PBKDF2 per user would be slow
        missing = [
            # bulk_create skips save(), which fills the canonical name.
            User(
                username=name,
                username_canonical=canonical_username(name),
                email=f"{name}@example.com",
                password=password,
                first_name="Seller",
                last_name=name.rsplit("-", 1)[1],
            )
            for name in wanted
            if name not in existing
        ]
        User.objects.bulk_create(missing, batch_size=batch_size)
        return [*existing.values(), *missing]

    def _tags(self) -> list[Tag]:
        """The vocabulary's tags, reusing live tags of the same name in any case."""
        names = tag_vocabulary()
        existing = {
            tag.lower_name: tag
            for tag in Tag.objects.annotate(lower_name=Lower("name")).filter(
                lower_name__in=[name.lower() for name in names]
            )
        }
        taken_slugs = set(Tag.objects.values_list("slug", flat=True))
        missing: list[Tag] = []
        for name in names:
            if name.lower() in existing:
                continue
            base = slugify(name)[:50] or "tag"
            slug, n = base, 1
            while slug in taken_slugs:
                n += 1
                slug = f"{base}-{n}"
            taken_slugs.add(slug)
            missing.append(Tag(name=name, slug=slug))
        Tag.objects.bulk_create(missing)
        return [*existing.values(), *missing]


def _with_article(word: str) -> str:
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


class _ProductGenerator:
    """Builds unsaved Product and ProductTag rows from the vocabulary, deterministically."""

    def __init__(
        self,
        rng: random.Random,
        now: datetime,
        sellers: list[User],
        tags_by_lower: dict[str, Tag],
    ) -> None:
        self.rng = rng
        self.now = now
        self.sellers = sellers
        self.tags_by_lower = tags_by_lower
        self.categories = [(name, price, nouns) for name, (price, nouns) in CATEGORIES.items()]
        self.span_seconds = CREATED_SPAN.total_seconds()

    def batch(self, size: int) -> tuple[list[Product], list[ProductTag]]:
        products: list[Product] = []
        links: list[ProductTag] = []
        for product, tags in itertools.islice(self._products(), size):
            products.append(product)
            links.extend(
                ProductTag(product=product, tag=tag, created=product.created) for tag in tags
            )
        return products, links

    def _products(self) -> Iterator[tuple[Product, list[Tag]]]:
        rng = self.rng
        showcase = iter(SHOWCASE)
        while True:
            category, typical_price, nouns = rng.choice(self.categories)
            fixed = next(showcase, None)  # the first products: always in the demo catalog
            if fixed is not None:
                category = fixed[0]
                typical_price, nouns = CATEGORIES[category]
            adjective, material, noun = (
                rng.choice(ADJECTIVES),
                rng.choice(CATEGORY_MATERIALS[category]),
                rng.choice(nouns),
            )
            color = rng.choice(COLORS)
            with_color = rng.random() < 0.2
            name = f"{adjective} {color} {material} {noun}" if with_color else None
            if name is None and category in SET_CATEGORIES and rng.random() < 0.15:
                name = f"{adjective} {material} {plural(noun)} Set"  # "Copper Kettles Set"
            if name is None and category in CATEGORY_AUDIENCES and rng.random() < 0.35:
                name = f"{rng.choice(CATEGORY_AUDIENCES[category])} {material} {noun}"
            name = name or f"{adjective} {material} {noun}"
            if fixed is not None:
                name = fixed[1]
            words = {
                "name": name,
                "adj": adjective,
                "adj_l": adjective.lower(),
                "a_adj_l": _with_article(adjective.lower()),
                "A_adj_l": _with_article(adjective.lower()).capitalize(),
                "noun": noun,
                "noun_l": noun.lower(),
                "material_l": material.lower(),
                "material": material,
                "color_l": color.lower(),
                "category_l": category.lower(),
                "room": rng.choice(ROOMS),
                "audience": rng.choice(AUDIENCES),
            }
            sentences = [rng.choice(DESCRIPTION_OPENERS)]
            sentences += rng.sample(DESCRIPTION_MIDDLES, rng.randint(1, 3))
            sentences.append(rng.choice(DESCRIPTION_CLOSERS))
            description = " ".join(s.format(**words) for s in sentences if s)

            # Log-normal spread around the category's typical price, shop-like endings.
            raw_price = max(0.5, typical_price * math.exp(rng.gauss(0, 0.7)))
            cents = rng.choice((99, 95, 0, 50)) if raw_price >= 5 else rng.randint(0, 99)
            price = Decimal(f"{int(raw_price)}.{cents:02d}")
            stock = 0 if rng.random() < 0.15 else min(999, int(rng.paretovariate(1.2) * 3))
            created = self.now - timedelta(seconds=rng.random() * self.span_seconds)

            product = Product(
                id=uuid.uuid4(),  # not from rng: a re-run with the same seed adds new rows
                owner=rng.choice(self.sellers),
                name=name,
                description=description,
                price=price,
                stock=stock,
                state=rng.choices(STATE_CHOICES, STATE_WEIGHTS)[0],
                created=created,
            )
            yield product, self._tags_for(category, material, color if with_color else None)

    def _tags_for(self, category: str, material: str, color: str | None) -> list[Tag]:
        """1..6 distinct tags that belong to the product: its category, often its material
        (and colour when its name says one), then tags of its kind, then a generic one; the
        earlier a tag in its list, the likelier (a long tail of popularity)."""
        rng = self.rng
        count = rng.choices(range(1, 7), TAGS_PER_PRODUCT_WEIGHTS)[0]
        chosen: dict[Any, Tag] = {}
        for word, chance in ((category, 0.9), (material, 0.5), (color, 0.5)):
            tag = self.tags_by_lower.get(word.lower()) if word else None
            if tag is not None and len(chosen) < count and rng.random() < chance:
                chosen[tag.pk] = tag
        pools = (CATEGORY_TAGS[category], GENERIC_TAGS)
        while len(chosen) < count:
            pool = pools[0] if rng.random() < 0.7 else pools[1]
            tag = self.tags_by_lower[_zipf_pick(rng, pool).lower()]
            chosen[tag.pk] = tag
        return list(chosen.values())


@functools.cache
def _zipf_weights(size: int) -> list[float]:
    return list(itertools.accumulate(1 / (rank**TAG_ZIPF_EXPONENT) for rank in range(1, size + 1)))


def _zipf_pick(rng: random.Random, names: list[str]) -> str:
    """One of `names`, the n-th with a weight 1/n^TAG_ZIPF_EXPONENT."""
    cumulative = _zipf_weights(len(names))
    return names[min(bisect.bisect(cumulative, rng.random() * cumulative[-1]), len(names) - 1)]

"""A person uses the store at `/` in headless Chromium: signs up, searches as they type,
narrows with facets, buys, sells and fulfils; errors show next to their cause; axe-core
finds no serious or critical violation on the main pages. Screenshots of each main page go
to .screenshots/ (see `make screenshots`)."""

import time
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from elasticsearch.dsl import connections
from oauth2_provider.models import AccessToken
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from accounts.models import Follow, User
from catalog.models import Product, ProductState
from commerce import services as commerce
from commerce.models import Order, OrderState
from tests.browser.conftest import PASSWORD, Page
from tests.search.conftest import eager_celery, fresh_indices

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures(eager_celery.__name__, fresh_indices.__name__),
]


@pytest.fixture
def catalog(make_user, make_product, searchable):
    """A seller with a few products, indexed and searchable."""
    grace = make_user("grace")
    products = {
        "lamp": make_product(
            owner=grace,
            name="Walnut desk lamp",
            price=Decimal("49.00"),
            stock=3,
            description="Warm light, oiled walnut base.",
            tags=["Lighting", "Walnut"],
        ),
        "board": make_product(
            owner=grace,
            name="Walnut cutting board",
            price=Decimal("25.00"),
            stock=5,
            description="End-grain board for the kitchen.",
            tags=["Kitchen", "Walnut"],
        ),
        "brass": make_product(
            owner=grace,
            name="Brass desk lamp",
            price=Decimal("89.00"),
            stock=2,
            description="Heavy brass, linen shade.",
            tags=["Lighting"],
        ),
        "cloth": make_product(
            owner=grace,
            name="Linen tablecloth",
            price=Decimal("35.00"),
            stock=0,
            description="Stonewashed linen.",
            tags=["Kitchen", "Linen"],
        ),
    }
    searchable()
    return grace, products


def type_slowly(element, text: str) -> None:
    for character in text:
        element.send_keys(character)


def result_names(page: Page) -> list[str]:
    return [e.text for e in page.find_all("main .results .product-name")]


def query_of(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.driver.current_url).query)


def sign_in(page: Page, username: str) -> None:
    page.open("/signin/")
    page.fill({"Username": username, "Password": PASSWORD})
    page.button("Sign in", "main form").click()
    page.wait_for_text("#account-nav", f"Signed in as {username}")


def test_a_shopper_signs_up_searches_buys_and_follows_the_seller(page: Page, catalog):
    grace, products = catalog
    page.open("/")
    page.wait(lambda d: len(result_names(page)) == 4, "the four products on sale")
    page.screenshot("home")
    page.axe("home")

    # Sign up: a weak password is refused next to the password field, then it works.
    page.link("Sign up", "#account-nav").click()
    page.wait_for_heading("Create an account")
    page.fill({"Username": "ada", "Email": "ada@example.com", "Password": "123"})
    page.expect_error(400, "/api/users/")
    page.button("Create account").click()
    error = page.find(".field[data-field=password] .field-error")
    assert "too short" in error.text.lower() or "common" in error.text.lower(), error.text
    password = page.field("Password")
    assert password.get_attribute("aria-invalid") == "true"
    assert str(error.get_attribute("id")) in (password.get_attribute("aria-describedby") or "")
    page.screenshot("signup-error")
    page.axe("sign-up (with an error)")
    page.fill({"Password": "plum-Tractor-41-velvet"})
    page.button("Create account").click()
    page.wait_for_text("#account-nav", "Signed in as ada")
    assert User.objects.filter(username="ada").exists()

    # Search as you type, with a typo: results follow the keystrokes, matches highlighted.
    box = page.find("#search-input")
    box.click()
    type_slowly(box, "walnutt")
    page.wait_for_heading("Results for “walnutt”")
    page.wait(
        lambda d: sorted(result_names(page)) == ["Walnut cutting board", "Walnut desk lamp"],
        "the two walnut products",
    )
    highlights = {e.text for e in page.find_all("main .product-name em")}
    assert highlights == {"Walnut"}
    assert query_of(page)["q"] == ["walnutt"]
    card = page.find("main .product-card")
    assert "€" in card.text
    assert "in stock" in card.text
    assert "Sold by grace" in card.text
    page.screenshot("search")
    page.axe("search results")

    # A facet narrows the results and lands in the URL; back undoes it.
    page.find("label[for=facet-tag-kitchen]").click()
    page.wait(lambda d: result_names(page) == ["Walnut cutting board"], "only the board")
    assert query_of(page)["tags"] == ["kitchen"]
    page.driver.back()
    page.wait(lambda d: len(result_names(page)) == 2, "both walnut products again")
    assert "tags" not in query_of(page)
    page.driver.forward()
    page.wait(lambda d: result_names(page) == ["Walnut cutting board"], "the facet again")

    # Open the product, put two in the bag.
    page.link("Walnut cutting board", "main .results").click()
    page.wait_for_heading("Walnut cutting board")
    assert page.path == f"/products/{products['board'].id}/"
    page.screenshot("product")
    page.axe("product")
    quantity = page.field("Quantity")
    quantity.clear()
    quantity.send_keys("2")
    page.button("Add to bag").click()
    page.wait_for_text("main .message.success", "Added 2 to your bag")
    page.wait_for_text("#account-nav", "Bag 2")

    # The bag, then the order, placed with an Idempotency-Key.
    page.link("Go to your bag").click()
    page.wait_for_heading("Your bag")
    assert page.find("#bag-total").text == "€50.00"
    quantity = page.field("Quantity")
    quantity.clear()
    quantity.send_keys("3", Keys.TAB)  # a change of quantity is saved when it is left
    page.wait(lambda d: page.find("#bag-total").text == "€75.00", "the total for three")
    page.screenshot("bag")
    page.axe("bag")
    page.button("Place order").click()
    page.wait_for_heading("Your orders")
    order = Order.objects.get(buyer__username="ada")
    assert order.state == OrderState.PLACED
    assert order.idempotency_key
    page.wait_for_text("main", f"Order {order.number} is placed")
    listed = page.find("main .order")
    assert f"Order {order.number}" in listed.text
    assert "placed" in listed.text.lower()
    assert "€75.00" in listed.text
    page.screenshot("orders")
    page.axe("orders")

    # The seller's public page, and follow.
    page.link("grace", "main .order").click()
    page.wait_for_heading("grace")
    follow = page.button("Follow")
    assert follow.get_attribute("aria-pressed") == "false"
    follow.click()
    page.wait(
        lambda d: follow.get_attribute("aria-pressed") == "true", "the button to say Following"
    )
    page.wait_for_text("main .counts", "1 follower ")
    assert Follow.objects.filter(follower__username="ada", followee=grace).exists()
    page.wait(lambda d: len(page.find_all("main .results .product-card")) == 4, "grace's products")
    page.screenshot("seller")
    page.axe("seller")

    # Cancel the order: its state says so, the stock is back.
    page.link("Orders", "#account-nav").click()
    page.wait_for_heading("Your orders")
    page.button("Cancel order").click()
    page.wait_for_text("main .order", "CANCELLED")
    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED
    assert Product.objects.get(pk=products["board"].pk).stock == 5

    # Sign out revokes the token and forgets it.
    page.button("Sign out", "#account-nav").click()
    page.wait_for_text("#account-nav", "Sign in")
    assert page.driver.execute_script("return sessionStorage.length") == 0
    assert page.driver.get_cookies() == []  # the token never was a cookie
    page.wait(
        lambda d: not AccessToken.objects.filter(user__username="ada").exists(),
        "the tokens to be revoked",
    )


def test_a_seller_lists_publishes_tags_and_fulfils_a_sale(page: Page, make_user):
    _seller, buyer = make_user("grace"), make_user("alan")
    sign_in(page, "grace")
    page.screenshot("signin")

    # A new product, kept as a draft; a bad price is refused next to the price.
    page.link("Selling", "#account-nav").click()
    page.wait_for_heading("Your products")
    page.link("List a new product").click()
    page.wait_for_heading("List a new product")
    page.fill(
        {
            "Name": "Stoneware mug",
            "Description": "Glazed in deep blue.",
            "Price (EUR)": "-3",
            "Stock": "4",
            "Tags": "Ceramics, Kitchen",
        }
    )
    page.find("label[for=publish]").click()  # keep it a draft
    page.expect_error(400, "/api/products/")
    page.button("Save").click()
    page.wait_for_text(".field[data-field=price] .field-error", "greater than or equal to 0")
    page.axe("new product (with an error)")
    page.fill({"Price (EUR)": "18.00"})
    page.button("Save").click()
    page.wait_for_heading("Your products")
    page.wait_for_text("main", "saved as a draft")
    mug = Product.objects.get(name="Stoneware mug")
    assert mug.state == ProductState.DRAFT
    row = page.find("main .my-product")
    assert "draft" in row.text.lower()

    page.button("Publish").click()
    page.wait_for_text("main .my-product", "ACTIVE")
    page.screenshot("selling")
    page.axe("selling")

    # Edit: a tag and a new price.
    page.link("Edit").click()
    page.wait_for_heading("Edit Stoneware mug")
    page.fill({"New tag": "Gift"})
    page.button("Add tag").click()
    page.wait_for_text("main .tags.editable", "Gift")
    page.fill({"Price (EUR)": "19.50"})
    page.button("Save changes").click()
    page.wait_for_text("main .message.success", "Saved")
    mug.refresh_from_db()
    assert mug.price == Decimal("19.50")
    assert sorted(mug.tag_links.values_list("tag__name", flat=True)) == [
        "Ceramics",
        "Gift",
        "Kitchen",
    ]
    page.screenshot("edit-product")
    page.axe("edit product")

    # It is on sale: shoppers find it (away from `/`, Enter opens the results).
    box = page.find("#search-input")
    box.click()
    type_slowly(box, "stoneware")
    box.send_keys(Keys.ENTER)
    page.wait(lambda d: result_names(page) == ["Stoneware mug"], "the mug in the results")

    # Someone buys two; the seller marks the line as sent and the order completes.
    commerce.add_to_bag(buyer=buyer, product_id=mug.id, quantity=2)
    order, _ = commerce.place_order(buyer=buyer)
    page.link("Sales", "#account-nav").click()
    page.wait_for_heading("Your sales")
    sale = page.find("main .sale")
    assert f"Order {order.number} by alan" in sale.text
    page.screenshot("sales")
    page.axe("sales")
    page.button("Mark as sent").click()
    page.wait_for_text("main .sale", "Sent")
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED

    # Taken off sale: archived.
    page.link("Selling", "#account-nav").click()
    page.wait_for_heading("Your products")
    page.button("Archive", "main .my-product").click()
    page.wait_for_text("main .my-product", "ARCHIVED")
    mug.refresh_from_db()
    assert mug.state == ProductState.ARCHIVED


def test_more_results_load_from_the_cursor(page: Page, make_user, make_product, searchable):
    seller = make_user("grace")
    for n in range(23):
        make_product(owner=seller, name=f"Oak spoon {n:02d}", price=Decimal("4.00"), stock=9)
    searchable()
    page.open("/?q=oak")
    page.wait(lambda d: len(result_names(page)) == 20, "the first page of results")
    page.button("Show more products").click()
    page.wait(lambda d: len(result_names(page)) == 23, "all 23 results")
    assert len(set(result_names(page))) == 23
    assert page.focused().text == result_names(page)[20]  # focus on the first new result
    page.find("main .end-of-results")
    assert not page.find_all("main button.more")


def test_sort_corrections_and_left_out_words_on_the_search_page(page: Page, catalog):
    # A typo: the page says what the search understood, and offers the words as typed.
    page.open("/?q=walnutt")
    page.wait_for_text("main .understood .corrected", "Showing results for walnut.")
    page.wait(lambda d: len(result_names(page)) == 2, "the two walnut products")
    page.screenshot("search-controls")
    page.axe("search (corrected)")
    page.button("walnutt").click()  # "Search instead for walnutt"
    page.wait_for_text("main .empty h2", "Nothing matches “walnutt”")
    assert query_of(page)["typos"] == ["false"]
    assert not page.find_all("main .understood")

    # The sort control: by price, both ways, in the URL.
    page.open("/?q=walnut")
    page.wait(lambda d: len(result_names(page)) == 2, "the two walnut products")
    assert page.find("#sort").get_attribute("value") == "relevance"
    page.driver.execute_script(
        "const s = document.getElementById('sort'); s.value = '-price';"
        "s.dispatchEvent(new Event('change'));"
    )
    page.wait(
        lambda d: result_names(page) == ["Walnut desk lamp", "Walnut cutting board"],
        "dearest first",
    )
    assert query_of(page)["sort"] == ["-price"]
    page.driver.execute_script(
        "const s = document.getElementById('sort'); s.value = 'price';"
        "s.dispatchEvent(new Event('change'));"
    )
    page.wait(
        lambda d: result_names(page) == ["Walnut cutting board", "Walnut desk lamp"],
        "cheapest first",
    )

    # One word no product holds with the others: left out, and said so.
    page.open("/?q=walnut zebra")
    page.wait_for_text(
        "main .understood .dropped",
        "No product has all your words; showing results without zebra.",
    )
    assert len(result_names(page)) == 2
    assert page.find("main .understood .dropped s").text == "zebra"


def test_price_counts_stay_while_a_range_is_chosen_and_filters_fold_on_a_phone(page: Page, catalog):
    page.open("/")
    page.wait(lambda d: len(result_names(page)) == 4, "all four products")
    page.find("label[for=facet-price-25-50]").click()
    page.wait(lambda d: len(result_names(page)) == 3, "the three from 25 to 50")
    assert query_of(page)["min_price"] == ["25"]
    assert query_of(page)["max_price"] == ["49.99"]
    # the other ranges keep their counts (disjunctive facets): still choosable
    assert "(1)" in page.text("label[for=facet-price-50-100]")
    assert page.find("#facet-price-50-100").is_enabled()
    page.screenshot("search-1280")

    with page.viewport(390):
        page.open("/?q=walnut")
        page.wait(lambda d: len(result_names(page)) == 2, "the two walnut products")
        filters = page.button("Filters")
        assert filters.get_attribute("aria-expanded") == "false"
        assert not page.find_all("#facets-panel")
        # the results start on the first screen
        first = page.find("main .results .product-card")
        assert first.location["y"] < 844
        page.screenshot("search-390", width=390)
        filters.click()
        page.find("#facets-panel")  # opened
        assert filters.get_attribute("aria-expanded") == "true"
        page.axe("search on a phone, filters open")
        page.screenshot("search-390-filters", width=390)


def test_autocomplete_works_from_the_keyboard(page: Page, catalog):
    _grace, products = catalog
    page.open("/")
    box = page.find("#search-input")
    box.click()
    type_slowly(box, "waln")
    listbox = page.find("#suggestions")
    page.wait(lambda d: listbox.get_attribute("data-query") == "waln", "suggestions for 'waln'")
    assert box.get_attribute("aria-expanded") == "true"
    options = listbox.find_elements(By.CSS_SELECTOR, "[role=option]")
    labels = [o.text for o in options]
    assert any("Walnut desk lamp" in label for label in labels), labels
    assert any(o.get_attribute("data-kind") == "tag" and "Walnut" in o.text for o in options), (
        labels
    )
    page.screenshot("suggestions")
    page.axe("search with suggestions open")

    # Down and up move the active option; focus never leaves the box.
    box.send_keys(Keys.ARROW_DOWN)
    assert box.get_attribute("aria-activedescendant") == options[0].get_attribute("id")
    assert options[0].get_attribute("aria-selected") == "true"
    box.send_keys(Keys.ARROW_DOWN)
    assert box.get_attribute("aria-activedescendant") == options[1].get_attribute("id")
    box.send_keys(Keys.ARROW_UP)
    assert box.get_attribute("aria-activedescendant") == options[0].get_attribute("id")
    assert page.focused() == box

    # Escape closes the list; Enter on a tag suggestion filters by that tag.
    box.send_keys(Keys.ESCAPE)
    assert box.get_attribute("aria-expanded") == "false"
    tag_index = next(i for i, o in enumerate(options) if o.get_attribute("data-kind") == "tag")
    for _ in range(tag_index + 1):
        box.send_keys(Keys.ARROW_DOWN)
    box.send_keys(Keys.ENTER)
    page.wait(lambda d: query_of(page).get("tags") == ["walnut"], "the walnut tag filter")
    page.wait(lambda d: len(result_names(page)) == 2, "the two walnut products")

    # Enter on a product suggestion opens the product.
    box.click()
    type_slowly(box, "walnut desk")
    page.wait(
        lambda d: listbox.get_attribute("data-query") == "walnut desk",
        "suggestions for 'walnut desk'",
    )
    assert ["Walnut desk lamp" in o.text for o in page.find_all("#suggestions [role=option]")] == [
        True
    ]
    box.send_keys(Keys.ARROW_DOWN)
    box.send_keys(Keys.ENTER)
    page.wait_for_heading("Walnut desk lamp")
    assert page.path == f"/products/{products['lamp'].id}/"


def test_api_errors_are_shown_next_to_their_cause(page: Page, catalog, make_user, settings):
    _grace, products = catalog
    shopper = make_user("lin")
    rival = make_user("max")
    settings.TOKEN_RATE_LIMIT_PER_USERNAME = 2
    # The limiter counts in fixed windows: three attempts across a window's end would count
    # as one and two (it happened); start clear of the end.
    window = settings.TOKEN_RATE_LIMIT_WINDOW_SECONDS
    left = window - time.time() % window
    if left < 15:
        time.sleep(left + 0.1)

    # 429: too many sign-in attempts, said next to the form, with the wait.
    page.open("/signin/")
    page.expect_error(400, "/api/oauth/token/")  # the wrong password, twice
    page.expect_error(429, "/api/oauth/token/")
    for attempt in range(3):
        page.fill({"Username": "lin", "Password": "wrong-password"})
        page.submit("Sign in", "main form")
        message = page.find("main form .message.error").text
        if attempt < 2:
            assert "do not match" in message, message
    assert "Too many attempts" in message, message
    assert "seconds" in message, message
    settings.TOKEN_RATE_LIMIT_PER_USERNAME = 10
    from django.core.cache import cache

    cache.clear()

    # 409: a line sold out between adding it and ordering is marked on that line.
    sign_in(page, "lin")
    commerce.add_to_bag(buyer=shopper, product_id=products["brass"].id, quantity=2)
    commerce.add_to_bag(buyer=shopper, product_id=products["board"].id, quantity=1)
    commerce.add_to_bag(buyer=rival, product_id=products["brass"].id, quantity=1)
    commerce.place_order(buyer=rival)
    page.link("Bag", "#account-nav").click()
    page.wait_for_heading("Your bag")
    page.expect_error(409, "/api/orders/")
    page.button("Place order").click()
    line = page.wait_for_text(
        f"main .bag-line[data-product='{products['brass'].id}'] .field-error", "Only 1 left"
    )
    quantity = page.find(f"main .bag-line[data-product='{products['brass'].id}'] input")
    assert str(line.get_attribute("id")) in (quantity.get_attribute("aria-describedby") or "")
    assert "not available in the quantity" in page.find("#order-message").text
    assert not Order.objects.filter(buyer=shopper).exists()
    page.screenshot("bag-conflict")
    page.axe("bag with a conflict")

    # A search that finds nothing says so.
    page.open("/?q=xylophone")
    page.wait_for_text("main .empty", "Nothing matches “xylophone”")

    # 503: search unreachable, said where the results would be; it recovers on retry.
    alias = "default"
    working = connections.get_connection(alias)
    connections.add_connection(alias, type(working)(hosts=["http://127.0.0.1:9"], max_retries=0))
    page.expect_error(503, "/api/products/?q=walnut")
    try:
        page.open("/?q=walnut")
        failure = page.find("main .results-area .message.error")
        assert "Search is unavailable right now" in failure.text
        page.screenshot("search-unavailable")
    finally:
        connections.add_connection(alias, working)
    page.button("Try again", "main .results-area").click()
    page.wait(lambda d: len(result_names(page)) == 2, "results once search is back")


def test_the_accessibility_check_would_catch_a_violation(page: Page):
    """The axe-core checks above can fail: an unlabelled field is reported."""
    page.open("/signin/")
    page.driver.execute_script(
        "document.querySelector('main').append(document.createElement('input'))"
    )
    with pytest.raises(AssertionError, match="label"):
        page.axe("sign-in with an unlabelled field")


SALE_EVENTS = ["store.sale.ordered.v1", "store.sale.cancelled.v1", "store.sale.fulfilled.v1"]


def test_a_seller_registers_a_webhook_sees_a_retried_delivery_and_sends_it_again(
    page: Page, make_user, make_product, settings
):
    from standardwebhooks.webhooks import Webhook

    from tests.events import receiver as http_receiver

    settings.WEBHOOK_ALLOW_LOOPBACK = True
    settings.WEBHOOK_RETRY_BASE_SECONDS = 3600  # the first failure waits: the page shows it
    seller, buyer = make_user("grace"), make_user("alan")
    mug = make_product(owner=seller, name="Stoneware mug", price=Decimal("18.00"), stock=4)
    receiver = http_receiver.start()
    receiver.answer = lambda path, tries: (503, {}, b"busy") if tries == 0 else (204, {}, b"")
    try:
        sign_in(page, "grace")
        page.link("Selling", "#account-nav").click()
        page.wait_for_heading("Your products")
        page.link("Webhooks").click()
        page.wait_for_heading("Webhooks")
        page.wait_for_text("main", "No endpoints yet")

        page.expect_error(400, "/api/webhooks/")
        page.fill({"Endpoint URL": "https://10.0.0.1/hook"})
        page.button("Add endpoint").click()
        page.wait_for_text(".field[data-field=url] .field-error", "does not call")
        page.fill({"Endpoint URL": receiver.url("/grace")})
        page.button("Add endpoint").click()
        secret = page.wait_for_text("main .secret", "whsec_").text
        page.axe("webhooks")

        # Her sales only (the form subscribes to all she may receive, stock changes too).
        from events import webhooks

        (endpoint,) = webhooks.endpoints_of(seller)
        webhooks.update_endpoint(owner=seller, endpoint_id=endpoint.pk, event_types=SALE_EVENTS)
        commerce.add_to_bag(buyer=buyer, product_id=mug.id, quantity=2)
        commerce.place_order(buyer=buyer)  # fanned out and tried at once (eager Celery)
        [first] = receiver.requests
        assert Webhook(secret).verify(first.body, first.headers)["type"] == "store.sale.ordered.v1"

        page.open("/selling/webhooks/")
        delivery = page.wait_for_text("main .delivery", "HTTP 503")
        assert "PENDING" in delivery.text
        assert "store.sale.ordered.v1" in delivery.text
        page.screenshot("webhooks")
        page.button("Send again", "main .delivery").click()
        page.wait_for_text("main .delivery", "HTTP 204")
        assert "DELIVERED" in page.find("main .delivery").text
        again = receiver.requests[-1]
        assert again.headers["webhook-id"] == first.headers["webhook-id"]
        Webhook(secret).verify(again.body, again.headers)
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()

"""A price raised while the shopper checks out (issue 17, finding 6): the bag shows the old
and new prices and places nothing until the shopper confirms them; a second rise during the
confirmation is shown again (412) instead of being charged."""

from decimal import Decimal

import pytest

from catalog import services as catalog
from commerce import services as commerce
from commerce.models import Order
from tests.browser.conftest import PASSWORD, Page
from tests.search.conftest import eager_celery, fresh_indices

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures(eager_celery.__name__, fresh_indices.__name__),
]


def sign_in(page: Page, username: str) -> None:
    page.open("/signin/")
    page.fill({"Username": username, "Password": PASSWORD})
    page.button("Sign in", "main form").click()
    page.wait_for_text("#account-nav", f"Signed in as {username}")


def test_a_raised_price_is_shown_and_confirmed_before_the_order(
    page: Page, make_user, make_product
):
    grace, lin = make_user("grace"), make_user("lin")
    lamp = make_product(owner=grace, name="Walnut desk lamp", price=Decimal("49.00"), stock=3)
    commerce.add_to_bag(buyer=lin, product_id=lamp.id, quantity=2)
    sign_in(page, "lin")
    page.open("/bag/")  # not the nav link: it is redrawn when the bag count arrives
    page.wait_for_heading("Your bag")
    catalog.update_product(product=lamp, price=Decimal("59.00"))  # while lin looks at the bag

    page.expect_error(409, "/api/orders/")  # price_changed
    page.button("Place order").click()

    notice = page.wait_for_text("#price-changes", "Walnut desk lamp: was €49.00, now €59.00")
    assert "Nothing was ordered" in notice.text
    assert page.focused().text == "Confirm new prices"
    assert "€118.00" in page.find("#bag-total").text
    assert not Order.objects.exists()
    page.screenshot("bag-price-changed")
    page.axe("bag with a price change")

    # It rises again before lin confirms: the bag is read again, nothing is charged.
    catalog.update_product(product=lamp, price=Decimal("65.00"))
    page.expect_error(412, "/api/orders/")  # the bag confirmed is not the bag any more
    page.button("Confirm new prices").click()
    page.wait_for_text("#price-changes", "was €49.00, now €65.00")
    assert not Order.objects.exists()

    page.button("Confirm new prices").click()
    page.wait_for_heading("Your orders")
    order = Order.objects.get(buyer=lin)
    assert order.total == Decimal("130.00")
    page.wait_for_text("main", f"Order {order.number} is placed")

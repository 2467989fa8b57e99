"""The product lifecycle as a python-statemachine machine; `make diagrams` draws it."""

from statemachine import State, StateMachine
from statemachine.exceptions import TransitionNotAllowed

from api.errors import InvalidTransition
from catalog.models import Product, ProductState


class ProductMachine(StateMachine):
    """draft → active (publish) → archived (archive) → active (restore)."""

    draft = State("Draft", initial=True, value=ProductState.DRAFT.value)
    active = State("Active", value=ProductState.ACTIVE.value)
    archived = State("Archived", value=ProductState.ARCHIVED.value)

    publish = draft.to(active)
    archive = active.to(archived)
    restore = archived.to(active)


PRODUCT_EVENTS = ("publish", "archive", "restore")


def allowed_product_events(product: Product) -> list[str]:
    return [event.id for event in ProductMachine(product).allowed_events]


def apply_product_event(product: Product, event: str) -> None:
    """Move `product.state` by `event`, or raise InvalidTransition (answered 409)."""
    machine = ProductMachine(product)
    try:
        machine.send(event)
    except TransitionNotAllowed as exc:
        raise InvalidTransition(
            state=product.state, event=event, allowed_events=allowed_product_events(product)
        ) from exc

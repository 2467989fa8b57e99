"""The product lifecycle as a python-statemachine machine; `make diagrams` draws it."""

from statemachine import State, StateMachine

from catalog.models import ProductState


class ProductMachine(StateMachine):
    """draft → active (publish) → archived (archive) → active (restore)."""

    draft = State("Draft", initial=True, value=ProductState.DRAFT.value)
    active = State("Active", value=ProductState.ACTIVE.value)
    archived = State("Archived", value=ProductState.ARCHIVED.value)

    publish = draft.to(active)
    archive = active.to(archived)
    restore = archived.to(active)

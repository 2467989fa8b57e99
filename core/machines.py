"""Drive a python-statemachine machine bound to a model row, the same way for every entity."""

from typing import Any

from statemachine import StateMachine
from statemachine.exceptions import TransitionNotAllowed

from core.errors import InvalidTransition


def allowed_events(machine_class: type[StateMachine], model: Any) -> list[str]:
    return [event.id for event in machine_class(model).allowed_events]


def send_event(machine_class: type[StateMachine], model: Any, event: str) -> None:
    """Move `model.state` by `event`, or raise InvalidTransition (answered 409 with the state
    and the events allowed from it). The caller saves the row."""
    try:
        machine_class(model).send(event)
    except TransitionNotAllowed as exc:
        raise InvalidTransition(
            state=model.state, event=event, allowed_events=allowed_events(machine_class, model)
        ) from exc

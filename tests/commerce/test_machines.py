"""The bag and order machines on their own (pure logic, no database)."""

from dataclasses import dataclass

import pytest

from commerce.machines import BagMachine, OrderMachine
from core.errors import InvalidTransition
from core.machines import send_event


@dataclass
class Row:
    state: str
    lines_left: int = 0

    def every_line_fulfilled(self) -> bool:
        return self.lines_left == 0


@pytest.mark.parametrize(
    ("start", "event", "lines_left", "target"),
    [
        ("open", "check_out", 0, "checked_out"),
        ("open", "abandon", 0, "abandoned"),
        ("checked_out", "abandon", 0, None),
        ("abandoned", "check_out", 0, None),
    ],
)
def test_bag_transitions(start, event, lines_left, target):
    _check(BagMachine, start, event, lines_left, target)


@pytest.mark.parametrize(
    ("start", "event", "lines_left", "target"),
    [
        ("placed", "fulfil_line", 0, "completed"),
        ("placed", "fulfil_line", 2, "partially_fulfilled"),
        ("partially_fulfilled", "fulfil_line", 1, "partially_fulfilled"),
        ("partially_fulfilled", "fulfil_line", 0, "completed"),
        ("placed", "cancel", 1, "cancelled"),
        ("partially_fulfilled", "cancel", 1, None),
        ("completed", "cancel", 0, None),
        ("completed", "fulfil_line", 0, None),
        ("cancelled", "fulfil_line", 0, None),
        ("cancelled", "cancel", 1, None),
    ],
)
def test_order_transitions(start, event, lines_left, target):
    _check(OrderMachine, start, event, lines_left, target)


def _check(machine, start, event, lines_left, target):
    row = Row(start, lines_left)
    if target is None:
        with pytest.raises(InvalidTransition) as refused:
            send_event(machine, row, event)
        assert (refused.value.state, row.state) == (start, start)
    else:
        send_event(machine, row, event)
        assert row.state == target

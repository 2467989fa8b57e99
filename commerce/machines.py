"""The bag and order lifecycles as python-statemachine machines; `make diagrams` draws them."""

from statemachine import State, StateMachine

from commerce.models import BagState, OrderState


class BagMachine(StateMachine):
    """open → checked_out (an order was placed from it); open → abandoned (emptied by its
    owner, or idle longer than BAG_IDLE_DAYS)."""

    open = State("Open", initial=True, value=BagState.OPEN.value)
    checked_out = State("Checked out", final=True, value=BagState.CHECKED_OUT.value)
    abandoned = State("Abandoned", final=True, value=BagState.ABANDONED.value)

    check_out = open.to(checked_out)
    abandon = open.to(abandoned)


class OrderMachine(StateMachine):
    """placed → partially_fulfilled → completed as sellers fulfil lines (the last line
    completes it); placed → cancelled by the buyer while no line is fulfilled."""

    placed = State("Placed", initial=True, value=OrderState.PLACED.value)
    partially_fulfilled = State("Partially fulfilled", value=OrderState.PARTIALLY_FULFILLED.value)
    completed = State("Completed", final=True, value=OrderState.COMPLETED.value)
    cancelled = State("Cancelled", final=True, value=OrderState.CANCELLED.value)

    fulfil_line = (
        placed.to(completed, cond="every_line_fulfilled")
        | placed.to(partially_fulfilled, unless="every_line_fulfilled")
        | partially_fulfilled.to(completed, cond="every_line_fulfilled")
        | partially_fulfilled.to.itself(unless="every_line_fulfilled")
    )
    cancel = placed.to(cancelled)

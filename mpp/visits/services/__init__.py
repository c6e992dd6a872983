"""Everything that changes the queue, by noun: counter sessions (`counters`), tickets and
the officer's actions on them (`tickets`), bookings (`bookings`); what they share
(`common`). Each function is atomic and keeps the daily rollup exact. Callers use
`from mpp.visits import services as q` and `q.ticket_issue(...)`."""

from .bookings import (
    BOOKING_CODE_ALPHABET,
    BOOKING_DAYS_AHEAD,
    Slot,
    booking_cancel,
    booking_check_in,
    booking_create,
    booking_slots,
    bookings_release,
)
from .common import FINAL_OUTCOMES, TRANSITIONS, QueueError, local_date_of
from .counters import counter_close, counter_open, counter_pause, counter_resume, open_session_of
from .tickets import (
    WaitEstimate,
    call_next,
    current_ticket_at,
    open_counters_for,
    people_ahead,
    ticket_finish,
    ticket_follow,
    ticket_issue,
    ticket_no_show,
    ticket_park,
    ticket_recall,
    ticket_resume,
    ticket_return,
    ticket_start,
    ticket_transfer,
    wait_estimate,
    waiting_for,
)

__all__ = [
    "BOOKING_CODE_ALPHABET",
    "BOOKING_DAYS_AHEAD",
    "FINAL_OUTCOMES",
    "QueueError",
    "Slot",
    "TRANSITIONS",
    "WaitEstimate",
    "booking_cancel",
    "booking_check_in",
    "booking_create",
    "booking_slots",
    "bookings_release",
    "call_next",
    "counter_close",
    "counter_open",
    "counter_pause",
    "counter_resume",
    "current_ticket_at",
    "local_date_of",
    "open_counters_for",
    "open_session_of",
    "people_ahead",
    "ticket_finish",
    "ticket_follow",
    "ticket_issue",
    "ticket_no_show",
    "ticket_park",
    "ticket_recall",
    "ticket_resume",
    "ticket_return",
    "ticket_start",
    "ticket_transfer",
    "wait_estimate",
    "waiting_for",
]

"""The ticket's INSERT is built once per process (mpp.core.compiled.CompiledInsertModel):
the row written is the one Django's own save writes, every time with the new values."""

from django.db import connection
from django.db.models import Value
from django.db.models.expressions import DatabaseDefault
from django.test.utils import CaptureQueriesContext

from mpp.core import compiled
from mpp.visits import services as q
from mpp.visits.models import Ticket, TicketStatus


def stored(ticket: Ticket) -> dict:
    row = Ticket.objects.filter(pk=ticket.pk).values().get()
    return {name: value for name, value in row.items() if name != "id"}


def test_two_tickets_share_one_statement_and_each_row_is_its_own(queue):
    compiled._INSERTS.clear()
    first = q.ticket_issue(mall=queue.mall, service=queue.ktp)
    second = q.ticket_issue(mall=queue.mall, service=queue.kk, priority_reason="elderly")
    inserts = [key for key in compiled._INSERTS if key[0] is Ticket]
    assert len(inserts) == 1 and compiled._INSERTS[inserts[0]].usable
    assert first.pk and second.pk and first.pk != second.pk
    assert first._state.adding is False and first._state.db == "default"
    for ticket in (first, second):  # what the instance says is what the row holds
        row = stored(ticket)
        for name, value in row.items():
            assert getattr(ticket, name) == value, name
    assert (stored(first)["service_id"], stored(second)["service_id"]) == (
        queue.ktp.pk,
        queue.kk.pk,
    )
    assert stored(second)["priority_reason"] == "elderly"
    assert stored(first)["status"] == TicketStatus.WAITING


def test_a_column_left_to_its_database_default_and_one_given_each_get_theirs(queue):
    compiled._INSERTS.clear()
    ticket = q.ticket_issue(mall=queue.mall, service=queue.ktp)
    values = {name: value for name, value in stored(ticket).items() if name != "uuid"}
    given = Ticket(**(values | {"returns": 2, "number": ticket.number + 100}))
    with CaptureQueriesContext(connection) as queries:
        given.save()
    assert len(queries) == 1 and queries[0]["sql"].startswith('INSERT INTO "visits_ticket"')
    assert Ticket.objects.get(pk=given.pk).returns == 2
    returns = Ticket._meta.get_field("returns")
    default = DatabaseDefault(Value(returns.db_default), output_field=returns)
    left = Ticket(**(values | {"returns": default, "number": ticket.number + 200}))
    left.save()
    assert Ticket.objects.get(pk=left.pk).returns == 0
    defaults = {key[-1] for key in compiled._INSERTS if key[0] is Ticket}
    assert frozenset() in defaults and len(defaults) == 2  # the DEFAULT column: its own statement

"""The replica router's rules, without a replica (the real standby is tests/replica): reads
go to the replica only inside a replica view, never inside a transaction or after a write;
migrations only on the primary; a posted form makes the next pages read the primary."""

from django.http import HttpResponse
from django.test import RequestFactory

from mpp.core import replica
from mpp.core.replica import ReadYourWritesMiddleware, ReplicaRouter, reading_replica
from mpp.visits.models import Ticket


def test_reads_go_to_the_replica_only_inside_a_replica_view(db):
    router = ReplicaRouter()
    assert router.db_for_read(Ticket) == "default"
    with reading_replica():
        # pytest-django's test transaction is open here: the primary, as in any transaction
        assert router.db_for_read(Ticket) == "default"


def test_outside_a_transaction_a_write_sends_the_rest_of_the_request_to_the_primary(
    monkeypatch,
):
    router = ReplicaRouter()
    monkeypatch.setattr(
        replica, "connections", {"default": type("C", (), {"in_atomic_block": False})()}
    )
    with reading_replica():
        assert router.db_for_read(Ticket) == "replica"
        assert router.db_for_write(Ticket) == "default"
        assert router.db_for_read(Ticket) == "default"
    with reading_replica():
        assert router.db_for_read(Ticket) == "replica"  # the next request starts afresh
    assert router.db_for_read(Ticket) == "default"


def test_migrations_run_on_the_primary_only():
    router = ReplicaRouter()
    assert router.allow_migrate("default", "visits") is True
    assert router.allow_migrate("replica", "visits") is False


def test_a_post_marks_the_visitor_for_the_primary_and_a_get_does_not(settings):
    settings.REPLICA_STICKY_SECONDS = 10
    middleware = ReadYourWritesMiddleware(lambda request: HttpResponse("ok"))
    posted = middleware(RequestFactory().post("/monitoring/subscription/"))
    cookie = posted.cookies[replica.STICKY_COOKIE]
    assert cookie["max-age"] == 10 and cookie["httponly"]
    assert replica.STICKY_COOKIE not in middleware(RequestFactory().get("/")).cookies


def test_a_report_page_in_a_test_transaction_says_it_read_the_primary(client, ministry_analyst):
    client.force_login(ministry_analyst)
    response = client.get("/monitoring/open-data/2026-W01.json")
    assert response.status_code == 200
    assert response["X-Data-Source"] == "primary"

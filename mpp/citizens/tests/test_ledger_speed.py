"""The fast append (one statement on PostgreSQL, a remembered head, the log's own commit
setting) keeps the chain exact: with a stale remembered head, a rolled-back caller and
several writers at once, and without touching the caller's transaction settings."""

import importlib
import threading
from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

from .. import ledger
from ..access import citizen_data_read
from ..ledger import access_log_synchronous_commit, access_log_verify, access_record_append
from ..models import AccessLogHead, AccessOutcome, AccessRecord, Channel, Citizen, Purpose
from ..services import citizen_create

on_postgresql = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="PostgreSQL's commit setting and row locks"
)


def _append(citizen, **extra):
    return access_record_append(
        citizen=citizen,
        actor=None,
        purpose=Purpose.NOTIFICATION,
        fields=["phone"],
        outcome=AccessOutcome.GRANTED,
        channel=Channel.SYSTEM,
        **extra,
    )


def _show_synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_appended_records_chain_onto_the_head_and_verify(siti):
    records = [_append(siti) for _ in range(3)]
    assert [r.seq for r in records] == [1, 2, 3]
    assert records[1].prev_hash == records[0].hash and records[2].prev_hash == records[1].hash
    stored = AccessRecord.objects.get(seq=2)
    assert (stored.hash, stored.fields, stored.actor_label) == (
        records[1].hash,
        ["phone"],
        "system",
    )
    head = AccessLogHead.objects.get()
    assert (head.seq, head.hash) == (3, records[2].hash)
    assert access_log_verify().ok


@pytest.mark.django_db
def test_the_door_and_direct_appends_share_one_chain(siti):
    _append(siti)
    citizen_data_read(citizen=siti, actor=siti.user, purpose=Purpose.SELF, fields=["sex"])
    _append(siti, reason="after a read through the door")
    report = access_log_verify()
    assert report.ok and report.checked == 3


@pytest.mark.django_db
def test_a_stale_remembered_head_still_links_to_the_real_head(siti):
    first = _append(siti)
    _append(siti)
    # As if another process had written the second record: this thread remembers the first.
    setattr(ledger._last_head, connection.alias, (first.seq, first.hash))
    third = _append(siti)
    assert third.seq == 3 and third.prev_hash == AccessRecord.objects.get(seq=2).hash
    assert access_log_verify().ok


@pytest.mark.django_db
def test_a_record_rolled_back_with_its_caller_leaves_the_chain_whole(siti):
    _append(siti)

    class CallerFailed(Exception):
        pass

    with pytest.raises(CallerFailed), transaction.atomic():
        _append(siti, reason="rolled back")
        raise CallerFailed
    assert AccessLogHead.objects.get().seq == 1
    after = _append(siti)
    assert after.seq == 2
    assert not AccessRecord.objects.filter(reason="rolled back").exists()
    assert access_log_verify().ok


@pytest.mark.parametrize(
    ("value", "expected"),
    [("off", "off"), ("ON", "on"), (True, "on"), (False, "off"), ("0", "off"), ("", "")],
)
def test_the_commit_setting_accepts_postgresql_values_and_booleans(settings, value, expected):
    settings.ACCESS_LOG_SYNCHRONOUS_COMMIT = value
    assert access_log_synchronous_commit() == expected


def test_the_commit_setting_defaults_to_asynchronous(monkeypatch):
    monkeypatch.delenv("ACCESS_LOG_SYNCHRONOUS_COMMIT", raising=False)
    from config import settings as shipped

    assert importlib.reload(shipped).ACCESS_LOG_SYNCHRONOUS_COMMIT == "off"


def test_a_wrong_commit_setting_is_named(settings):
    settings.ACCESS_LOG_SYNCHRONOUS_COMMIT = "sometimes"
    with pytest.raises(ImproperlyConfigured, match="ACCESS_LOG_SYNCHRONOUS_COMMIT"):
        access_log_synchronous_commit()


@on_postgresql
@pytest.mark.django_db
def test_inside_a_caller_s_transaction_its_commit_setting_is_untouched(siti, settings):
    settings.ACCESS_LOG_SYNCHRONOUS_COMMIT = "off"
    before = _show_synchronous_commit()
    with transaction.atomic():
        _append(siti)
        _append(siti)
        assert _show_synchronous_commit() == before


# --- several writers at once (PostgreSQL: SQLite's test database serialises writers) ----

WRITERS = 6
APPENDS = 15


def _lone_citizen() -> Citizen:
    """The transactional test database may start empty: a citizen needs no reference data."""
    return citizen_create(
        nik="3171014505900077",
        full_name="Rina Paralel",
        birth_date=date(1990, 5, 5),
        phone="081234567899",
    )


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("synchronous_commit", ["off", "on"])
def test_concurrent_writers_keep_the_chain_verifiable(settings, synchronous_commit):
    settings.ACCESS_LOG_SYNCHRONOUS_COMMIT = synchronous_commit
    citizen = _lone_citizen()
    barrier = threading.Barrier(WRITERS)
    errors = []

    def writer(index):
        try:
            barrier.wait()
            for number in range(APPENDS):
                if (index + number) % 3 == 0:  # some inside a caller's transaction
                    with transaction.atomic():
                        _append(citizen, reason=f"writer {index} in a transaction")
                else:
                    _append(citizen, reason=f"writer {index}")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = access_log_verify()
    assert report.problems == []
    assert report.checked == report.head_seq == WRITERS * APPENDS
    seqs = list(AccessRecord.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, WRITERS * APPENDS + 1))
    assert _show_synchronous_commit() == "on"  # the session's own setting is untouched

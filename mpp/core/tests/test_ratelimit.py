"""The shared rate limiter: counts per scope and identity, windows that end, identities
never stored in clear, and an atomic count on the database cache."""

import threading

import pytest
from django.core.cache import caches
from django.db import connection

from mpp.core.ratelimit import CACHE_ALIAS, rate_limit_allow, rate_limit_count


def test_the_shared_cache_is_the_database_cache_by_default(settings):
    assert settings.CACHES["shared"]["BACKEND"] == "mpp.core.cache.DatabaseCache"


def test_limit_counts_per_scope_and_identity(db):
    allowed = [
        rate_limit_allow(scope="t", identity="a", limit=3, window_seconds=60) for _ in "1234"
    ]
    assert allowed == [True, True, True, False]
    assert rate_limit_allow(scope="t", identity="b", limit=3, window_seconds=60)
    assert rate_limit_allow(scope="other", identity="a", limit=3, window_seconds=60)


def test_the_window_ends(db, time_machine):
    time_machine.move_to("2026-03-02 08:00:00+07:00", tick=False)
    for _ in range(3):
        rate_limit_count(scope="w", identity="x", window_seconds=3600)
    assert not rate_limit_allow(scope="w", identity="x", limit=3, window_seconds=3600)
    time_machine.move_to("2026-03-02 08:59:00+07:00", tick=False)
    assert not rate_limit_allow(scope="w", identity="x", limit=3, window_seconds=3600)
    time_machine.move_to("2026-03-02 09:00:30+07:00", tick=False)
    assert rate_limit_allow(scope="w", identity="x", limit=3, window_seconds=3600)


def test_identities_are_not_stored_in_clear(db):
    rate_limit_count(scope="register-sms:phone", identity="081234567890", window_seconds=60)
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM mpp_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert keys and not any("081234567890" in key for key in keys)


def test_a_limit_of_zero_turns_the_check_off(db):
    assert all(rate_limit_allow(scope="z", identity="a", limit=0, window_seconds=60) for _ in "12")


@pytest.mark.django_db(transaction=True)
def test_the_database_cache_counts_exactly_under_concurrency():
    """Eight threads (eight database connections) count at once: no count is lost."""
    cache = caches[CACHE_ALIAS]
    cache.add("race", 0, 60)
    errors = []

    def hammer():
        try:
            for _ in range(25):
                cache.incr("race")
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert cache.get("race") == 200

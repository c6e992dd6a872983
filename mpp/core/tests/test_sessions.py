"""The session store's compiled read (mpp.core.sessions): the row is read on every request,
so a session ended or expired elsewhere counts at once, and a signed-in page still knows its
user."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from mpp.accounts.models import Role, User
from mpp.core import sessions

pytestmark = pytest.mark.django_db


def saved_session(**data) -> str:
    store = sessions.SessionStore()
    store.update(data)
    store.create()
    return store.session_key


def test_a_saved_session_reads_back_with_its_data():
    key = saved_session(device=42, lang="id")
    loaded = sessions.SessionStore(key)
    assert loaded["device"] == 42 and loaded["lang"] == "id"
    assert loaded.session_key == key


def test_an_expired_or_deleted_session_reads_as_a_new_empty_one():
    expired, ended = saved_session(device=1), saved_session(device=2)
    for key in (expired, ended):
        sessions.SessionStore(key).load()  # compiled and used before the change
    Session.objects.filter(session_key=expired).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    Session.objects.filter(session_key=ended).delete()
    for key in (expired, ended):
        store = sessions.SessionStore(key)
        assert store.load() == {}
        assert store.session_key is None  # a new key is made when it is saved


def test_a_signed_in_user_is_known_on_the_next_request_and_not_after_the_row_goes(client):
    officer = User.objects.create_user("sesi", password="a-long-pass-phrase", role=Role.CITIZEN)
    client.force_login(officer)
    assert client.get(reverse("registry:home")).wsgi_request.user == officer
    Session.objects.all().delete()  # as a sign-out everywhere would
    assert not client.get(reverse("registry:home")).wsgi_request.user.is_authenticated


def test_the_compiled_statement_is_used_where_the_backend_takes_its_keys_as_they_are():
    sessions.SessionStore(saved_session(device=3)).load()
    usable = [statement.usable for statement in sessions._LIVE_SESSION._statements.values()]
    assert usable == [connection.vendor != "sqlite"]

"""Django's database session store, with its one read compiled once per process
(mpp.core.compiled). Every request with a session cookie reads its session, and kiosks and
boards do on every tap and poll: building that SELECT cost more CPU than running it. The row
is still read each time, so a session ended, cycled or expired elsewhere counts at once."""

from datetime import UTC, datetime

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from .compiled import CompiledLookup

_LIVE_SESSION = CompiledLookup(
    Session,
    lambda session_key, now: Session.objects.filter(session_key=session_key, expire_date__gt=now),
    sentinels={
        "session_key": "\x00mpp-session-key\x00",
        "now": datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC),
    },
)


class SessionStore(DatabaseSessionStore):
    """SESSION_ENGINE = "mpp.core.sessions": the database store as Django has it, but for the
    read. A missing or expired row gives a new, empty session, as in Django."""

    def _get_session_from_db(self):
        session = _LIVE_SESSION.first(session_key=self.session_key, now=timezone.now())
        if session is None:
            self._session_key = None
        return session

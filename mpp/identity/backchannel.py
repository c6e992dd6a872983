"""OpenID Connect Back-Channel Logout 1.0: when the citizen signs out of MPP (on the MPP
site or through a client's RP-initiated logout) or withdraws a consent, every client of the
affected sign-ins that registered a `backchannel_logout_uri` is sent a signed logout token.

Like the notification outbox (docs/decisions/0028), the notices are rows written in the
transaction of the sign-out or withdrawal and posted afterwards by `send_logout_tokens`:

- **Claim, then post.** A worker claims due rows (SKIP LOCKED) by moving `send_after`
  OIDC_LOGOUT_CLAIM_SECONDS ahead (a lease), posts them outside any transaction, records each.
- **A retry never doubles.** The token's `jti` is the row's and never changes; `iat` and
  `exp` are fresh at each try. A client that already ended the session answers a replayed
  `jti` with 400, which ends the row (failed, with the answer), never another try.
- **Failures back off**: no answer, a timeout or a 5xx waits 30 s, doubling per attempt,
  at most OIDC_LOGOUT_BACKOFF_MAX_SECONDS, then `failed` after MAX_ATTEMPTS.
"""

import json
import logging
import secrets
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from jwcrypto import jwt
from oauth2_provider.models import Application

from mpp.core.workers import due_rows_claim

from .clients import session_of, subject_of
from .models import LogoutNotice, LogoutNoticeStatus, SignIn

log = logging.getLogger("mpp.identity")

EVENT = "http://schemas.openid.net/event/backchannel-logout"
SESSION_KEY = "mpp_oidc_sid"
MAX_ATTEMPTS = 12
TOKEN_SECONDS = 120


def session_id_of(session) -> str:
    """The MPP browser session's id for sign-ins (kept in the Django session; a new one
    after each sign-out, since the session is flushed)."""
    value = session.get(SESSION_KEY)
    if not value:
        value = secrets.token_urlsafe(24)
        session[SESSION_KEY] = value
    return value


def _clients_with_logout(applications) -> dict[int, Application]:
    found = (
        Application.objects.filter(pk__in=applications)
        .exclude(agency_client__backchannel_logout_uri="")
        .select_related("agency_client")
    )
    return {app.pk: app for app in found if hasattr(app, "agency_client")}


def _notice(*, sign_in: SignIn, application, reason: str, with_sid: bool) -> LogoutNotice:
    agency_id = application.agency_client.agency_id
    return LogoutNotice(
        application=application,
        uri=application.agency_client.backchannel_logout_uri,
        issuer=sign_in.issuer,
        sub=subject_of(user_id=sign_in.user_id, agency_id=agency_id),
        sid=session_of(session_id=sign_in.session_id, agency_id=agency_id) if with_sid else "",
        reason=reason,
    )


@transaction.atomic
def logout_notices_for_session(*, user, session_id: str) -> int:
    """The citizen signed out of MPP: each client signed into in that session is told
    (sub and sid). Returns how many notices were written."""
    if not session_id or user is None:
        return 0
    sign_ins = SignIn.objects.filter(user=user, session_id=session_id).exclude(issuer="")
    latest: dict[int, SignIn] = {}
    for sign_in in sign_ins.order_by("created_at", "id"):
        latest[sign_in.application_id] = sign_in
    clients = _clients_with_logout(list(latest))
    reason = LogoutNotice.Reason.SIGN_OUT
    notices = [
        _notice(sign_in=latest[pk], application=app, reason=reason, with_sid=True)
        for pk, app in clients.items()
    ]
    LogoutNotice.objects.bulk_create(notices)
    return len(notices)


@transaction.atomic
def logout_notices_for_withdrawal(*, user, applications) -> int:
    """A consent was withdrawn: every session of the citizen at those clients ends. A
    client that requires `sid` gets one notice per MPP session it was signed into; the
    others one notice with `sub` only (all of the citizen's sessions there)."""
    sign_ins = SignIn.objects.filter(user=user, application__in=applications).exclude(issuer="")
    clients = _clients_with_logout(list(sign_ins.values_list("application_id", flat=True)))
    notices, seen = [], set()
    for sign_in in sign_ins.order_by("-created_at", "-id"):
        app = clients.get(sign_in.application_id)
        if app is None:
            continue
        with_sid = app.agency_client.backchannel_logout_session_required
        key = (app.pk, sign_in.session_id if with_sid else "")
        if key in seen or (with_sid and not sign_in.session_id):
            continue
        seen.add(key)
        notices.append(
            _notice(
                sign_in=sign_in,
                application=app,
                reason=LogoutNotice.Reason.CONSENT_WITHDRAWN,
                with_sid=with_sid,
            )
        )
    LogoutNotice.objects.bulk_create(notices)
    return len(notices)


def logout_token(notice: LogoutNotice, now=None) -> str:
    """The signed logout token (§2.4): iss, aud, iat, exp, jti, events, sub and/or sid;
    never a nonce. Signed like the client's ID tokens (RS256, the active key)."""
    now = now or timezone.now()
    application = notice.application
    claims = {
        "iss": notice.issuer,
        "aud": application.client_id,
        "iat": int(now.timestamp()),
        "exp": int(now.timestamp()) + TOKEN_SECONDS,
        "jti": str(notice.jti),
        "events": {EVENT: {}},
    }
    if notice.sub:
        claims["sub"] = notice.sub
    if notice.sid:
        claims["sid"] = notice.sid
    key = application.jwk_key
    header = {"typ": "logout+jwt", "alg": application.algorithm, "kid": key.thumbprint()}
    token = jwt.JWT(header=json.dumps(header), claims=json.dumps(claims))
    token.make_signed_token(key)
    return token.serialize()


class Refused(Exception):
    """The client answered the logout token with a 4xx: retrying the same token is useless."""


class HttpSender:
    """Posts the logout token form-encoded (§2.5), no redirects followed."""

    def post(self, uri: str, logout_token: str) -> None:
        body = urllib.parse.urlencode({"logout_token": logout_token}).encode()
        request = urllib.request.Request(  # noqa: S310 - URIs registered by national staff
            uri,
            data=body,
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        opener = urllib.request.build_opener(_NoRedirect)
        timeout = settings.OIDC_LOGOUT_POST_TIMEOUT_SECONDS
        try:
            with opener.open(request, timeout=timeout) as response:
                response.read(1024)
        except urllib.error.HTTPError as error:
            if 400 <= error.code < 500:
                answer = error.read(300).decode(errors="replace")
                raise Refused(f"HTTP {error.code}: {answer}") from error
            raise


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx is an error (HTTPError), retried like a 5xx


def get_sender():
    return import_string(settings.OIDC_LOGOUT_SENDER)()


def _claim(batch: int, now) -> list[LogoutNotice]:
    due = LogoutNotice.objects.filter(status=LogoutNoticeStatus.PENDING, send_after__lte=now)
    return due_rows_claim(
        due.order_by("id").select_related("application"),
        batch=batch,
        lease_until=now + timedelta(seconds=settings.OIDC_LOGOUT_CLAIM_SECONDS),
    )


def _retry_later(notice: LogoutNotice, error: Exception, now) -> None:
    attempts = notice.attempts + 1
    wait = min(30 * 2 ** (attempts - 1), settings.OIDC_LOGOUT_BACKOFF_MAX_SECONDS)
    status = LogoutNoticeStatus.FAILED if attempts >= MAX_ATTEMPTS else LogoutNoticeStatus.PENDING
    LogoutNotice.objects.filter(pk=notice.pk).update(
        attempts=attempts,
        status=status,
        send_after=now + timedelta(seconds=wait),
        last_error=f"{type(error).__name__}: {error}"[:500],
    )


def logout_notices_send(*, batch: int = 100, sender=None, stop=None) -> dict:
    """Claim and post one batch: {"sent", "refused", "failed", "released"} ("failed":
    will be retried unless MAX_ATTEMPTS is reached)."""
    sender = sender or get_sender()
    counts = {"sent": 0, "refused": 0, "failed": 0, "released": 0}
    now = timezone.now()
    claimed = _claim(batch, now)
    for index, notice in enumerate(claimed):
        if stop is not None and stop():
            counts["released"] = LogoutNotice.objects.filter(
                pk__in=[n.pk for n in claimed[index:]], status=LogoutNoticeStatus.PENDING
            ).update(send_after=now)
            break
        try:
            sender.post(notice.uri, logout_token(notice))
        except Refused as refused:
            LogoutNotice.objects.filter(pk=notice.pk).update(
                status=LogoutNoticeStatus.FAILED,
                attempts=F("attempts") + 1,
                last_error=str(refused)[:500],
            )
            log.warning("oidc logout token refused by client %s", notice.application.client_id)
            counts["refused"] += 1
        except Exception as error:  # noqa: BLE001 - any transport failure is retried
            _retry_later(notice, error, timezone.now())
            counts["failed"] += 1
        else:
            LogoutNotice.objects.filter(pk=notice.pk).update(
                status=LogoutNoticeStatus.SENT,
                sent_at=timezone.now(),
                attempts=F("attempts") + 1,
                last_error="",
            )
            counts["sent"] += 1
    return counts

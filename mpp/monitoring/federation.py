"""Federation: an instance run by a regency reports its malls to the national instance.

Each pass sends, per configured mall, its closed days (before today in the mall's zone) as
mall-level totals with the exact quality sums, through the national instance's ordinary
ingest API (`/api/v1/ingest/daily-counts`) with the token the national instance issued for
that mall. The upsert there is idempotent, so a resend changes nothing; the last few days are
always resent to carry late corrections. A failure is recorded on the mall's `NationalPush`
row ("last error") and retried with a doubling back-off. See decision 0034."""

import json
import logging
import urllib.error
import urllib.request
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from mpp.registry.models import Mall

from .models import NationalPush
from .summaries import SUMMARY_FIELDS, live_day_numbers

log = logging.getLogger(__name__)
INGEST_PATH = "/api/v1/ingest/daily-counts"
MAX_DAYS_PER_REQUEST = 366


class PushFailed(Exception):
    pass


def push_days(push: NationalPush, today: date) -> tuple[date, date] | None:
    """The closed days to send: from the day after `sent_through` (less the resend window),
    or NATIONAL_PUSH_DAYS_BACK days back on the first push, up to yesterday."""
    last = today - timedelta(days=1)
    if push.sent_through is None:
        first = today - timedelta(days=settings.NATIONAL_PUSH_DAYS_BACK)
    else:
        first = push.sent_through + timedelta(days=1 - settings.NATIONAL_PUSH_RESEND_DAYS)
    first = max(first, last - timedelta(days=MAX_DAYS_PER_REQUEST - 1))
    return (first, last) if first <= last else None


def push_rows(mall: Mall, first: date, last: date) -> list[dict]:
    """The mall's days with data as mall-level totals (no service: the national instance
    need not know this instance's services), with the sums the report needs."""
    numbers = live_day_numbers(first, last, mall_ids=[mall.pk])
    rows = []
    for (_mall_id, day), (_source, values) in sorted(numbers.items()):
        rows.append({"date": day.isoformat()} | {name: values[name] for name in SUMMARY_FIELDS})
    return rows


def _post(url: str, token: str, rows: list[dict]) -> dict:
    request = urllib.request.Request(  # noqa: S310 - the configured national site
        url,
        data=json.dumps({"rows": rows}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    try:
        timeout = settings.NATIONAL_PUSH_TIMEOUT_SECONDS
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        body = error.read()[:2000].decode("utf-8", "replace")
        try:
            detail = json.loads(body)
            detail = "; ".join(
                [str(detail.get("detail", ""))]
                + [f"{e['row']}/{e['field']}: {e['message']}" for e in detail.get("errors", [])][:5]
            )
        except (ValueError, AttributeError, KeyError, TypeError):
            detail = body[:300]
        raise PushFailed(f"HTTP {error.code}: {detail}") from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise PushFailed(f"{type(error).__name__}: {reason}") from None


def _backoff(failures: int) -> timedelta:
    seconds = settings.NATIONAL_PUSH_RETRY_SECONDS * 2 ** max(0, failures - 1)
    return timedelta(seconds=min(seconds, settings.NATIONAL_PUSH_MAX_BACKOFF_SECONDS))


def mall_push(*, mall: Mall, token: str, now=None) -> dict:
    """One mall's push (if it is due): returns what was sent or what failed."""
    now = now or timezone.now()
    push, _created = NationalPush.objects.get_or_create(mall=mall)
    if push.next_attempt_at and push.next_attempt_at > now:
        return {"mall": mall.code, "skipped": True}
    span = push_days(push, mall.local_now().date())
    if span is None:
        return {"mall": mall.code, "days": 0}
    rows = push_rows(mall, *span)
    push.last_attempt_at = now
    try:
        if rows:
            _post(settings.NATIONAL_URL + INGEST_PATH, token, rows)
    except PushFailed as error:
        push.failures += 1
        push.last_error = str(error)[:2000]
        push.next_attempt_at = now + _backoff(push.failures)
        push.save()
        log.warning("push to national failed", extra={"mall": mall.code, "error": str(error)})
        return {"mall": mall.code, "failed": True}
    push.sent_through = span[1]
    push.last_success_at = now
    push.failures = 0
    push.next_attempt_at = None
    push.save()
    return {"mall": mall.code, "days": len(rows)}


def national_push_run(*, now=None) -> dict:
    """One pass over every mall in NATIONAL_PUSH_TOKENS. Counts only (for the worker log)."""
    if not settings.NATIONAL_URL or not settings.NATIONAL_PUSH_TOKENS:
        return {"malls": 0, "days": 0, "failed": 0}
    tokens = settings.NATIONAL_PUSH_TOKENS
    results = []
    for mall in Mall.objects.filter(code__in=list(tokens)).order_by("code"):
        with transaction.atomic():
            results.append(mall_push(mall=mall, token=tokens[mall.code], now=now))
    return {
        "malls": len(results),
        "days": sum(r.get("days", 0) for r in results),
        "failed": sum(1 for r in results if r.get("failed")),
    }

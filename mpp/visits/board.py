"""What a display board shows, computed at most once a second per mall and served to every
board from the cache: hundreds of boards polling cost one set of queries per second."""

import functools
from pathlib import Path

from django.core.cache import cache
from django.db.models import Count
from django.templatetags.static import static
from django.utils import timezone

from mpp.registry.models import Mall

from .models import Ticket, TicketStatus

BOARD_CACHE_SECONDS = 1
LAST_CALLS = 8


def _compute(mall: Mall) -> dict:
    today = timezone.now().astimezone(mall.tz).date()
    todays = Ticket.objects.filter(mall=mall, local_date=today)
    calls = list(
        todays.filter(last_called_at__isnull=False)
        .exclude(counter__isnull=True)
        .order_by("-last_called_at")
        .values(
            "uuid",
            "prefix",
            "number",
            "status",
            "last_called_at",
            "call_count",
            "counter__number",
            "service__name",
        )[: LAST_CALLS + 20]
    )
    rows = [
        {
            "ticket": f"{c['prefix']}-{c['number']:03d}",
            "counter": c["counter__number"],
            "service": c["service__name"],
            "called_at": c["last_called_at"].isoformat(),
            "call_count": c["call_count"],
            "status": c["status"],
        }
        for c in calls
    ]
    current = [r for r in rows if r["status"] == TicketStatus.CALLED]
    waiting = (
        todays.filter(status=TicketStatus.WAITING)
        .values("service__name", "prefix")
        .annotate(waiting=Count("id"))
        .order_by("prefix", "service__name")
    )
    return {
        "mall": mall.code,
        "mall_name": mall.name,
        "local_date": today.isoformat(),
        "generated_at": timezone.now().isoformat(),
        "current": current,
        "last_calls": rows[:LAST_CALLS],
        "waiting": [
            {"service": w["service__name"], "prefix": w["prefix"], "waiting": w["waiting"]}
            for w in waiting
        ],
    }


def board_state(mall_code: str) -> dict | None:
    """The board for the mall with `mall_code`, or None if there is no such mall."""
    key = f"board:{mall_code}"
    state = cache.get(key)
    if state is None:
        mall = Mall.objects.select_related("province", "regency").filter(code=mall_code).first()
        if mall is None:
            return None
        state = _compute(mall)
        cache.set(key, state, BOARD_CACHE_SECONDS)
    return state


CALLS_DIR = Path(__file__).resolve().parent / "static" / "visits" / "calls"


@functools.cache
def call_clip_urls(languages: tuple[str, ...]) -> dict[str, str]:
    """The recorded call clips (scripts/make_call_clips.py) the board may play, name → static
    URL ("id/nomor-antrean" → ".../nomor-antrean.<hash>.ogg" under the manifest storage)."""
    return {
        f"{language}/{clip.stem}": static(f"visits/calls/{language}/{clip.name}")
        for language in languages
        for clip in sorted((CALLS_DIR / language).glob("*.ogg"))
    }

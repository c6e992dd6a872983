"""Counter staffing: whether the counters in use are staffed during the mall's opening hours
(the quality pages' staffing figures, the empty-counter alert and the weekly report's
"counters staffed" share). Reads counter sessions, opening hours and closures only."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Max, Q
from django.utils import timezone

from mpp.registry.models import Closure, Counter, Mall, OpeningHours

from .models import CounterSession, CounterSessionStatus

EMPTY_COUNTER_GRACE_MINUTES = 15


def _percent(part: int, whole: int) -> float | None:
    return None if not whole else round(100 * part / whole, 1)


def opening_windows(mall: Mall, day: date) -> list[tuple[datetime, datetime]]:
    """The mall's opening periods on `day` as aware datetimes; none on a closure."""
    return mall.opening_windows(day)


def _overlap(a_start, a_end, b_start, b_end) -> float:
    return max(0.0, (min(a_end, b_end) - max(a_start, b_start)).total_seconds())


@dataclass
class CounterStaffing:
    counter: Counter
    scheduled_seconds: float = 0
    staffed_seconds: float = 0

    @property
    def share(self) -> float | None:
        return _percent(int(self.staffed_seconds), int(self.scheduled_seconds))


def counters_staffing(*, mall: Mall, start: date, end: date, now: datetime | None = None):
    """Per active counter: seconds scheduled (opening hours × days) and seconds staffed
    (open sessions within those hours, pauses excluded) from `start` to `end` (exclusive)."""
    now = now or timezone.now()
    counters = list(mall.counters.filter(is_active=True).order_by("number"))
    result = {c.pk: CounterStaffing(c) for c in counters}
    windows = []
    day = start
    while day < end:
        windows += opening_windows(mall, day)
        day += timedelta(days=1)
    if not windows:
        return list(result.values())
    sessions = CounterSession.objects.filter(
        counter__in=counters, opened_at__lt=windows[-1][1]
    ).filter(Q(closed_at__isnull=True) | Q(closed_at__gt=windows[0][0]))
    for w_start, w_end in windows:
        length = max(0.0, (min(w_end, max(now, w_start)) - w_start).total_seconds())
        for staffing in result.values():
            staffing.scheduled_seconds += length
    for session in sessions:
        closed = session.closed_at or now
        inside = sum(_overlap(session.opened_at, closed, a, min(b, now)) for a, b in windows)
        paused = session.paused_seconds
        if session.status == CounterSessionStatus.PAUSED and session.paused_since:
            paused += (now - session.paused_since).total_seconds()
        result[session.counter_id].staffed_seconds += max(0.0, inside - paused)
    return list(result.values())


@dataclass
class EmptyCounter:
    counter: Counter
    reason: str  # "closed" (no session) or "paused"
    since: datetime | None = None


def empty_counters(
    *, mall: Mall, now: datetime | None = None, grace_minutes: int = EMPTY_COUNTER_GRACE_MINUTES
) -> list[EmptyCounter]:
    """Counters in use that nobody staffs during opening hours: no open session, or paused
    for longer than the grace period. Nothing before opening + grace or outside hours."""
    now = now or timezone.now()
    grace = timedelta(minutes=grace_minutes)
    local_day = now.astimezone(mall.tz).date()
    if not any(a + grace <= now < b for a, b in opening_windows(mall, local_day)):
        return []
    counters = mall.counters.filter(is_active=True).exclude(services=None).distinct()
    sessions = {
        s.counter_id: s
        for s in CounterSession.objects.filter(counter__mall=mall).exclude(
            status=CounterSessionStatus.CLOSED
        )
    }
    alerts = []
    for counter in counters.order_by("number"):
        session = sessions.get(counter.pk)
        if session is None:
            last = counter.sessions.aggregate(at=Max("closed_at"))["at"]
            alerts.append(EmptyCounter(counter, "closed", last))
        elif (
            session.status == CounterSessionStatus.PAUSED
            and session.paused_since
            and now - session.paused_since > grace
        ):
            alerts.append(EmptyCounter(counter, "paused", session.paused_since))
    return alerts


def staffing_by_mall(
    *, malls: list, start: date, end: date, now: datetime | None = None, mall_ids=None
) -> dict[int, dict]:
    """Per mall id: seconds scheduled (active counters × opening hours, closures off) and
    seconds staffed (open sessions inside those hours, pauses excluded) from `start` to
    `end` (exclusive), up to `now`. The batched form of `counters_staffing`: four queries
    whatever the number of malls. `mall_ids` may be a subquery selecting the same malls."""
    now = now or timezone.now()
    ids = [m.pk for m in malls] if mall_ids is None else mall_ids
    counters = defaultdict(list)
    for counter_id, mall_id in Counter.objects.filter(mall_id__in=ids, is_active=True).values_list(
        "pk", "mall_id"
    ):
        counters[mall_id].append(counter_id)
    windows = _opening_windows(malls, ids, start, end)
    result = {}
    for mall in malls:
        length = sum(
            max(0.0, (min(b, max(now, a)) - a).total_seconds()) for a, b in windows[mall.pk]
        )
        result[mall.pk] = {"scheduled": length * len(counters[mall.pk]), "staffed": 0.0}
    _staffed_add(result, windows, ids, now)
    return result


def _opening_windows(malls: list, ids, start: date, end: date) -> dict[int, list]:
    """Per mall id: the (opens, closes) datetimes of its opening hours on each day from
    `start` to `end` (exclusive), closure days left out. Two queries."""
    hours = defaultdict(list)
    for row in OpeningHours.objects.filter(mall_id__in=ids).values(
        "mall_id", "weekday", "opens_at", "closes_at"
    ):
        hours[(row["mall_id"], row["weekday"])].append((row["opens_at"], row["closes_at"]))
    closed = set(
        Closure.objects.filter(mall_id__in=ids, date__gte=start, date__lt=end).values_list(
            "mall_id", "date"
        )
    )
    windows: dict[int, list] = {}
    for mall in malls:
        tz, day, windows[mall.pk] = mall.tz, start, []
        while day < end:
            if (mall.pk, day) not in closed:
                windows[mall.pk] += [
                    (datetime.combine(day, a, tzinfo=tz), datetime.combine(day, b, tzinfo=tz))
                    for a, b in hours.get((mall.pk, day.weekday()), [])
                ]
            day += timedelta(days=1)
    return windows


def _staffed_add(result: dict[int, dict], windows: dict[int, list], ids, now: datetime) -> None:
    """Add to each mall's "staffed" the seconds its active counters' sessions were open
    inside its opening windows up to `now`, pauses (a running one too) excluded."""
    all_windows = [w for ws in windows.values() for w in ws]
    if not all_windows:
        return
    first = min(a for a, _b in all_windows)
    last = max(b for _a, b in all_windows)
    sessions = CounterSession.objects.filter(
        counter__mall_id__in=ids, counter__is_active=True, opened_at__lt=last
    ).filter(Q(closed_at__isnull=True) | Q(closed_at__gt=first))
    for session in sessions.select_related("counter").only(
        "opened_at",
        "closed_at",
        "paused_seconds",
        "paused_since",
        "status",
        "counter__mall_id",
    ):
        closed_at = session.closed_at or now
        mall_windows = windows[session.counter.mall_id]
        inside = sum(
            _overlap(session.opened_at, closed_at, a, min(b, now)) for a, b in mall_windows
        )
        paused = session.paused_seconds
        if session.status == CounterSessionStatus.PAUSED and session.paused_since:
            paused += (now - session.paused_since).total_seconds()
        result[session.counter.mall_id]["staffed"] += max(0.0, inside - paused)

"""Compliance with the service standard and the pledge, and the mall scorecard.

Reads only rollups, standards, counter sessions and complaints: never raw visits.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, F, Max, Q, Sum
from django.utils import timezone

from mpp.registry.models import Closure, Counter, Mall, OpeningHours, Service, ServiceStandard
from mpp.visits.models import CounterSession, CounterSessionStatus, DailyRollup

from .ikm import IkmResult, Period, krejcie_morgan
from .models import Complaint, SurveyResponse

EMPTY_COUNTER_GRACE_MINUTES = 15


def _percent(part: int, whole: int) -> float | None:
    return None if not whole else round(100 * part / whole, 1)


# --- the six public components of the standard --------------------------------------------


def standard_missing(standard: ServiceStandard | None) -> list[str]:
    """Which of the six public components are empty (all six when there is no standard)."""
    if standard is None:
        return list(ServiceStandard.PUBLIC_COMPONENTS)
    checks = {
        "requirements": any(str(r).strip() for r in standard.requirements or []),
        "procedure": any(str(s).strip() for s in standard.procedure or []),
        "completion_time": bool(standard.completion_time_value and standard.completion_time_unit),
        "fee": standard.fee_amount is not None
        and (standard.fee_amount == 0 or bool(standard.fee_note.strip())),
        "product": bool(standard.product.strip()),
        "complaint_channel": bool(standard.complaint_channel.strip()),
    }
    return [name for name, ok in checks.items() if not ok]


def _standard_in_force(standards: list, day: date):
    in_force = [s for s in standards if s.effective_from <= day]
    return max(in_force, key=lambda s: (s.effective_from, s.version)) if in_force else None


# --- per service -----------------------------------------------------------------------------


@dataclass
class ServiceCompliance:
    service: Service
    standard: ServiceStandard | None
    missing: list[str]
    served: int
    within: int
    visitors_previous: int
    respondents: int
    ikm: IkmResult | None

    @property
    def time_share(self) -> float | None:
        return _percent(self.within, self.served)

    @property
    def sample_target(self) -> int:
        return krejcie_morgan(self.visitors_previous)

    @property
    def sample_progress(self) -> float | None:
        return _percent(self.respondents, self.sample_target)

    @property
    def sample_adequate(self) -> bool:
        return self.sample_target > 0 and self.respondents >= self.sample_target


def _rollup_totals(rollups, period: Period, key: str) -> dict:
    rows = (
        rollups.filter(local_date__gte=period.start, local_date__lt=period.end)
        .order_by()
        .values(key)
        .annotate(served=Sum("served"), within=Sum("served_within_standard"))
    )
    return {row[key]: row for row in rows}


def services_compliance(*, mall: Mall, period: Period, today: date | None = None) -> list:
    """Each service of the mall: standard complete, time compliance (same-day: queue to
    finish within the standard), IKM and sample progress against Krejcie & Morgan."""
    today = today or timezone.localdate(timezone=mall.tz)
    services = list(
        mall.services.select_related("agency")
        .prefetch_related("standards")
        .order_by("agency__short_name", "name")
    )
    rollups = DailyRollup.objects.filter(mall=mall)
    now_totals = _rollup_totals(rollups, period, "service_id")
    before = _rollup_totals(rollups, period.previous(), "service_id")
    ikms = SurveyResponse.objects.filter(mall=mall).in_period(period).ikm_by("service_id")
    rows = []
    for service in services:
        standard = _standard_in_force(list(service.standards.all()), min(today, period.end))
        totals = now_totals.get(service.pk, {})
        ikm = ikms.get(service.pk)
        rows.append(
            ServiceCompliance(
                service=service,
                standard=standard,
                missing=standard_missing(standard),
                served=totals.get("served") or 0,
                within=totals.get("within") or 0,
                visitors_previous=(before.get(service.pk) or {}).get("served") or 0,
                respondents=ikm.respondents if ikm else 0,
                ikm=ikm,
            )
        )
    return rows


# --- counters against opening hours ----------------------------------------------------------


def opening_windows(mall: Mall, day: date) -> list[tuple[datetime, datetime]]:
    """The mall's opening periods on `day` as aware datetimes; none on a closure."""
    if Closure.objects.filter(mall=mall, date=day).exists():
        return []
    tz = mall.tz
    return [
        (
            datetime.combine(day, hours.opens_at, tzinfo=tz),
            datetime.combine(day, hours.closes_at, tzinfo=tz),
        )
        for hours in OpeningHours.objects.filter(mall=mall, weekday=day.weekday())
    ]


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


# --- pledge -----------------------------------------------------------------------------------


def pledge_status(*, mall: Mall, today: date | None = None) -> dict:
    """Published: a signed pledge exists. Current: signed on or after the day the newest
    standard of the mall's services took effect (the pledge promises those standards)."""
    today = today or timezone.localdate(timezone=mall.tz)
    pledge = mall.current_pledge()
    newest = ServiceStandard.objects.filter(
        service__mall=mall, effective_from__lte=today
    ).aggregate(d=Max("effective_from"))["d"]
    published = pledge is not None and pledge.signed_on <= today
    return {
        "pledge": pledge,
        "published": published,
        "current": published and (newest is None or pledge.signed_on >= newest),
        "newest_standard_on": newest,
    }


# --- complaints and the scorecard ---------------------------------------------------------------


def complaint_totals(complaints, today: date) -> dict:
    """Received, answered in time, overdue (late answers and open past the deadline)."""
    row = complaints.aggregate(
        received=Count("id"),
        answered=Count("id", filter=Q(first_answered_on__isnull=False)),
        in_time=Count("id", filter=Q(first_answered_on__lte=F("due_on"))),
        open_overdue=Count("id", filter=Q(first_answered_on__isnull=True, due_on__lt=today)),
    )
    # Only complaints whose deadline has passed or that were answered can be judged.
    judged = row["answered"] + row["open_overdue"]
    row["in_time_share"] = _percent(row["in_time"], judged)
    return row


@dataclass
class Scorecard:
    """The four keys for one mall and period."""

    mall: Mall
    period: Period
    commitment: dict = field(default_factory=dict)
    integration: dict = field(default_factory=dict)
    performance: dict = field(default_factory=dict)
    usage: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "mall": self.mall.code,
            "period": str(self.period),
            "commitment": self.commitment,
            "integration": self.integration,
            "performance": self.performance,
            "usage": self.usage,
        }


def mall_scorecard(*, mall: Mall, period: Period, now: datetime | None = None) -> Scorecard:
    now = now or timezone.now()
    today = now.astimezone(mall.tz).date()
    rows = services_compliance(mall=mall, period=period, today=today)
    pledge = pledge_status(mall=mall, today=today)
    ikm = SurveyResponse.objects.filter(mall=mall).in_period(period).ikm()
    served = sum(r.served for r in rows)
    within = sum(r.within for r in rows)
    staffing = counters_staffing(
        mall=mall, start=period.start, end=min(period.end, today + timedelta(days=1)), now=now
    )
    scheduled = sum(s.scheduled_seconds for s in staffing)
    staffed = sum(s.staffed_seconds for s in staffing)
    complaints = complaint_totals(
        Complaint.objects.filter(
            mall=mall, received_on__gte=period.start, received_on__lt=period.end
        ),
        today,
    )
    grade = ikm.grade
    return Scorecard(
        mall=mall,
        period=period,
        commitment={
            "pledge_published": pledge["published"],
            "pledge_current": pledge["current"],
            "pledge_signed_on": pledge["pledge"].signed_on.isoformat()
            if pledge["pledge"]
            else None,
        },
        integration={
            "agencies": mall.tenancies.count(),
            "services": len(rows),
            "services_with_complete_standard": sum(1 for r in rows if not r.missing),
            "complete_standard_share": _percent(sum(1 for r in rows if not r.missing), len(rows)),
        },
        performance={
            "time_compliance_share": _percent(within, served),
            "ikm": None if ikm.ikm is None else str(ikm.ikm),
            "grade": grade.letter if grade else None,
            "grade_label": grade.label if grade else None,
            "respondents": ikm.respondents,
            "complaints_received": complaints["received"],
            "complaints_answered_in_time_share": complaints["in_time_share"],
            "counters_staffed_share": _percent(int(staffed), int(scheduled)),
        },
        usage={"served": served},
    )


def malls_summary(*, malls, period: Period, today: date) -> list[dict]:
    """One row per mall for the national view, in a handful of GROUP BY queries."""
    malls = list(malls.select_related("province"))
    ids = [m.pk for m in malls]
    ikms = SurveyResponse.objects.filter(mall_id__in=ids).in_period(period).ikm_by("mall_id")
    served = _rollup_totals(DailyRollup.objects.filter(mall_id__in=ids), period, "mall_id")
    complaints = {
        row["mall_id"]: row
        for row in Complaint.objects.filter(
            mall_id__in=ids, received_on__gte=period.start, received_on__lt=period.end
        )
        .order_by()
        .values("mall_id")
        .annotate(
            received=Count("id"),
            in_time=Count("id", filter=Q(first_answered_on__lte=F("due_on"))),
            judged=Count("id", filter=Q(first_answered_on__isnull=False) | Q(due_on__lt=today)),
        )
    }
    rows = []
    for mall in malls:
        ikm = ikms.get(mall.pk)
        grade = ikm.grade if ikm else None
        totals = served.get(mall.pk, {})
        c = complaints.get(mall.pk, {})
        rows.append(
            {
                "mall": mall,
                "respondents": ikm.respondents if ikm else 0,
                "ikm": ikm.ikm if ikm else None,
                "grade": grade,
                "served": totals.get("served") or 0,
                "time_share": _percent(totals.get("within") or 0, totals.get("served") or 0),
                "complaints": c.get("received", 0),
                "complaints_in_time_share": _percent(c.get("in_time", 0), c.get("judged", 0)),
            }
        )
    return rows

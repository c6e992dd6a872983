"""Checking what other queue systems send: daily counts (API or spreadsheet) and raw visit
events. Checks collect every bad row with its field, so one answer names them all; the
services in services.py store nothing unless every row is good."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from mpp.registry.models import Mall, Service, Tenancy

from .models import EventStatus

MAX_EVENTS_PER_BATCH = 10_000
MAX_ROWS_PER_BATCH = 20_000
CLOCK_SKEW = timedelta(minutes=5)
MALL_SUBJECT = "mall"  # a mall-level total: a mall with no agency registered can send one
# Exact sums a system may send instead of averages (an instance of this platform does).
SUM_FIELDS = [
    "called",
    "wait_seconds_sum",
    "service_timed",
    "service_seconds_sum",
    "standard_checked",
]


def _bound(name: str):
    return settings.INGEST_BOUNDS.get(name)


def _over_bound(number, row: int, name: str, errors: list) -> bool:
    limit = _bound(name)
    if limit is not None and number > limit:
        errors.append(
            RowError(
                row,
                name,
                _("%(value)s is not plausible: at most %(limit)s")
                % {"value": number, "limit": limit},
            )
        )
        return True
    return False


@dataclass
class RowError:
    row: int
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        return _("row %(row)s, field '%(field)s': %(message)s") % self.as_dict()


class IngestError(Exception):
    """Every problem found in a batch; nothing of the batch was stored."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors[:20]))


class KeyConflict(Exception):
    """Keys already received with other content: nothing of the batch was stored."""

    def __init__(self, keys: list[str]):
        self.keys = keys
        super().__init__(", ".join(keys[:20]))


class MallCatalogue:
    """A mall's services (by slug) and tenant agencies (by code), read once per batch."""

    def __init__(self, mall: Mall):
        self.mall = mall
        self.services = {
            s.slug: s for s in Service.objects.filter(mall=mall).only("id", "slug", "agency_id")
        }
        self.agencies = {
            t.agency.code: t.agency
            for t in Tenancy.objects.filter(mall=mall).select_related("agency")
        }
        self.today = mall.local_now().date()


def _count(value, row: int, name: str, errors: list, *, required=True) -> int | None:
    if value is None or value == "":
        if required:
            errors.append(RowError(row, name, _("a whole number is required")))
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, float):
            if not value.is_integer():
                raise ValueError
            value = int(value)
        number = int(str(value).strip())
    except ValueError:
        errors.append(
            RowError(row, name, _("'%(value)s' is not a whole number") % {"value": value})
        )
        return None
    if number < 0:
        errors.append(RowError(row, name, _("must not be negative")))
        return None
    if _over_bound(number, row, name, errors):
        return None
    return number


def _minutes(value, row: int, name: str, errors: list) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        errors.append(RowError(row, name, _("'%(value)s' is not a number") % {"value": value}))
        return None
    if not number.is_finite() or number < 0:
        errors.append(RowError(row, name, _("must not be negative")))
        return None
    if _over_bound(number, row, name, errors):
        return None
    return number


def _date(value, row: int, today: date, errors: list) -> date | None:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value or "").strip())
        except ValueError:
            errors.append(RowError(row, "date", _("write the date as YYYY-MM-DD")))
            return None
    if day > today:
        errors.append(RowError(row, "date", _("%(day)s is in the future") % {"day": day}))
        return None
    return day


def daily_count_check(raw: dict, row: int, catalogue: MallCatalogue, errors: list) -> dict | None:
    """One row of daily counts → the values to store, or None (errors appended)."""
    before = len(errors)
    day = _date(raw.get("date"), row, catalogue.today, errors)
    service, agency, agency_code = _row_subject(raw, row, catalogue, errors)
    values = {
        name: _count(raw.get(name), row, name, errors) for name in ("issued", "served", "no_shows")
    }
    within = _count(
        raw.get("served_within_standard"), row, "served_within_standard", errors, required=False
    )
    wait = _minutes(raw.get("avg_wait_minutes"), row, "avg_wait_minutes", errors)
    service_time = _minutes(raw.get("avg_service_minutes"), row, "avg_service_minutes", errors)
    if None not in values.values():
        _counts_consistent(values, within, row, errors)
    sums = _sums_check(raw, row, values, errors)
    if len(errors) > before:
        return None
    served = values["served"]
    if service:
        subject = f"service:{service.slug}"
    elif agency_code:
        subject = f"agency:{agency_code}"
    else:
        subject = MALL_SUBJECT  # no service and no agency: the whole mall's day
    numbers = {
        "called": served if wait is not None else 0,
        "wait_seconds_sum": int(wait * 60 * served) if wait is not None else 0,
        "service_timed": served if service_time is not None else 0,
        "service_seconds_sum": int(service_time * 60 * served) if service_time is not None else 0,
        "standard_checked": served if within is not None else 0,
    }
    return {
        "local_date": day,
        "subject_key": subject,
        "service": service,
        "agency": service.agency if service else agency,
        **values,
        **numbers,
        **sums,
        "served_within_standard": within or 0,
    }


def _row_subject(raw: dict, row: int, catalogue: MallCatalogue, errors: list):
    """(service, agency, agency code) a row counts for: a service by slug, else an agency by
    code, else neither (the whole mall); an unknown one is an error naming its field."""
    service_slug = str(raw.get("service") or "").strip()
    agency_code = str(raw.get("agency") or "").strip()
    service = agency = unknown = None
    if service_slug:
        service = catalogue.services.get(service_slug)
        if service is None:
            unknown = "service", _("no service '%(slug)s' in this mall") % {"slug": service_slug}
    elif agency_code:
        agency = catalogue.agencies.get(agency_code)
        if agency is None:
            unknown = "agency", _("no agency '%(code)s' in this mall") % {"code": agency_code}
    if unknown:
        errors.append(RowError(row, *unknown))
    return service, agency, agency_code


def _counts_consistent(values: dict, within: int | None, row: int, errors: list) -> None:
    """Served and no-shows within the visits issued; within-standard within the served."""
    over = [n for n in ("served", "no_shows") if values[n] > values["issued"]]
    for name in over:
        errors.append(RowError(row, name, _("is more than the visits issued")))
    if not over and values["served"] + values["no_shows"] > values["issued"]:
        errors.append(
            RowError(row, "no_shows", _("served plus no-shows is more than the visits issued"))
        )
    if within is not None and within > values["served"]:
        errors.append(RowError(row, "served_within_standard", _("is more than the visits served")))


def _sums_check(raw: dict, row: int, values: dict, errors: list) -> dict:
    """Exact quality sums (`called` + `wait_seconds_sum`, ...) when a system sends them;
    each count at most the visits issued, each sum at most a bounded day of minutes."""
    sums = {}
    for name in SUM_FIELDS:
        if raw.get(name) in (None, ""):
            continue
        try:
            value = raw[name]
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            number = int(str(int(value) if isinstance(value, float) else value).strip())
        except ValueError:
            errors.append(
                RowError(row, name, _("'%(value)s' is not a whole number") % {"value": raw[name]})
            )
            continue
        if number < 0:
            errors.append(RowError(row, name, _("must not be negative")))
            continue
        sums[name] = number
    issued = values.get("issued")
    for name in ("called", "service_timed", "standard_checked"):
        if name in sums and issued is not None and sums[name] > issued:
            errors.append(RowError(row, name, _("is more than the visits issued")))
    for name, count, bound in (
        ("wait_seconds_sum", "called", "wait_minutes"),
        ("service_seconds_sum", "service_timed", "service_minutes"),
    ):
        limit = _bound(bound)
        if name in sums and limit is not None and sums[name] > sums.get(count, 0) * limit * 60:
            errors.append(
                RowError(
                    row,
                    name,
                    _("more than %(limit)s minutes per visit on average") % {"limit": limit},
                )
            )
    return sums


def daily_counts_check(mall: Mall, rows: list[dict], *, first_row: int = 1) -> list[dict]:
    """All rows checked; raises IngestError naming every bad row and field."""
    if not isinstance(rows, list) or not rows:
        raise IngestError([RowError(0, "rows", _("send a non-empty list of rows"))])
    if len(rows) > MAX_ROWS_PER_BATCH:
        raise IngestError(
            [RowError(0, "rows", _("at most %(n)s rows per batch") % {"n": MAX_ROWS_PER_BATCH})]
        )
    catalogue = MallCatalogue(mall)
    errors: list[RowError] = []
    clean, seen = [], {}
    for number, raw in enumerate(rows, start=first_row):
        if not isinstance(raw, dict):
            errors.append(RowError(number, "row", _("each row must be an object")))
            continue
        values = daily_count_check(raw, number, catalogue, errors)
        if values is None:
            continue
        clash = _day_clash(values, seen, number)
        if clash:
            errors.append(clash)
            continue
        seen[(values["local_date"], values["subject_key"])] = number
        clean.append(values)
    if errors:
        raise IngestError(errors)
    return clean


def _day_clash(values: dict, seen: dict, number: int) -> RowError | None:
    """A row for a day and subject already sent in the batch (`seen`: (day, subject) → row),
    or a mall total beside per-service rows of the same day (either way round)."""
    key = (values["local_date"], values["subject_key"])
    if key in seen:
        return RowError(
            number, "date", _("same day and service as row %(row)s") % {"row": seen[key]}
        )
    whole = values["subject_key"] == MALL_SUBJECT
    other = next(
        (
            n
            for (day, subject), n in seen.items()
            if day == values["local_date"] and (subject == MALL_SUBJECT) != whole
        ),
        None,
    )
    if other is None:
        return None
    return RowError(
        number,
        "service",
        _(
            "row %(row)s reports the same day per service: send a mall total "
            "(no service, no agency) or per-service rows for a day, not both"
        )
        % {"row": other},
    )


def _moment(value, row: int, name: str, errors: list, *, required=False) -> datetime | None:
    if value is None or value == "":
        if required:
            errors.append(RowError(row, name, _("a date and time is required")))
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        errors.append(RowError(row, name, _("write an ISO 8601 date and time with its offset")))
        return None
    if moment.tzinfo is None:
        errors.append(RowError(row, name, _("the time needs its UTC offset, e.g. +07:00")))
        return None
    return moment


STATUSES = set(EventStatus.values)


def visit_events_check(mall: Mall, events: list[dict]) -> list[tuple]:
    """Raw visit events → tuples ready to insert; raises IngestError naming bad rows."""
    if not isinstance(events, list) or not events:
        raise IngestError([RowError(0, "events", _("send a non-empty list of events"))])
    if len(events) > MAX_EVENTS_PER_BATCH:
        raise IngestError(
            [
                RowError(
                    0, "events", _("at most %(n)s events per batch") % {"n": MAX_EVENTS_PER_BATCH}
                )
            ]
        )
    services = dict(Service.objects.filter(mall=mall).values_list("slug", "id"))
    latest = timezone.now() + CLOCK_SKEW
    errors: list[RowError] = []
    clean, keys = [], set()
    for row, raw in enumerate(events, start=1):
        if not isinstance(raw, dict):
            errors.append(RowError(row, "event", _("each event must be an object")))
            continue
        event = _visit_event_check(raw, row, services, keys, mall.tz, latest, errors)
        if event is not None:
            clean.append(event)
    if errors:
        raise IngestError(errors)
    return clean


def _visit_event_check(raw, row, services, keys, zone, latest, errors) -> tuple | None:
    """One event → its row to insert, or None with its errors appended; `keys` collects the
    batch's idempotency keys to refuse a key sent twice."""
    before = len(errors)
    key = str(raw.get("key") or "")
    if not key or len(key) > 100:
        errors.append(
            RowError(row, "key", _("an idempotency key of 1 to 100 characters is required"))
        )
    elif key in keys:
        errors.append(RowError(row, "key", _("the same key appears twice in this batch")))
    keys.add(key)
    service_id = services.get(raw.get("service"))
    if service_id is None:
        errors.append(
            RowError(
                row,
                "service",
                _("no service '%(slug)s' in this mall") % {"slug": raw.get("service")},
            )
        )
    status = raw.get("status") or EventStatus.OTHER
    if status not in STATUSES:
        errors.append(RowError(row, "status", _("must be served, no_show or other")))
    issued = _moment(raw.get("issued_at"), row, "issued_at", errors, required=True)
    called = _moment(raw.get("called_at"), row, "called_at", errors)
    started = _moment(raw.get("started_at"), row, "started_at", errors)
    finished = _moment(raw.get("finished_at"), row, "finished_at", errors)
    _visit_event_order_check(row, issued, called, started, finished, latest, errors)
    if len(errors) > before:
        return None
    wait = int((called - issued).total_seconds()) if called else None
    served_for = int((finished - started).total_seconds()) if started and finished else None
    return (key, service_id, issued.astimezone(zone).date(), status, issued, wait, served_for)


def _visit_event_order_check(row, issued, called, started, finished, latest, errors) -> None:
    """The moments of one visit come in order and within the plausible bounds."""
    if issued and issued > latest:
        errors.append(RowError(row, "issued_at", _("is in the future")))
    if issued and called and called < issued:
        errors.append(RowError(row, "called_at", _("is before issued_at")))
    if started and finished and finished < started:
        errors.append(RowError(row, "finished_at", _("is before started_at")))
    wait_limit, service_limit = _bound("wait_minutes"), _bound("service_minutes")
    if issued and called and wait_limit and called - issued > timedelta(minutes=wait_limit):
        errors.append(
            RowError(
                row,
                "called_at",
                _("more than %(limit)s minutes after issued_at") % {"limit": wait_limit},
            )
        )
    if (
        started
        and finished
        and service_limit
        and finished - started > timedelta(minutes=service_limit)
    ):
        errors.append(
            RowError(
                row,
                "finished_at",
                _("more than %(limit)s minutes after started_at") % {"limit": service_limit},
            )
        )

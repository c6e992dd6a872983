"""State changes in national monitoring: storing counts and events from other queue
systems, spreadsheet uploads, system tokens, subscriptions."""

import csv
import io
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from mpp.core.audit import audit_record
from mpp.registry.access import can_edit_mall
from mpp.registry.models import Mall
from mpp.visits.models import DailyRollup, Device, DeviceKind, hash_token

from .ingest import (
    MALL_SUBJECT,
    IngestError,
    KeyConflict,
    MallCatalogue,
    RowError,
    daily_count_check,
    daily_counts_check,
    visit_events_check,
)
from .models import (
    CountSource,
    CountUpload,
    EventStatus,
    ReportedDailyCount,
    ReportSubscription,
    VisitEvent,
)
from .summaries import summaries_refresh

COUNT_FIELDS = [
    "issued",
    "served",
    "no_shows",
    "called",
    "wait_seconds_sum",
    "service_timed",
    "service_seconds_sum",
    "standard_checked",
    "served_within_standard",
]


def _counts_store(mall: Mall, rows: list[dict], source: str) -> int:
    """Upsert the rows. A day sent as a mall total replaces that day's per-service rows,
    and per-service rows replace a mall total, so a day is never counted twice."""
    whole = {r["local_date"] for r in rows if r["subject_key"] == MALL_SUBJECT}
    split = {r["local_date"] for r in rows if r["subject_key"] != MALL_SUBJECT}
    stale = ReportedDailyCount.objects.filter(mall=mall, source=source)
    if whole:
        stale.filter(local_date__in=whole).exclude(subject_key=MALL_SUBJECT).delete()
    if split:
        stale.filter(local_date__in=split, subject_key=MALL_SUBJECT).delete()
    objects = [
        ReportedDailyCount(
            mall=mall,
            source=source,
            local_date=row["local_date"],
            subject_key=row["subject_key"],
            service=row["service"],
            agency=row["agency"],
            **{name: row[name] for name in COUNT_FIELDS},
        )
        for row in rows
    ]
    ReportedDailyCount.objects.bulk_create(
        objects,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["mall", "local_date", "source", "subject_key"],
        update_fields=[*COUNT_FIELDS, "service", "agency", "updated_at"],
    )
    return len(objects)


@transaction.atomic
def daily_counts_upsert(*, mall: Mall, rows: list[dict], by=None) -> dict:
    """Store a mall's daily counts: each (day, service, agency or mall total) replaces what
    was sent before, so a replayed batch changes nothing. All rows or none.

    Returns what happened: rows stored, and the days that also have this platform's queue
    data, with the source the report uses for them (setting MONITORING_QUEUE_COUNTS_WINNER).
    """
    clean = daily_counts_check(mall, rows)
    stored = _counts_store(mall, clean, CountSource.COUNTS)
    days = {row["local_date"] for row in clean}
    summaries_refresh(days=days, mall_ids=[mall.pk])
    audit_record(
        actor=by, action="daily_counts_upsert", target=mall, summary=f"{mall.code}: {stored} rows"
    )
    queue_days = sorted(
        DailyRollup.objects.filter(mall=mall, local_date__in=days)
        .values_list("local_date", flat=True)
        .distinct()
    )
    winner = settings.MONITORING_QUEUE_COUNTS_WINNER
    result = {"stored": stored, "days_with_queue_data": [d.isoformat() for d in queue_days]}
    if queue_days:
        result["report_uses"] = winner
        result["note"] = (
            _(
                "These days also have this platform's queue data; the report uses the queue's "
                "numbers for them and keeps your counts stored."
            )
            if winner == "queue"
            else _(
                "These days also have this platform's queue data; the report uses your counts "
                "for them instead of the queue's."
            )
        )
    return result


def _events_insert_postgresql(mall: Mall, clean: list[tuple], received) -> int:
    """COPY into a temporary table, then one statement inserts the new events (ON CONFLICT
    DO NOTHING) and adds them to the daily counts."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE monitoring_event_load (key varchar(100), service_id bigint, "
            "local_date date, status varchar(16), issued_at timestamptz, wait_seconds integer, "
            "service_seconds integer) ON COMMIT DROP"
        )
        with cursor.cursor.copy(
            "COPY monitoring_event_load (key, service_id, local_date, status, issued_at, "
            "wait_seconds, service_seconds) FROM STDIN"
        ) as copy:
            for row in clean:
                copy.write_row(row)
        # Insert the new events and add exactly those to the daily counts, in one statement.
        cursor.execute(
            "WITH added AS (INSERT INTO monitoring_visitevent (mall_id, key, service_id, "
            "local_date, status, issued_at, wait_seconds, service_seconds, received_at) "
            "SELECT %s, key, service_id, local_date, status, issued_at, wait_seconds, "
            "service_seconds, %s FROM monitoring_event_load "
            "ON CONFLICT (mall_id, key, local_date) DO NOTHING "
            "RETURNING service_id, local_date, status, wait_seconds, service_seconds), "
            "counted AS (INSERT INTO monitoring_reporteddailycount (mall_id, local_date, source, "
            "subject_key, "
            "service_id, agency_id, issued, served, no_shows, called, wait_seconds_sum, "
            "service_timed, service_seconds_sum, standard_checked, served_within_standard, "
            "updated_at) "
            "SELECT %s, a.local_date, 'events', 'service:' || s.slug, s.id, s.agency_id, "
            "count(*), count(*) FILTER (WHERE a.status = 'served'), "
            "count(*) FILTER (WHERE a.status = 'no_show'), count(a.wait_seconds), "
            "coalesce(sum(a.wait_seconds), 0), count(a.service_seconds), "
            "coalesce(sum(a.service_seconds), 0), 0, 0, %s "
            "FROM added a JOIN registry_service s ON s.id = a.service_id "
            "GROUP BY a.local_date, s.id, s.slug, s.agency_id "
            "ON CONFLICT (mall_id, local_date, source, subject_key) DO UPDATE SET "
            "issued = monitoring_reporteddailycount.issued + EXCLUDED.issued, "
            "served = monitoring_reporteddailycount.served + EXCLUDED.served, "
            "no_shows = monitoring_reporteddailycount.no_shows + EXCLUDED.no_shows, "
            "called = monitoring_reporteddailycount.called + EXCLUDED.called, "
            "wait_seconds_sum = monitoring_reporteddailycount.wait_seconds_sum "
            "+ EXCLUDED.wait_seconds_sum, "
            "service_timed = monitoring_reporteddailycount.service_timed + EXCLUDED.service_timed, "
            "service_seconds_sum = monitoring_reporteddailycount.service_seconds_sum "
            "+ EXCLUDED.service_seconds_sum, updated_at = EXCLUDED.updated_at "
            "RETURNING 1) "
            "SELECT count(*) FROM added",
            [mall.pk, received, mall.pk, received],
        )
        inserted = cursor.fetchone()[0]
        cursor.execute("DROP TABLE monitoring_event_load")
    return inserted


def _events_insert_portable(mall: Mall, clean: list[tuple], received) -> int:
    # A key is unique per mall and day: count the (key, day) pairs already stored.
    wanted = {(row[0], row[2]) for row in clean}
    keys = sorted({key for key, _ in wanted})
    existing = 0
    for start in range(0, len(keys), 5000):
        stored = VisitEvent.objects.filter(mall=mall, key__in=keys[start : start + 5000])
        existing += sum(pair in wanted for pair in stored.values_list("key", "local_date"))
    VisitEvent.objects.bulk_create(
        [
            VisitEvent(
                mall=mall,
                key=key,
                service_id=service_id,
                local_date=day,
                status=status,
                issued_at=issued,
                wait_seconds=wait,
                service_seconds=served_for,
                received_at=received,
            )
            for key, service_id, day, status, issued, wait, served_for in clean
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    return len(clean) - existing


def event_counts_refresh(*, mall: Mall, days) -> int:
    """Rebuild the mall's daily counts from its visit events for `days`."""
    days = sorted(set(days))
    rows = (
        VisitEvent.objects.filter(mall=mall, local_date__in=days)
        .order_by()
        .values("local_date", "service_id", "service__slug", "service__agency_id")
        .annotate(
            issued=Count("id"),
            served=Count("id", filter=Q(status=EventStatus.SERVED)),
            no_shows=Count("id", filter=Q(status=EventStatus.NO_SHOW)),
            called=Count("wait_seconds"),
            wait_seconds_sum=Sum("wait_seconds"),
            service_timed=Count("service_seconds"),
            service_seconds_sum=Sum("service_seconds"),
        )
    )
    ReportedDailyCount.objects.filter(
        mall=mall, source=CountSource.EVENTS, local_date__in=days
    ).delete()
    objects = [
        ReportedDailyCount(
            mall=mall,
            source=CountSource.EVENTS,
            local_date=row["local_date"],
            subject_key=f"service:{row['service__slug']}",
            service_id=row["service_id"],
            agency_id=row["service__agency_id"],
            issued=row["issued"],
            served=row["served"],
            no_shows=row["no_shows"],
            called=row["called"],
            wait_seconds_sum=row["wait_seconds_sum"] or 0,
            service_timed=row["service_timed"],
            service_seconds_sum=row["service_seconds_sum"] or 0,
        )
        for row in rows
    ]
    ReportedDailyCount.objects.bulk_create(objects)
    return len(objects)


def _key_conflicts_check(mall: Mall, clean: list[tuple]) -> None:
    """A key already received must come with the same content (a replay); a key reused for
    another visit is a conflict that the sender must see, not a silent duplicate."""
    by_key = {row[0]: row for row in clean}
    keys = list(by_key)
    conflicts = []
    fields = ("key", "service_id", "status", "issued_at", "wait_seconds", "service_seconds")
    for start in range(0, len(keys), 5000):
        stored = VisitEvent.objects.filter(mall=mall, key__in=keys[start : start + 5000])
        for key, service_id, status, issued, wait, served_for in stored.values_list(*fields):
            _key, new_service, _day, new_status, new_issued, new_wait, new_served = by_key[key]
            if (service_id, status, issued, wait, served_for) != (
                new_service,
                new_status,
                new_issued,
                new_wait,
                new_served,
            ):
                conflicts.append(key)
    if conflicts:
        raise KeyConflict(sorted(conflicts))


@transaction.atomic
def visit_events_ingest(*, mall: Mall, events: list[dict]) -> dict:
    """Store a batch of raw visit events; events whose key the mall already sent are
    skipped, so a replayed batch changes nothing. All events are checked first: one bad
    event rejects the batch. The mall's daily counts for the days touched are rebuilt."""
    clean = visit_events_check(mall, events)
    _key_conflicts_check(mall, clean)
    received = timezone.now()
    if connection.vendor == "postgresql":
        inserted = _events_insert_postgresql(mall, clean, received)
    else:
        inserted = _events_insert_portable(mall, clean, received)
        if inserted:
            event_counts_refresh(mall=mall, days={row[2] for row in clean})
    if inserted:
        summaries_refresh(days={row[2] for row in clean}, mall_ids=[mall.pk])
    return {"received": len(clean), "inserted": inserted, "duplicates": len(clean) - inserted}


# Spreadsheet uploads ------------------------------------------------------------------

UPLOAD_COLUMNS = [
    "mall",
    "date",
    "service",
    "agency",
    "issued",
    "served",
    "no_shows",
    "avg_wait_minutes",
    "avg_service_minutes",
    "served_within_standard",
]
MAX_UPLOAD_ROWS = 50_000


def spreadsheet_read(*, name: str, content: bytes) -> list[dict]:
    """CSV or XLSX → list of rows keyed by lower-case header. Raises IngestError."""
    lower = name.lower()
    if lower.endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise IngestError([RowError(0, "file", _("the CSV file is not UTF-8"))]) from None
        reader = csv.reader(io.StringIO(text))
        table = list(reader)
    elif lower.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - any unreadable workbook is the user's file
            raise IngestError([RowError(0, "file", _("the XLSX file cannot be read"))]) from None
        table = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    else:
        raise IngestError([RowError(0, "file", _("upload a .csv or .xlsx file"))])
    if not table:
        raise IngestError([RowError(0, "file", _("the file is empty"))])
    header = [str(cell or "").strip().lower() for cell in table[0]]
    missing = [c for c in ("mall", "date", "issued", "served", "no_shows") if c not in header]
    if missing:
        raise IngestError([RowError(1, c, _("column missing")) for c in missing])
    rows = [
        dict(zip(header, row, strict=False))
        for row in table[1:]
        if any(cell not in (None, "") for cell in row)
    ]
    if len(rows) > MAX_UPLOAD_ROWS:
        raise IngestError([RowError(0, "file", _("at most %(n)s rows") % {"n": MAX_UPLOAD_ROWS})])
    return rows


def upload_rows_check(*, user, rows: list[dict]) -> list[tuple[Mall, dict]]:
    """Check every row of an upload (row numbers as in the file: data starts on row 2)."""
    malls = {
        m.code: m
        for m in Mall.objects.filter(code__in={str(r.get("mall") or "").strip() for r in rows})
    }
    catalogues: dict[str, MallCatalogue] = {}
    errors: list[RowError] = []
    clean, seen = [], {}
    for number, raw in enumerate(rows, start=2):
        code = str(raw.get("mall") or "").strip()
        mall = malls.get(code)
        if mall is None:
            errors.append(RowError(number, "mall", _("unknown mall '%(code)s'") % {"code": code}))
            continue
        if code not in catalogues:
            if not can_edit_mall(user, mall):
                errors.append(
                    RowError(number, "mall", _("you may not report for %(code)s") % {"code": code})
                )
                continue
            catalogues[code] = MallCatalogue(mall)
        values = daily_count_check(raw, number, catalogues[code], errors)
        if values is None:
            continue
        key = (code, values["local_date"], values["subject_key"])
        if key in seen:
            errors.append(
                RowError(
                    number,
                    "date",
                    _("same mall, day and service as row %(row)s") % {"row": seen[key]},
                )
            )
            continue
        seen[key] = number
        clean.append((mall, values))
    if errors:
        raise IngestError(errors)
    return clean


def _json_row(raw: dict) -> dict:
    return {
        key: (value.isoformat() if isinstance(value, date) else value)
        for key, value in raw.items()
        if key in UPLOAD_COLUMNS
    }


@transaction.atomic
def count_upload_prepare(*, user, name: str, content: bytes) -> tuple[CountUpload, list]:
    """Parse and check a spreadsheet; keep it for confirmation. Raises IngestError."""
    rows = spreadsheet_read(name=name, content=content)
    upload_rows_check(user=user, rows=rows)
    upload = CountUpload.objects.create(
        uploaded_by=user, filename=name[:200], rows=[_json_row(r) for r in rows]
    )
    return upload, rows


@transaction.atomic
def count_upload_commit(*, upload: CountUpload, user) -> int:
    """Store every row of a checked upload, or none (rows are checked again)."""
    upload = CountUpload.objects.select_for_update().get(pk=upload.pk)
    if upload.uploaded_by_id != user.pk:
        raise PermissionDenied
    if upload.status != CountUpload.Status.PENDING:
        raise IngestError([RowError(0, "file", _("this upload was already stored"))])
    clean = upload_rows_check(user=user, rows=upload.rows)
    by_mall: dict[int, tuple[Mall, list]] = {}
    for mall, values in clean:
        by_mall.setdefault(mall.pk, (mall, []))[1].append(values)
    stored = sum(
        _counts_store(mall, values, CountSource.COUNTS) for mall, values in by_mall.values()
    )
    for mall, values in by_mall.values():
        summaries_refresh(days={row["local_date"] for row in values}, mall_ids=[mall.pk])
    upload.status = CountUpload.Status.COMMITTED
    upload.committed_at = timezone.now()
    upload.save(update_fields=["status", "committed_at"])
    audit_record(
        actor=user,
        action="count_upload_commit",
        target=upload,
        summary=f"{upload.filename}: {stored} rows for {len(by_mall)} malls",
    )
    return stored


# System tokens --------------------------------------------------------------------------


@transaction.atomic
def system_token_issue(*, mall: Mall, name: str, by) -> tuple[Device, str]:
    """A token for the mall's own queue system; only its hash is kept. Shown once."""
    token = Device.new_token()
    device = Device.objects.create(
        mall=mall,
        kind=DeviceKind.SYSTEM,
        name=name[:100],
        token_hash=hash_token(token),
        created_by=by,
    )
    audit_record(
        actor=by, action="system_token_issue", target=device, summary=f"{mall.code}: {name}"
    )
    return device, token


@transaction.atomic
def system_token_revoke(*, device: Device, by) -> Device:
    if device.revoked_at is None:
        device.revoked_at = timezone.now()
        device.save(update_fields=["revoked_at"])
        audit_record(actor=by, action="system_token_revoke", target=device, summary=str(device))
    return device


# Subscriptions ----------------------------------------------------------------------------


@transaction.atomic
def subscription_set(*, user, active: bool) -> ReportSubscription:
    subscription, created = ReportSubscription.objects.get_or_create(
        user=user, defaults={"is_active": active}
    )
    if not created and subscription.is_active != active:
        subscription.is_active = active
        if active:
            subscription.created_at = timezone.now()  # no catch-up for the weeks away
        subscription.save(update_fields=["is_active", "created_at"])
    return subscription

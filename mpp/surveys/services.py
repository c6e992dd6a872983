"""State changes for service quality: survey responses, old reports, complaints."""

import csv
import io
from datetime import date, datetime

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mpp.citizens.workdays import add_working_days
from mpp.core.audit import audit_record
from mpp.registry.models import Mall, Service
from mpp.visits.models import Ticket, TicketStatus

from .ikm import ELEMENTS, METHOD_2004, METHOD_2017, Period
from .models import (
    COMPLAINT_TRANSITIONS,
    ELEMENT_FIELDS,
    AgeBand,
    Complaint,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintEvent,
    ComplaintStatus,
    Education,
    LegacyReport,
    Occupation,
    Sex,
    SurveyChannel,
    SurveyResponse,
)

SURVEY_LINK_SALT = "mpp.surveys.ticket"


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# --- the signed link on a ticket -------------------------------------------------------


def survey_signature(ticket_uuid) -> str:
    """The signature that makes /quality/survey/<uuid>/?k=… unforgeable."""
    return signing.Signer(salt=SURVEY_LINK_SALT).signature(str(ticket_uuid))


def survey_path(ticket: Ticket) -> str:
    """The path printed as a QR code on the ticket and linked from its status page."""
    url = reverse("surveys:ticket_survey", kwargs={"uuid": ticket.uuid})
    return f"{url}?k={survey_signature(ticket.uuid)}"


def ticket_for_survey(*, uuid, signature: str) -> Ticket:
    """The ticket behind a survey link, or a ValidationError for a forged or unknown link."""
    expected = survey_signature(uuid)
    if not signature or not signing.constant_time_compare(expected, signature):
        raise ValidationError(_("This survey link is not valid."), code="forged_link")
    try:
        return Ticket.objects.select_related("mall", "service", "agency").get(uuid=uuid)
    except Ticket.DoesNotExist:
        raise ValidationError(_("This survey link is not valid."), code="forged_link") from None


# --- survey responses ----------------------------------------------------------------------


def scores_clean(scores: dict, *, method: str = METHOD_2017) -> dict[str, int]:
    """Every element present and an integer 1–4; errors name the element (u1…)."""
    errors, clean = {}, {}
    for number in range(1, ELEMENTS[method] + 1):
        name = f"u{number}"
        raw = scores.get(name, scores.get(name.upper()))
        if raw is None or str(raw).strip() == "":
            errors[name] = _("U%(n)s: missing answer.") % {"n": number}
            continue
        try:
            value = int(str(raw).strip())
        except ValueError:
            value = 0
        if not 1 <= value <= 4:
            errors[name] = _("U%(n)s: the answer must be 1, 2, 3 or 4 (got %(v)s).") % {
                "n": number,
                "v": raw,
            }
        clean[name] = value
    if errors:
        raise ValidationError(errors)
    return clean


PROFILE_CHOICES = {
    "age_band": AgeBand,
    "sex": Sex,
    "education": Education,
    "occupation": Occupation,
}


def _profile_clean(profile: dict) -> dict[str, str]:
    errors, clean = {}, {}
    for name, choices in PROFILE_CHOICES.items():
        value = (profile.get(name) or "").strip()
        if value and value not in choices.values:
            errors[name] = _("Unknown value %(v)s.") % {"v": value}
        clean[name] = value
    if errors:
        raise ValidationError(errors)
    return clean


def _survey_place(*, ticket, mall, service, device):
    """(mall, service, device) a questionnaire is recorded for: a ticket decides (it must
    have been served and not rated yet); else a kiosk device gives its mall."""
    if device is not None and ticket is None:
        if mall is not None and mall.pk != device.mall_id:
            raise ValidationError({"mall": _("This kiosk belongs to another mall.")})
        mall = device.mall
    if ticket is not None:
        if ticket.status != TicketStatus.FINISHED:
            raise ValidationError(
                _("This ticket has not been served yet: rate the service after it."),
                code="not_served",
            )
        mall, service = ticket.mall, ticket.service
        # On PostgreSQL the unique ticket key includes the day (responses are partitioned,
        # decision 0027): the ticket's row lock makes one rating per ticket exact.
        Ticket.objects.select_for_update().filter(pk=ticket.pk).values_list("pk").first()
        if SurveyResponse.objects.filter(ticket=ticket).exists():
            raise ValidationError(_("This ticket has already been rated. Thank you!"), code="dup")
    if mall is None or service is None:
        raise ValidationError({"service": _("Choose the service you used.")})
    if service.mall_id != mall.pk:
        raise ValidationError({"service": _("This service is not offered at this mall.")})
    if device is not None and device.mall_id != mall.pk:
        device = None  # a ticket of another mall rated on this kiosk: the ticket decides
    return mall, service, device


@transaction.atomic
def survey_submit(
    *,
    scores: dict,
    channel: str,
    ticket: Ticket | None = None,
    mall: Mall | None = None,
    service: Service | None = None,
    profile: dict | None = None,
    suggestion: str = "",
    by=None,
    device=None,
    collected_on: date | None = None,
    now: datetime | None = None,
) -> SurveyResponse:
    """Save one questionnaire. With a ticket, the ticket gives the mall and service, must
    have been served, and may be rated once. Without one (kiosk, paper) mall and service
    are required; from a kiosk device (`device`), the kiosk's mall is recorded. A paper
    form entered later carries the day it was filled in (`collected_on`, not in the
    future); other channels take today."""
    now = _now(now)
    clean = scores_clean(scores)
    profile = _profile_clean(profile or {})
    if channel not in SurveyChannel.values:
        raise ValidationError({"channel": _("Unknown channel.")})
    if collected_on is not None and channel != SurveyChannel.PAPER:
        raise ValidationError({"collected_on": _("Only paper forms carry their own date.")})
    mall, service, device = _survey_place(ticket=ticket, mall=mall, service=service, device=device)
    today = now.astimezone(mall.tz).date()
    if collected_on is not None and collected_on > today:
        raise ValidationError({"collected_on": _("The date cannot be in the future.")})
    response = SurveyResponse(
        mall=mall,
        agency_id=service.agency_id,
        service=service,
        ticket=ticket,
        channel=channel,
        local_date=collected_on or today,
        submitted_at=now,
        suggestion=(suggestion or "").strip()[:2000],
        device=device,
        entered_by=by if getattr(by, "is_authenticated", False) else None,
        **clean,
        **profile,
    )
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:  # a second tab submitted the same ticket at the same moment
        raise ValidationError(
            _("This ticket has already been rated. Thank you!"), code="dup"
        ) from None
    return response


# --- questionnaires from CSV (skm_index command, old reports) ------------------------------


MAX_ROW_ERRORS = 50


def _questionnaire_rows(header_names, records, method: str) -> list[list[int]]:
    """Validate (line number, {column: value}) records; every broken row is reported (up
    to MAX_ROW_ERRORS), naming its row and column, and nothing is returned then."""
    count = ELEMENTS[method]
    columns = [f"U{i}" for i in range(1, count + 1)]
    header = {str(name or "").strip().upper(): name for name in header_names or []}
    missing = [c for c in columns if c not in header]
    if missing:
        raise ValidationError(
            _("The file has no column %(cols)s (expected %(first)s..%(last)s).")
            % {"cols": ", ".join(missing), "first": columns[0], "last": columns[-1]}
        )
    rows, errors = [], []
    for line, record in records:
        values = {c: record.get(header[c]) for c in columns}
        if not any(str(v).strip() for v in record.values() if v is not None):
            continue  # blank line
        try:
            clean = scores_clean({c.lower(): v for c, v in values.items()}, method=method)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.append(
                    _("Row %(row)s, column %(col)s: %(error)s")
                    % {"row": line, "col": name.upper(), "error": messages[0].split(": ", 1)[-1]}
                )
            continue
        rows.append([clean[c.lower()] for c in columns])
    if errors:
        if len(errors) > MAX_ROW_ERRORS:
            more = len(errors) - MAX_ROW_ERRORS
            errors = errors[:MAX_ROW_ERRORS] + [_("… and %(n)s more errors.") % {"n": more}]
        raise ValidationError(errors)
    return rows


def questionnaires_read(text: str, *, method: str = METHOD_2017) -> list[list[int]]:
    """Rows of scores from a CSV with one questionnaire per row and columns U1..Un.
    All-or-nothing: any broken row raises, each error naming the row and the column."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    records = ((line, record) for line, record in enumerate(reader, start=2))
    return _questionnaire_rows(reader.fieldnames, records, method)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def questionnaires_from_file(
    *, name: str, content: bytes, method: str = METHOD_2017
) -> list[list[int]]:
    """Rows of scores from an uploaded CSV (UTF-8) or XLSX (first sheet, header on the
    first row). Same rules and errors as `questionnaires_read`."""
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a file that is not a workbook
            raise ValidationError(_("The file is not a readable XLSX workbook.")) from None
        sheet = workbook.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header = [_cell_text(v) for v in next(lines, ())]
        records = (
            (line, dict(zip(header, (_cell_text(v) for v in values), strict=False)))
            for line, values in enumerate(lines, start=2)
        )
        try:
            return _questionnaire_rows(header, records, method)
        finally:
            workbook.close()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            _("The file is not UTF-8 text: save it as CSV UTF-8 or XLSX.")
        ) from None
    return questionnaires_read(text, method=method)


@transaction.atomic
def legacy_report_save(
    *,
    mall: Mall,
    period: Period,
    respondents: int,
    element_sums: list[int],
    service: Service | None = None,
    by=None,
    source_name: str = "",
    reported_ikm=None,
) -> LegacyReport:
    """Store an old 2004-method report from its respondent count and sums per element.
    One report per mall, service and period: a second import of the same is refused."""
    if respondents <= 0:
        raise ValidationError(_("The file has no questionnaires."))
    if len(element_sums) != ELEMENTS[METHOD_2004]:
        raise ValidationError(_("An old report needs the sums of its 14 elements."))
    if service is not None and service.mall_id != mall.pk:
        raise ValidationError({"service": _("This service is not offered at this mall.")})
    if LegacyReport.objects.filter(
        mall=mall, service=service, period_start=period.start, period_end=period.end
    ).exists():
        raise ValidationError(
            {"period": _("An old report for %(period)s was already imported.") % {"period": period}}
        )
    report = LegacyReport.objects.create(
        mall=mall,
        service=service,
        period_label=str(period),
        period_start=period.start,
        period_end=period.end,
        respondents=respondents,
        element_sums=[int(v) for v in element_sums],
        reported_ikm=reported_ikm,
        source_name=source_name[:200],
        imported_by=by if getattr(by, "is_authenticated", False) else None,
    )
    audit_record(actor=by, action="legacy_skm_import", target=report, summary=str(report))
    return report


def legacy_report_import(
    *,
    mall: Mall,
    period: Period,
    csv_text: str,
    service: Service | None = None,
    by=None,
    source_name: str = "",
    reported_ikm=None,
) -> LegacyReport:
    """Store an old 2004-method report from its questionnaires (columns U1..U14)."""
    rows = questionnaires_read(csv_text, method=METHOD_2004)
    return legacy_report_save(
        mall=mall,
        period=period,
        respondents=len(rows),
        element_sums=[sum(r[i] for r in rows) for i in range(ELEMENTS[METHOD_2004])],
        service=service,
        by=by,
        source_name=source_name,
        reported_ikm=reported_ikm,
    )


# --- complaints ----------------------------------------------------------------------------


def answer_working_days() -> int:
    return settings.COMPLAINT_ANSWER_WORKING_DAYS


def _check_place(mall: Mall, agency, service) -> None:
    if service is not None and service.mall_id != mall.pk:
        raise ValidationError({"service": _("This service is not offered at this mall.")})
    if service is not None and agency is not None and service.agency_id != agency.pk:
        raise ValidationError({"agency": _("This service belongs to another agency.")})


def _complaint_check(*, category: str, channel: str, description: str) -> None:
    """Every problem of a new complaint at once, each named by its field."""
    errors = {}
    if category not in ComplaintCategory.values:
        errors["category"] = _("Choose a category.")
    if channel not in ComplaintChannel.values:
        errors["channel"] = _("Unknown channel.")
    if len((description or "").strip()) < 10:
        errors["description"] = _("Describe what happened (at least 10 characters).")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def complaint_file(
    *,
    mall: Mall,
    category: str,
    description: str,
    channel: str,
    agency=None,
    service: Service | None = None,
    contact_name: str = "",
    contact: str = "",
    lapor_number: str = "",
    by=None,
    device=None,
    now: datetime | None = None,
) -> Complaint:
    """Register a complaint and set its answer deadline in working days. From a kiosk
    device (`device`), the channel is the kiosk and the kiosk's mall is recorded."""
    now = _now(now)
    if device is not None:
        if device.mall_id != mall.pk:
            raise ValidationError({"mall": _("This kiosk belongs to another mall.")})
        channel = ComplaintChannel.KIOSK
    _complaint_check(category=category, channel=channel, description=description)
    _check_place(mall, agency, service)
    received_on = now.astimezone(mall.tz).date()
    complaint = Complaint.objects.create(
        mall=mall,
        agency=agency or (service.agency if service else None),
        service=service,
        category=category,
        channel=channel,
        description=description.strip(),
        contact_name=contact_name.strip(),
        contact=contact.strip(),
        lapor_number=lapor_number.strip(),
        received_at=now,
        received_on=received_on,
        due_on=add_working_days(received_on, answer_working_days(), mall=mall),
        device=device,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    ComplaintEvent.objects.create(
        complaint=complaint, at=now, to_status=ComplaintStatus.RECEIVED, is_public=True
    )
    audit_record(actor=by, action="complaint_file", target=complaint, summary=str(complaint))
    return complaint


def _complaint_move_check(*, current, target, message: str, is_public: bool) -> None:
    """The workflow's rules for one step: allowed transitions (COMPLAINT_TRANSITIONS), a
    reply when the status stays, a public answer when answering or rejecting."""
    if target != current and target not in COMPLAINT_TRANSITIONS[current]:
        raise ValidationError(
            {
                "status": _("A complaint that is %(from)s cannot become %(to)s.")
                % {"from": current.label, "to": target.label}
            }
        )
    if target == current and not message:
        raise ValidationError({"message": _("Write a reply or choose a new status.")})
    if target in (ComplaintStatus.ANSWERED, ComplaintStatus.REJECTED) and not (
        message and is_public
    ):
        raise ValidationError({"message": _("Write the answer the complainant will read.")})
    if current in (ComplaintStatus.CLOSED, ComplaintStatus.REJECTED):
        raise ValidationError({"status": _("This complaint is closed.")})


@transaction.atomic
def complaint_update(
    *,
    complaint: Complaint,
    by,
    status: str = "",
    message: str = "",
    is_public: bool = True,
    now: datetime | None = None,
) -> Complaint:
    """Move a complaint along its workflow and/or reply. Answering needs a message."""
    now = _now(now)
    complaint = Complaint.objects.select_for_update().select_related("mall").get(pk=complaint.pk)
    current = ComplaintStatus(complaint.status)
    target = ComplaintStatus(status) if status else current
    message = (message or "").strip()
    _complaint_move_check(current=current, target=target, message=message, is_public=is_public)
    complaint.status = target
    if target in (ComplaintStatus.ANSWERED, ComplaintStatus.REJECTED):
        complaint.first_answered_on = (
            complaint.first_answered_on or now.astimezone(complaint.mall.tz).date()
        )
    if target in (ComplaintStatus.CLOSED, ComplaintStatus.REJECTED):
        complaint.closed_at = now
    complaint.save()
    ComplaintEvent.objects.create(
        complaint=complaint,
        at=now,
        from_status=current,
        to_status=target,
        message=message,
        is_public=is_public,
        by=by if getattr(by, "is_authenticated", False) else None,
    )
    audit_record(
        actor=by,
        action="complaint_update",
        target=complaint,
        summary=f"{complaint.tracking_code}: {current} → {target}",
    )
    return complaint


__all__ = [
    "ELEMENT_FIELDS",
    "complaint_file",
    "complaint_update",
    "legacy_report_import",
    "questionnaires_read",
    "survey_path",
    "survey_submit",
    "ticket_for_survey",
]

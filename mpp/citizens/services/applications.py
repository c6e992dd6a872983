"""Applications: start (pre-filled), submit (deadline from the standard), move through the
state machine, with history and notifications."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mpp.accounts.models import Role
from mpp.core.audit import audit_record
from mpp.registry.models import OfficerPosting, Service

from .. import access, vault, workdays
from ..models import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Channel,
    Citizen,
    ConsentMethod,
    Delegation,
    Document,
    Purpose,
)
from ..validation import profile_values_clean
from ..vocabulary import Category, requirements_needs
from .accounts import citizen_notify, consent_grant

S = ApplicationStatus
CONSENT_DAYS_AFTER_SUBMISSION = 180


def _purpose_and_channel(citizen: Citizen, by) -> tuple[str, str]:
    """The citizen applies themself; an officer applies for them under a confirmed
    delegation (assisted lane) or with a pre-fill consent."""
    if access._is_owner(by, citizen):
        return Purpose.SELF, Channel.WEB
    active = Delegation.objects.filter(
        citizen=citizen, officer=by, confirmed_at__isnull=False, expires_at__gt=timezone.now()
    ).exists()
    if active:
        return Purpose.ASSISTED, Channel.ASSISTED
    return Purpose.PREFILL, Channel.COUNTER


def application_start(*, citizen: Citizen, service: Service, by) -> Application:
    """A draft application for `service`: what its requirements need, which of it the
    profile already has (pre-filled, in `application.prefill`) and what must be asked.
    Refuses a service whose standard lists no requirements."""
    standard = service.current_standard()
    if standard is None or not [r for r in standard.requirements if str(r).strip()]:
        raise ValidationError(
            {"service": [_("This service has no standard with a requirements list yet.")]}
        )
    needs = requirements_needs(standard.requirements)
    known = access.profile_known_fields(citizen=citizen)
    prefilled = [k for k in needs.fields if k in known]
    purpose, channel = _purpose_and_channel(citizen, by)
    reading = access.citizen_data_read(
        citizen=citizen, actor=by, purpose=purpose, fields=prefilled, channel=channel
    )  # refuses (logged) without consent or delegation, before anything is written
    held = set(Document.objects.filter(citizen=citizen).values_list("doc_type", flat=True))
    with transaction.atomic():
        application = Application.objects.create(
            citizen=citizen,
            service=service,
            standard=standard,
            mall=service.mall,
            agency=service.agency,
            fields_required=needs.fields,
            fields_prefilled=prefilled,
            fields_asked=[k for k in needs.fields if k not in known],
            documents_required=needs.documents,
            documents_missing=[d for d in needs.documents if d not in held],
            other_requirements=needs.other,
            started_by=by,
            delegation=_active_delegation(citizen, by) if channel == Channel.ASSISTED else None,
        )
        _event(application, "", S.DRAFT, by)
    application.prefill = reading.values
    return application


def _active_delegation(citizen, officer):
    return (
        Delegation.objects.filter(
            citizen=citizen,
            officer=officer,
            confirmed_at__isnull=False,
            expires_at__gt=timezone.now(),
        )
        .order_by("-expires_at")
        .first()
    )


def _event(application, from_status, to_status, by, note=""):
    label = by.get_username() if by is not None else "system"
    return ApplicationEvent.objects.create(
        application=application,
        from_status=from_status,
        to_status=to_status,
        by=by,
        by_label=label,
        note=note,
    )


def application_submit(
    *, application: Application, values: dict, by, save_to_profile: bool = True
) -> Application:
    """Submit with the values for the fields that were asked. New values go back to the
    profile when the citizen agrees (`save_to_profile`), so the next service asks nothing
    it already knows. Grants the agency a consent to process the application's data."""
    cleaned = _submitted_values_clean(application, values)
    citizen = application.citizen
    purpose, channel = _purpose_and_channel(citizen, by)
    reading = access.citizen_data_read(
        citizen=citizen,
        actor=by,
        purpose=purpose,
        fields=application.fields_prefilled,
        channel=channel,
    )
    now = timezone.now()
    with transaction.atomic():
        if save_to_profile and cleaned:
            access.profile_write(citizen=citizen, changes=cleaned)
            citizen.save()
        standard = application.standard
        application.sealed_data = vault.seal_json({**reading.values, **cleaned})
        application.status = S.SUBMITTED
        application.submitted_at = application.status_changed_at = now
        application.due_at = workdays.deadline(
            now,
            standard.completion_time_value,
            standard.completion_time_unit,
            application.mall.tz,
            mall=application.mall,
        )
        application.save()
        _service_consent_grant(application, by)
        _event(application, S.DRAFT, S.SUBMITTED, by, _("Submitted"))
        audit_record(
            actor=by,
            action="application_submit",
            target=application,
            summary=f"{application.reference} {application.service.slug}",
            details={"saved_to_profile": sorted(cleaned) if save_to_profile else []},
        )
        transaction.on_commit(lambda: _notify(application))
    return application


def _submitted_values_clean(application: Application, values: dict) -> dict:
    """The asked fields' values, cleaned as the profile cleans them; a ValidationError names
    each missing field (or the status, when already submitted)."""
    if application.status != S.DRAFT:
        raise ValidationError({"status": [_("This application was already submitted.")]})
    missing = [k for k in application.fields_asked if values.get(k) in (None, "")]
    if missing:
        raise ValidationError(dict.fromkeys(missing, [_("This field is required.")]))
    return profile_values_clean({k: values[k] for k in application.fields_asked})


def _service_consent_grant(application: Application, by) -> None:
    """Submitting consents to the agency processing what the application needs: its
    required fields' categories, and the documents when it asks for any."""
    categories = access.categories_for_fields(application.fields_required)
    if application.documents_required:
        categories.append(Category.DOCUMENTS)
    consent_grant(
        citizen=application.citizen,
        agency=application.agency,
        purpose=Purpose.SERVICE_DELIVERY,
        categories=categories,
        days=CONSENT_DAYS_AFTER_SUBMISSION,
        by=by,
        method=ConsentMethod.APPLICATION,
        application=application,
    )


def _may_process(officer, application: Application) -> bool:
    if officer is None or not officer.is_active or officer.role != Role.COUNTER_OFFICER:
        return False
    return OfficerPosting.objects.filter(
        officer=officer, agency_id=application.agency_id, mall_id=application.mall_id
    ).exists()


def application_transition(
    *, application: Application, to_status: str, by, note: str = ""
) -> Application:
    """Move an application along the state machine (an officer of its agency at its
    mall). Needing more data and rejection need a note; it is shown to the citizen."""
    if not _may_process(by, application):
        raise access.AccessRefused(
            _("Only an officer of this agency at this mall can process it."), code="not_allowed"
        )
    if not application.can_move_to(to_status):
        raise ValidationError(
            {
                "status": [
                    _("An application that is “%(from)s” cannot become “%(to)s”.")
                    % {"from": application.get_status_display(), "to": S(to_status).label}
                ]
            }
        )
    if to_status in (S.NEEDS_DATA, S.REJECTED) and not note.strip():
        raise ValidationError({"note": [_("Tell the citizen why.")]})
    now = timezone.now()
    with transaction.atomic():
        previous = application.status
        application.status = to_status
        application.status_changed_at = now
        if to_status == S.COMPLETED:
            application.completed_at = now
        if to_status in (S.HANDED_OVER, S.REJECTED):
            application.closed_at = now
        if to_status == S.REJECTED:
            application.rejection_reason = note.strip()
        application.save()
        _event(application, previous, to_status, by, note.strip())
        audit_record(
            actor=by,
            action="application_transition",
            target=application,
            summary=f"{application.reference} {previous}→{to_status}",
        )
        transaction.on_commit(lambda: _notify(application))
    return application


def _notify(application: Application) -> None:
    citizen_notify(
        citizen=application.citizen,
        body=_("Application %(ref)s (%(service)s): %(status)s.")
        % {
            "ref": application.reference,
            "service": application.service.name,
            "status": application.get_status_display(),
        },
    )

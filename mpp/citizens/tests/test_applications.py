"""Applications: pre-fill from the profile, zero repeated fields, deadlines, statuses."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from ..access import AccessRefused, application_data_read
from ..models import AccessRecord, Application, ApplicationStatus, Purpose
from ..services import (
    application_start,
    application_submit,
    application_transition,
    delegation_confirm,
    delegation_request,
)
from .helpers import SITI_ANSWERS

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def submit(application, by, **extra):
    values = {k: SITI_ANSWERS[k] for k in application.fields_asked} | extra
    return application_submit(application=application, values=values, by=by)


def test_an_application_is_prefilled_and_asks_only_what_is_missing(siti, bpjs_service):
    application = application_start(citizen=siti, service=bpjs_service, by=siti.user)
    assert application.status == S.DRAFT
    assert set(application.fields_prefilled) == {"nik", "full_name", "birth_date", "sex", "phone"}
    assert application.prefill["full_name"] == "Siti Nurhaliza"
    assert (
        "family_card_number" in application.fields_asked and "nik" not in application.fields_asked
    )
    assert application.documents_missing == ["ktp", "kk"]


def test_a_second_application_to_another_agency_asks_no_repeated_field(
    siti, bpjs_service, djp_service
):
    first = submit(application_start(citizen=siti, service=bpjs_service, by=siti.user), siti.user)
    second = application_start(citizen=siti, service=djp_service, by=siti.user)
    assert set(first.fields_asked) & set(second.fields_asked) == set()
    assert second.fields_asked == ["email"]  # the only thing the profile did not know yet
    second = submit(second, siti.user)
    third = application_start(citizen=siti, service=djp_service, by=siti.user)
    assert third.fields_asked == []


def test_answers_stay_out_of_the_profile_when_the_citizen_declines(siti, bpjs_service, djp_service):
    draft = application_start(citizen=siti, service=bpjs_service, by=siti.user)
    values = {k: SITI_ANSWERS[k] for k in draft.fields_asked}
    application_submit(application=draft, values=values, by=siti.user, save_to_profile=False)
    again = application_start(citizen=siti, service=bpjs_service, by=siti.user)
    assert again.fields_asked == draft.fields_asked


def test_missing_or_bad_answers_name_the_field_and_save_nothing(siti, bpjs_service):
    draft = application_start(citizen=siti, service=bpjs_service, by=siti.user)
    values = {k: SITI_ANSWERS[k] for k in draft.fields_asked}
    with pytest.raises(ValidationError) as error:
        application_submit(
            application=draft, values=values | {"rt": "", "email": "x"}, by=siti.user
        )
    assert "rt" in error.value.message_dict
    values["family_card_number"] = "12"
    with pytest.raises(ValidationError) as error:
        application_submit(application=draft, values=values, by=siti.user)
    assert set(error.value.message_dict) == {"family_card_number"}
    draft.refresh_from_db()
    assert draft.status == S.DRAFT and draft.sealed_data == ""


def test_a_service_without_requirements_cannot_be_applied_for(siti, bpjs_service):
    standard = bpjs_service.current_standard()
    type(standard).objects.filter(pk=standard.pk).update(requirements=[])
    with translation.override("en"), pytest.raises(ValidationError, match="requirements"):
        application_start(citizen=siti, service=bpjs_service, by=siti.user)
    assert not Application.objects.exists()


def test_the_deadline_skips_weekends_and_holidays(siti, make_service, time_machine):
    service = make_service("dukcapil", "kk", ["KK"], value=3, unit="working_days")
    time_machine.move_to(datetime(2025, 3, 27, 3, 0, tzinfo=UTC))  # Thu 10:00 WIB
    application = submit(application_start(citizen=siti, service=service, by=siti.user), siti.user)
    assert application.due_at.astimezone(application.mall.tz).date().isoformat() == "2025-04-10"


def test_an_officer_processes_an_application_and_overdue_ones_are_listed(
    siti,
    bpjs_service,
    officer_jakarta,
    officer_dukcapil_jakarta,
    time_machine,
    sms_outbox,
    django_capture_on_commit_callbacks,
):
    time_machine.move_to(datetime(2025, 7, 7, 2, 0, tzinfo=UTC))
    application = submit(
        application_start(citizen=siti, service=bpjs_service, by=siti.user), siti.user
    )
    with pytest.raises(AccessRefused):
        application_transition(
            application=application, to_status=S.IN_PROCESS, by=officer_dukcapil_jakarta
        )
    application_transition(application=application, to_status=S.IN_PROCESS, by=officer_jakarta)
    with pytest.raises(ValidationError):
        application_transition(application=application, to_status=S.REJECTED, by=officer_jakarta)
    with pytest.raises(ValidationError):
        application_transition(application=application, to_status=S.DRAFT, by=officer_jakarta)
    assert not Application.objects.overdue().exists()
    time_machine.move_to(datetime(2025, 7, 11, 2, 0, tzinfo=UTC))  # 3 working days have passed
    assert list(Application.objects.overdue().filter(mall=application.mall)) == [application]
    application_transition(application=application, to_status=S.COMPLETED, by=officer_jakarta)
    with django_capture_on_commit_callbacks(execute=True):
        application_transition(application=application, to_status=S.HANDED_OVER, by=officer_jakarta)
    application.refresh_from_db()
    assert application.is_breached() and not application.is_overdue()
    assert list(Application.objects.breached()) == [application]
    assert [e.to_status for e in application.events.all()] == [
        "draft",
        "submitted",
        "in_process",
        "completed",
        "handed_over",
    ]
    assert application.reference in sms_outbox[-1].body


def test_submitting_consents_the_agency_to_the_application_data(
    siti, bpjs_service, officer_jakarta, officer_dukcapil_jakarta
):
    application = submit(
        application_start(citizen=siti, service=bpjs_service, by=siti.user), siti.user
    )
    data = application_data_read(
        application=application, actor=officer_jakarta, purpose=Purpose.SERVICE_DELIVERY
    )
    assert data["family_card_number"] == SITI_ANSWERS["family_card_number"]
    with pytest.raises(AccessRefused):
        application_data_read(
            application=application,
            actor=officer_dukcapil_jakarta,
            purpose=Purpose.SERVICE_DELIVERY,
        )


def test_an_officer_applies_for_a_present_citizen_through_the_assisted_lane(
    siti, bpjs_service, officer_jakarta, sms_outbox
):
    with pytest.raises(AccessRefused):
        application_start(citizen=siti, service=bpjs_service, by=officer_jakarta)
    assert not Application.objects.exists()
    assert AccessRecord.objects.filter(outcome="refused").count() == 1
    delegation = delegation_request(citizen=siti, officer=officer_jakarta)
    delegation_confirm(delegation=delegation, code=sms_outbox[-1].body.split()[1])
    application = submit(
        application_start(citizen=siti, service=bpjs_service, by=officer_jakarta),
        officer_jakarta,
    )
    assert application.is_assisted and application.started_by == officer_jakarta
    assert AccessRecord.objects.filter(channel="assisted", outcome="granted").count() == 2

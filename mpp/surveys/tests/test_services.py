"""Saving questionnaires, the signed ticket link, CSV input and complaints."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from mpp.citizens.workdays import deadline
from mpp.registry.models import Closure
from mpp.surveys.ikm import Period
from mpp.surveys.models import ComplaintEvent, ComplaintStatus, SurveyResponse
from mpp.surveys.services import (
    complaint_file,
    complaint_update,
    legacy_report_import,
    questionnaires_read,
    survey_path,
    survey_signature,
    survey_submit,
    ticket_for_survey,
)
from mpp.visits import services as queue

from .conftest import GOOD, at, serve

MONDAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def english():
    """These tests match English messages; the pages' tests check the Indonesian ones."""
    with translation.override("en"):
        yield


def test_a_served_ticket_can_be_rated_once(quality):
    ticket = serve(quality)
    response = survey_submit(
        scores=GOOD, channel="ticket_link", ticket=ticket, profile={"age_band": "60_plus"}
    )
    assert (response.mall, response.service, response.agency) == (
        quality.mall,
        quality.ktp,
        quality.ktp.agency,
    )
    with pytest.raises(ValidationError, match="already been rated"):
        survey_submit(scores=GOOD, channel="ticket_link", ticket=ticket)
    assert SurveyResponse.objects.count() == 1


def test_a_ticket_still_waiting_cannot_be_rated(quality):
    ticket = queue.ticket_issue(mall=quality.mall, service=quality.ktp, now=at(MONDAY, 9))
    with pytest.raises(ValidationError, match="not been served"):
        survey_submit(scores=GOOD, channel="ticket_link", ticket=ticket)


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"u3": 5}, "u3", "U3: the answer must be 1, 2, 3 or 4"),
        ({"u7": 0}, "u7", "U7: the answer must be"),
        ({"u2": "x"}, "u2", "U2: the answer must be"),
        ({"u9": None}, "u9", "U9: missing answer"),
    ],
)
def test_bad_answers_name_the_element_and_save_nothing(quality, change, field, message):
    scores = {k: v for k, v in (GOOD | change).items() if v is not None}
    with pytest.raises(ValidationError) as error:
        survey_submit(scores=scores, channel="kiosk", mall=quality.mall, service=quality.ktp)
    with_en = error.value.message_dict[field][0]
    assert with_en.startswith(message.split(":")[0])
    assert not SurveyResponse.objects.exists()


def test_anonymous_kiosk_response_needs_a_service_of_that_mall(quality, mall_jakarta):
    with pytest.raises(ValidationError) as error:
        survey_submit(scores=GOOD, channel="kiosk", mall=mall_jakarta, service=quality.ktp)
    assert "service" in error.value.message_dict
    response = survey_submit(
        scores=GOOD, channel="kiosk", mall=quality.mall, service=quality.skck, now=at(MONDAY, 23)
    )
    assert response.ticket is None
    assert response.local_date == MONDAY  # 23:00 in Sampit's zone is still Monday there


def test_the_signed_link_opens_the_ticket_and_a_forged_one_does_not(quality):
    ticket = serve(quality)
    path = survey_path(ticket)
    assert path == f"/quality/survey/{ticket.uuid}/?k={survey_signature(ticket.uuid)}"
    assert ticket_for_survey(uuid=ticket.uuid, signature=survey_signature(ticket.uuid)) == ticket
    for forged in ["", "abc", survey_signature("00000000-0000-0000-0000-000000000000")]:
        with pytest.raises(ValidationError, match="not valid"):
            ticket_for_survey(uuid=ticket.uuid, signature=forged)


def test_csv_questionnaires_are_read_whole_or_refused_naming_row_and_column():
    rows = questionnaires_read(
        "U1,U2,U3,U4,U5,U6,U7,U8,U9\n4,4,4,4,4,4,4,4,4\n\n1,2,3,4,1,2,3,4,1\n"
    )
    assert rows == [[4] * 9, [1, 2, 3, 4, 1, 2, 3, 4, 1]]
    with pytest.raises(ValidationError, match="Row 3, column U4"):
        questionnaires_read("U1,U2,U3,U4,U5,U6,U7,U8,U9\n4,4,4,4,4,4,4,4,4\n4,4,4,7,4,4,4,4,4\n")
    with pytest.raises(ValidationError, match="Row 2, column U9"):
        questionnaires_read("U1,U2,U3,U4,U5,U6,U7,U8,U9\n4,4,4,4,4,4,4,4\n")
    with pytest.raises(ValidationError, match="no column U9"):
        questionnaires_read("U1,U2,U3,U4,U5,U6,U7,U8\n4,4,4,4,4,4,4,4\n")


def test_an_old_report_is_imported_with_the_2004_method(quality):
    header = ",".join(f"U{i}" for i in range(1, 15))
    text = f"{header}\n" + ",".join(["3"] * 14) + "\n" + ",".join(["4"] * 14) + "\n"
    report = legacy_report_import(mall=quality.mall, period=Period.parse("2016"), csv_text=text)
    assert report.respondents == 2
    assert str(report.result().ikm) == "87.50"
    assert report.result().grade.letter == "A"  # 2004 intervals: A from 81.26
    with pytest.raises(ValidationError, match="no column U3, U4"):
        legacy_report_import(
            mall=quality.mall, period=Period.parse("2016"), csv_text="U1,U2\n4,4\n"
        )


def test_a_complaint_deadline_moves_past_a_holiday(quality, settings):
    settings.COMPLAINT_ANSWER_WORKING_DAYS = 5
    # Filed Monday 21 Dec 2026; Christmas (Fri 25) and collective leave (Thu 24) closed.
    for day in (24, 25):
        Closure.objects.create(mall=quality.mall, date=date(2026, 12, day), reason="Natal")
    complaint = complaint_file(
        mall=quality.mall,
        category="time",
        description="Antrean sangat lama dan loket kosong.",
        channel="web",
        service=quality.ktp,
        now=at(date(2026, 12, 21), 10),
    )
    # Working days: Tue 22, Wed 23, Mon 28, Tue 29, Wed 30.
    assert complaint.due_on == date(2026, 12, 30)
    assert complaint.agency == quality.ktp.agency
    assert complaint.tracking_code.startswith("ADU-")


def test_complaints_and_applications_count_14_working_days_from_21_december_alike(
    mall_sampit, settings
):
    # Both once disagreed (2027-01-08 and 2027-01-14): one calendar now skips Christmas
    # leave, Christmas, New Year and the (provisional) Isra Mikraj of 5 January 2027.
    settings.COMPLAINT_ANSWER_WORKING_DAYS = 14
    filed = datetime(2026, 12, 21, 3, 0, tzinfo=UTC)
    complaint = complaint_file(
        mall=mall_sampit,
        category="time",
        description="Antrean sangat lama dan loket kosong.",
        channel="web",
        now=filed,
    )
    application_due = deadline(filed, 14, "working_days", mall_sampit.tz, mall=mall_sampit)
    assert complaint.due_on == application_due.astimezone(mall_sampit.tz).date()
    assert complaint.due_on == date(2027, 1, 14)


def test_complaint_workflow_follows_the_allowed_transitions(quality, mall_manager_sampit):
    complaint = complaint_file(
        mall=quality.mall,
        category="staff",
        description="Petugas tidak ramah kepada lansia.",
        channel="kiosk",
        now=at(MONDAY, 10),
    )
    with pytest.raises(ValidationError) as error:
        complaint_update(complaint=complaint, by=mall_manager_sampit, status="closed")
    assert "status" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        complaint_update(complaint=complaint, by=mall_manager_sampit, status="answered")
    assert "message" in error.value.message_dict
    complaint_update(
        complaint=complaint, by=mall_manager_sampit, status="in_progress", now=at(MONDAY, 11)
    )
    complaint = complaint_update(
        complaint=complaint,
        by=mall_manager_sampit,
        status="answered",
        message="Petugas sudah dibina; terima kasih atas laporannya.",
        now=at(date(2026, 11, 25), 9),
    )
    assert complaint.status == ComplaintStatus.ANSWERED
    assert complaint.first_answered_on == date(2026, 11, 25)
    assert not complaint.is_overdue(date(2027, 1, 1))
    complaint = complaint_update(complaint=complaint, by=mall_manager_sampit, status="closed")
    with pytest.raises(ValidationError):
        complaint_update(complaint=complaint, by=mall_manager_sampit, message="Tambahan")
    assert [e.to_status for e in ComplaintEvent.objects.filter(complaint=complaint)] == [
        "received",
        "in_progress",
        "answered",
        "closed",
    ]


def test_bad_complaints_name_the_field(quality):
    with pytest.raises(ValidationError) as error:
        complaint_file(mall=quality.mall, category="nope", description="short", channel="web")
    assert set(error.value.message_dict) == {"category", "description"}

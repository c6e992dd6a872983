from django.core.management import call_command

from mpp.surveys.demo import surveys_demo_generate
from mpp.surveys.models import Complaint, SurveyResponse


def test_demo_data_is_realistic_and_idempotent(db):
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = surveys_demo_generate(weeks=2, seed=1)
    assert first["responses"] > 50 and first["complaints"] > 0
    again = surveys_demo_generate(weeks=2, seed=1)
    assert again == {"responses": 0, "complaints": 0}
    assert SurveyResponse.objects.count() == first["responses"]
    assert Complaint.objects.count() == first["complaints"]
    grade = SurveyResponse.objects.ikm().grade
    assert grade.letter in {"A", "B", "C"}


def test_the_demo_history_gives_staffing_figures_that_are_neither_empty_nor_impossible(
    mall_sampit,
):
    from datetime import date, timedelta

    from mpp.visits.demo import demo_visits_generate
    from mpp.visits.staffing import staffing_by_mall

    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    today = date(2026, 11, 28)
    demo_visits_generate(today=today, weeks=2, mall_codes=["mpp-6202"])
    week = staffing_by_mall(malls=[mall_sampit], start=today - timedelta(days=7), end=today)
    assert 0 < week[mall_sampit.pk]["staffed"] <= week[mall_sampit.pk]["scheduled"]

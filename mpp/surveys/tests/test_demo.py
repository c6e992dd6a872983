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

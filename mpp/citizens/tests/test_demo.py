import pytest
from django.core.management import call_command

from ..demo import citizens_demo_generate
from ..models import Application, Citizen

pytestmark = pytest.mark.django_db


def test_the_demo_gives_warga_a_profile_and_applications_and_runs_twice(django_user_model):
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert citizens_demo_generate(seed=1) == 4
    warga = Citizen.objects.get(user__username="warga")
    assert Application.objects.filter(citizen=warga).count() == 2
    assert citizens_demo_generate(seed=1) == 0

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from ..models import Citizen, OneTimeCode
from ..services import citizen_create, citizen_register_confirm, citizen_register_start
from .conftest import NIK_BUDI, NIK_SITI

pytestmark = pytest.mark.django_db

FORM = {
    "nik": "3171 0112 0385 0002",
    "full_name": "Budi Santoso",
    "birth_date": date(1985, 3, 12),
    "phone": "0812-1111-2222",
    "username": "budi",
    "password": "kopi-tubruk-2025",
}


def test_registration_sends_a_code_and_the_code_creates_the_account(sms_outbox):
    challenge, info = citizen_register_start(**FORM)
    assert info.sex == "M" and not Citizen.objects.exists()
    assert NIK_BUDI not in challenge.sealed_payload
    code = sms_outbox[-1].body.split(":")[1].split()[0]
    citizen = citizen_register_confirm(challenge=challenge, code=code)
    assert citizen.user.username == "budi" and citizen.user.role == "citizen"
    assert citizen.user.check_password(FORM["password"])
    assert Citizen.objects.with_nik(NIK_BUDI).get() == citizen


def test_a_wrong_code_counts_and_five_wrong_codes_kill_it(sms_outbox):
    challenge, _info = citizen_register_start(**FORM)
    for _ in range(OneTimeCode.MAX_ATTEMPTS):
        with pytest.raises(ValidationError):
            citizen_register_confirm(challenge=challenge, code="000000x")
    challenge.refresh_from_db()
    code = sms_outbox[-1].body.split(":")[1].split()[0]
    with pytest.raises(ValidationError):
        citizen_register_confirm(challenge=challenge, code=code)
    assert not Citizen.objects.exists()


def test_registration_names_every_bad_field(siti):
    with pytest.raises(ValidationError) as error:
        citizen_register_start(**FORM | {"nik": "123", "phone": "12", "password": "123"})
    assert set(error.value.message_dict) == {"nik", "phone", "password"}
    with pytest.raises(ValidationError) as error:
        citizen_register_start(**FORM | {"nik": NIK_SITI})
    assert set(error.value.message_dict) == {"nik"}


def test_an_officer_registers_a_citizen_at_the_counter_with_a_corrected_birth_date(
    officer_jakarta, mall_jakarta
):
    citizen = citizen_create(
        nik=NIK_BUDI,
        full_name="Budi Santoso",
        birth_date=date(1985, 3, 13),
        phone="081211112222",
        by=officer_jakarta,
        mall=mall_jakarta,
    )
    assert citizen.user is None and citizen.registered_at_mall == mall_jakarta
    assert len(citizen.nik_warnings) == 1

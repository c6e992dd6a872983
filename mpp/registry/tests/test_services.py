from datetime import date

import pytest
from django.core.exceptions import ValidationError

from mpp.core.models import AuditEntry
from mpp.registry.models import Agency, Service, ServiceStandard, Tenancy
from mpp.registry.services import agencies_load, pledge_publish, standard_publish


@pytest.fixture
def ktp_service(mall_sampit):
    agency = Agency.objects.get(code="dukcapil")
    Tenancy.objects.create(mall=mall_sampit, agency=agency)
    return Service.objects.create(mall=mall_sampit, agency=agency, slug="ktp", name="KTP-el")


def test_a_standard_with_all_fourteen_components_is_published_as_version_one(
    ktp_service, standard_fields, mall_manager_sampit
):
    standard = standard_publish(service=ktp_service, by=mall_manager_sampit, **standard_fields)
    assert standard.version == 1
    assert ktp_service.current_standard() == standard
    assert AuditEntry.objects.filter(action="standard_publish", actor=mall_manager_sampit).exists()


def test_a_new_version_takes_effect_only_from_its_date(ktp_service, standard_fields):
    first = standard_publish(service=ktp_service, **standard_fields)
    second = standard_publish(
        service=ktp_service,
        **standard_fields | {"effective_from": date(2099, 1, 1), "completion_time_value": 30},
    )
    assert second.version == 2
    assert ktp_service.standard_on(date(2030, 1, 1)) == first
    assert ktp_service.standard_on(date(2099, 1, 2)) == second


@pytest.mark.parametrize("value", [-1, 0])
def test_a_negative_or_zero_completion_time_is_refused_by_name(ktp_service, standard_fields, value):
    with pytest.raises(ValidationError) as caught:
        standard_publish(service=ktp_service, **standard_fields | {"completion_time_value": value})
    assert "completion_time_value" in caught.value.message_dict
    assert not ServiceStandard.objects.exists()


def test_a_missing_completion_time_is_refused_by_name(ktp_service, standard_fields):
    with pytest.raises(ValidationError) as caught:
        standard_publish(service=ktp_service, **standard_fields | {"completion_time_value": None})
    assert "completion_time_value" in caught.value.message_dict
    assert not ServiceStandard.objects.exists()


def test_a_standard_without_requirements_is_refused(ktp_service, standard_fields):
    with pytest.raises(ValidationError) as caught:
        standard_publish(service=ktp_service, **standard_fields | {"requirements": []})
    assert "requirements" in caught.value.message_dict


def test_a_service_of_an_agency_that_is_not_a_tenant_is_refused(mall_sampit):
    service = Service(
        mall=mall_sampit, agency=Agency.objects.get(code="imigrasi"), slug="paspor", name="Paspor"
    )
    with pytest.raises(ValidationError) as caught:
        service.full_clean()
    assert "agency" in caught.value.message_dict


def test_each_pledge_is_a_new_version_and_the_newest_is_in_force(mall_sampit):
    for signer in ["Bupati A", "Bupati B"]:
        pledge_publish(
            mall=mall_sampit,
            text="Kami sanggup …",
            signer_name=signer,
            signer_title="Bupati",
            signed_on=date(2025, 1, 2),
        )
    assert mall_sampit.current_pledge().version == 2
    assert mall_sampit.current_pledge().signer_name == "Bupati B"


def test_the_agency_catalogue_loads_twice_without_duplicates(db):
    assert agencies_load() == (0, Agency.objects.count())
    assert Agency.objects.filter(code="bpjs-kesehatan", level="soe").exists()


def test_an_agency_catalogue_with_an_unknown_level_names_the_row(db, tmp_path):
    bad = tmp_path / "agencies.csv"
    bad.write_text("code,short_name,name,level,website\nx,X,Xx,central,\ny,Y,Yy,galactic,\n")
    with pytest.raises(ValidationError) as caught:
        agencies_load(path=bad)
    assert "row 3, column 'level'" in caught.value.messages[0]
    assert not Agency.objects.filter(code="x").exists()

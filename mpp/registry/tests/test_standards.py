"""The standard in force on a day: one rule, its SQL and in-memory forms agreeing."""

from datetime import date, timedelta

import pytest

from mpp.registry.models import Agency, Service, ServiceStandard, Tenancy, standard_in_force

pytestmark = pytest.mark.django_db


@pytest.fixture
def versions(mall_sampit, standard_fields):
    agency = Agency.objects.get(code="dukcapil")
    Tenancy.objects.create(mall=mall_sampit, agency=agency, booth="B-01")
    service = Service.objects.create(mall=mall_sampit, agency=agency, slug="kk", name="KK")
    fields = standard_fields | {"effective_from": None}
    # v1 from 1 Jan; v2 and v3 both from 1 Mar (v3, published later, wins); v4 from 1 Jun
    # was published before v3 but takes effect later.
    for version, start in [
        (1, "2026-01-01"),
        (2, "2026-03-01"),
        (4, "2026-06-01"),
        (3, "2026-03-01"),
    ]:
        ServiceStandard.objects.create(
            service=service,
            version=version,
            **fields | {"effective_from": date.fromisoformat(start)},
        )
    return service


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2025-12-31", None),
        ("2026-01-01", 1),
        ("2026-02-28", 1),
        ("2026-03-01", 3),
        ("2026-06-01", 4),
    ],
)
def test_the_standard_in_force_is_the_latest_effective_and_the_newest_of_one_day(
    versions, day, expected
):
    day = date.fromisoformat(day)
    found = versions.standard_on(day)
    assert (found.version if found else None) == expected


def test_the_sql_and_in_memory_forms_of_the_rule_agree_on_every_day(versions):
    standards = list(versions.standards.all())
    day = date(2025, 12, 25)
    while day < date(2026, 7, 1):
        in_sql = list(ServiceStandard.objects.in_force_on(day).values_list("version", flat=True))
        in_memory = standard_in_force(standards, day)
        assert in_sql == ([in_memory.version] if in_memory else []), day
        day += timedelta(days=1)

import pytest
from django.urls import reverse

from mpp.accounts.models import User

MODELS = [
    "province",
    "regency",
    "district",
    "village",
    "historicalregion",
    "mall",
    "agency",
    "service",
    "pledge",
    "counter",
    "officerposting",
]


@pytest.fixture
def national_staff(db):
    return User.objects.create_superuser("staff", "staff@example.org", "s3cret-pass-123")


@pytest.mark.parametrize("model", MODELS)
def test_national_staff_open_every_registry_list_in_the_admin(client, national_staff, model):
    client.force_login(national_staff)
    response = client.get(reverse(f"admin:registry_{model}_changelist"))
    assert response.status_code == 200


def test_the_admin_refuses_a_closure_before_the_inauguration(client, national_staff, mall_sampit):
    client.force_login(national_staff)
    url = reverse("admin:registry_mall_change", args=[mall_sampit.pk])
    data = {
        "code": mall_sampit.code,
        "name": mall_sampit.name,
        "province": "62",
        "regency": "62.02",
        "status": "closed",
        "inaugurated_on": "2023-09-26",
        "closed_on": "2020-01-01",
    }
    for prefix in ["opening_hours", "closures", "tenancies"]:
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "inaugurated_on" in response.context["adminform"].form.errors
    mall_sampit.refresh_from_db()
    assert mall_sampit.closed_on is None


def test_a_manager_cannot_open_the_admin(client, mall_manager_sampit):
    client.force_login(mall_manager_sampit)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302

"""The permission matrix of the roles, through the pages a person would open."""

import pytest
from django.urls import reverse

from mpp.registry.access import can_edit_mall, malls_visible_to
from mpp.registry.models import Mall


def console(mall):
    return reverse("registry:manage_mall", args=[mall.code])


def pledge_form(mall):
    return reverse("registry:pledge_new", args=[mall.code])


PLEDGE = {
    "text": "Kami sanggup menyelenggarakan pelayanan sesuai standar.",
    "signer_name": "Bupati",
    "signer_title": "Bupati",
    "signed_on": "2025-02-01",
}


def test_a_ministry_analyst_reads_every_mall_but_edits_none(client, ministry_analyst, mall_sampit):
    client.force_login(ministry_analyst)
    assert malls_visible_to(ministry_analyst).count() == Mall.objects.count()
    assert client.get(console(mall_sampit)).status_code == 200
    assert client.get(pledge_form(mall_sampit)).status_code == 403
    assert client.post(pledge_form(mall_sampit), PLEDGE).status_code == 403
    assert not mall_sampit.pledges.exists()


def test_a_manager_edits_their_own_mall(client, mall_manager_sampit, mall_sampit):
    client.force_login(mall_manager_sampit)
    response = client.post(pledge_form(mall_sampit), PLEDGE)
    assert response.status_code == 302
    assert mall_sampit.current_pledge().text == PLEDGE["text"]


def test_a_manager_can_neither_see_nor_edit_another_mall(client, mall_manager_sampit, mall_jakarta):
    client.force_login(mall_manager_sampit)
    assert client.get(console(mall_jakarta)).status_code == 403
    assert client.post(pledge_form(mall_jakarta), PLEDGE).status_code == 403
    edit = reverse("registry:mall_edit", args=[mall_jakarta.code])
    assert client.post(edit, {"name": "Hijacked", "status": "open"}).status_code == 403
    mall_jakarta.refresh_from_db()
    assert mall_jakarta.name != "Hijacked"
    assert list(malls_visible_to(mall_manager_sampit)) == [Mall.objects.get(code="mpp-6202")]


def test_an_officer_sees_only_their_mall_and_edits_nothing(
    client, officer_jakarta, mall_jakarta, mall_sampit
):
    client.force_login(officer_jakarta)
    assert client.get(console(mall_jakarta)).status_code == 200
    assert client.get(console(mall_sampit)).status_code == 403
    assert client.get(pledge_form(mall_jakarta)).status_code == 403
    assert not can_edit_mall(officer_jakarta, mall_jakarta)


def test_a_citizen_has_no_console(client, citizen, mall_sampit):
    client.force_login(citizen)
    assert client.get(console(mall_sampit)).status_code == 403
    page = client.get(reverse("registry:manage_home"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert malls_visible_to(citizen).count() == 0


def test_an_anonymous_visitor_is_sent_to_log_in(client, mall_sampit):
    response = client.get(console(mall_sampit))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    "name",
    [
        "mall_edit",
        "hours_edit",
        "closure_add",
        "pledge_new",
        "tenancy_add",
        "service_add",
        "counter_add",
    ],
)
def test_every_edit_page_refuses_a_manager_of_another_mall(
    client, mall_manager_jakarta, mall_sampit, name
):
    client.force_login(mall_manager_jakarta)
    assert client.get(reverse(f"registry:{name}", args=[mall_sampit.code])).status_code == 403
    assert client.post(reverse(f"registry:{name}", args=[mall_sampit.code]), {}).status_code == 403


def test_a_manager_of_one_mall_lands_on_its_console(client, mall_manager_sampit, mall_sampit):
    client.force_login(mall_manager_sampit)
    response = client.get(reverse("registry:manage_home"))
    assert response.status_code == 302 and response.url == console(mall_sampit)


def test_an_analysts_mall_list_filters_and_exports_csv(client, ministry_analyst, mall_sampit):
    client.force_login(ministry_analyst)
    url = reverse("registry:manage_home")
    html = client.get(url, {"q": "kotawaringin"}).content.decode()
    assert mall_sampit.name in html and "DKI Jakarta" not in html
    response = client.get(url, {"province": mall_sampit.province_id, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = response.content.decode().splitlines()
    assert rows[0].startswith("code,name")
    codes = [r.split(",")[0] for r in rows[1:]]
    assert "mpp-6202" in codes and "mpp-31" not in codes
    assert all(code.startswith("mpp-62") for code in codes)  # Kalimantan Tengah only
    html = client.get(url, {"q": "no such mall"}).content.decode()
    assert "Tidak ada MPP yang sesuai dengan filter ini." in html

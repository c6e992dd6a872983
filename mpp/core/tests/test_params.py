"""A NUL character in a query string is refused before a view reads it (PostgreSQL cannot
compare text holding one: a 500 the fuzzer found on PostgreSQL only)."""

from django.urls import reverse


def test_a_nul_in_an_api_query_is_a_400_in_indonesian(client, ministry_analyst):
    client.force_login(ministry_analyst)
    response = client.get("/api/v1/applications/overdue/", {"mall": "mpp-\x00"})
    assert response.status_code == 400
    assert "karakter nol" in response.json()["detail"]


def test_a_nul_in_a_page_query_is_a_400(client):
    response = client.get(reverse("monitoring:home"), {"week": "\x00"})
    assert response.status_code == 400
    assert "karakter nol" in response.content.decode()


def test_an_encoded_percent_sign_is_not_mistaken_for_a_nul(client, ministry_analyst):
    client.force_login(ministry_analyst)
    response = client.get("/api/v1/quality/responses/list/", {"period": "%00"})
    assert response.status_code == 400  # the period is unknown, not the address refused
    assert "period" in response.json()

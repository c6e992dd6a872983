from django.urls import reverse


def test_each_role_lands_on_its_start_page(client, citizen, ministry_analyst, officer_jakarta):
    for user, expected in [
        (citizen, "/citizen/"),
        (ministry_analyst, "/monitoring/"),
        (officer_jakarta, "/queue/console/"),
    ]:
        client.force_login(user)
        assert client.get(reverse("accounts:start")).url.startswith(expected)

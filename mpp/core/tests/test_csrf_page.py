"""A form with a tampered or missing CSRF token gets a translated page, not Django's English 403."""

import pytest
from django.test import Client
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "text"),
    [("id", "Formulir sudah kedaluwarsa"), ("en", "The form has expired")],
)
def test_a_tampered_csrf_token_gets_a_translated_page(language, text):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE=language)
    client.get(reverse("accounts:login"))
    answer = client.post(
        reverse("accounts:login"),
        {"username": "x", "password": "y", "csrfmiddlewaretoken": "tampered"},
    )
    assert answer.status_code == 403
    page = answer.content.decode()
    assert text in page and "CSRF verification failed" not in page

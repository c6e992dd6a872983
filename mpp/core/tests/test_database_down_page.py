"""The 503 page shown while the database is unreachable retries where it makes sense."""

from django.db import OperationalError
from django.test import RequestFactory

from mpp.core.views import server_error


def _failed(request):
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        return server_error(request)


def test_a_page_view_is_simply_reloaded():
    response = _failed(RequestFactory().get("/queue/mpp-6202/kiosk/"))
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert 'content="5"' in response.content.decode()


def test_after_a_kiosk_tap_the_page_goes_back_to_the_kiosk_not_the_post_address():
    request = RequestFactory().post(
        "/queue/mpp-6202/kiosk/issue/", HTTP_REFERER="http://testserver/queue/mpp-6202/kiosk/?s=1"
    )
    html = _failed(request).content.decode()
    assert 'content="5; url=/queue/mpp-6202/kiosk/?s=1"' in html


def test_a_foreign_referer_is_never_followed():
    request = RequestFactory().post(
        "/queue/mpp-6202/kiosk/issue/", HTTP_REFERER="https://evil.example/x"
    )
    html = _failed(request).content.decode()
    assert 'content="5; url=/"' in html and "evil" not in html

from django.urls import reverse

from mpp.registry.models import Mall
from mpp.visits import services as q
from mpp.visits.devices import device_issue, device_revoke
from mpp.visits.models import DeviceKind, Ticket, TicketStatus


def kiosk_client(client, queue, manager):
    device, token = device_issue(mall=queue.mall, kind=DeviceKind.KIOSK, name="Pintu", by=manager)
    response = client.post(reverse("visits:device_activate"), {"token": token})
    assert response.status_code == 302
    return device, token


def test_the_kiosk_walks_agency_service_lane_and_prints_a_ticket(
    client, queue, mall_manager_sampit
):
    kiosk_client(client, queue, mall_manager_sampit)
    home = client.get(reverse("visits:kiosk", args=[queue.mall.code]))
    assert "Dukcapil" in home.content.decode()
    lane = client.get(reverse("visits:kiosk", args=[queue.mall.code]), {"service": queue.ktp.pk})
    assert lane.status_code == 200
    issued = client.post(
        reverse("visits:kiosk_issue", args=[queue.mall.code]),
        {"service": queue.ktp.pk, "priority": "elderly"},
    )
    ticket = Ticket.objects.get()
    assert issued.url == reverse("visits:ticket_print", args=[ticket.uuid])
    receipt = client.get(issued.url).content.decode()
    assert "A-001" in receipt and "<svg" in receipt and str(ticket.uuid) in receipt
    assert ticket.priority_reason == "elderly"


def test_a_kiosk_of_another_mall_or_a_revoked_one_cannot_issue(
    client, queue, mall_manager_sampit, mall_jakarta
):
    device, token = kiosk_client(client, queue, mall_manager_sampit)
    url = reverse("visits:kiosk_issue", args=[mall_jakarta.code])
    assert client.post(url, {"service": queue.ktp.pk}).status_code == 403
    device_revoke(device=device, by=mall_manager_sampit)
    api = client.post(
        reverse("api-queue-issue"), {"service": queue.ktp.pk}, HTTP_AUTHORIZATION=f"Device {token}"
    )
    assert api.status_code in (401, 403)
    assert not Ticket.objects.exists()


def test_the_api_issues_tickets_and_reports_their_status(client, queue, mall_manager_sampit):
    _, token = device_issue(
        mall=queue.mall, kind=DeviceKind.KIOSK, name="API", by=mall_manager_sampit
    )
    auth = {"HTTP_AUTHORIZATION": f"Device {token}"}
    response = client.post(reverse("api-queue-issue"), {"service": queue.ktp.pk}, **auth)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == "A-001" and body["status"] == "waiting"
    refused = client.post(reverse("api-queue-issue"), {"service": 999999}, **auth)
    assert refused.status_code == 400 and refused.json()["field"] == "service"
    english = client.post(
        reverse("api-queue-issue"), {"service": 999999}, HTTP_ACCEPT_LANGUAGE="en", **auth
    )
    assert english.json()["field"] == "service"
    assert english.json()["detail"] != refused.json()["detail"]  # same error, other language
    status = client.get(reverse("api-queue-ticket", args=[body["uuid"]])).json()
    assert status["people_ahead"] == 0 and status["wait_minutes_high"] is not None


def test_officer_api_actions_and_refusals(client, queue):
    client.force_login(queue.ani)
    open_url = reverse("api-queue-counter-action", args=[queue.counter1.pk, "open"])
    assert client.post(open_url).status_code == 200
    ticket = q.ticket_issue(mall=queue.mall, service=queue.ktp)
    called = client.post(reverse("api-queue-counter-action", args=[queue.counter1.pk, "call-next"]))
    assert called.json()["ticket"]["number"] == ticket.display_number
    start = client.post(reverse("api-queue-ticket-action", args=[ticket.uuid, "start"]))
    assert start.json()["status"] == "serving"
    bad = client.post(
        reverse("api-queue-ticket-action", args=[ticket.uuid, "finish"]), {"outcome": "nope"}
    )
    assert bad.status_code == 400 and bad.json()["field"] == "outcome"
    done = client.post(
        reverse("api-queue-ticket-action", args=[ticket.uuid, "finish"]), {"outcome": "completed"}
    )
    assert done.json()["status"] == "finished"
    again = client.post(reverse("api-queue-ticket-action", args=[ticket.uuid, "recall"]))
    assert again.status_code == 409 and again.json()["code"] == "bad_transition"
    # Another mall's officer cannot open this counter.
    client.force_login(queue.citra)
    other = client.post(reverse("api-queue-counter-action", args=[queue.counter1.pk, "open"]))
    assert other.status_code == 400 and other.json()["code"] == "not_your_agency"


def test_the_console_serves_via_htmx(client, queue):
    client.force_login(queue.ani)
    client.post(reverse("visits:console_action", args=[queue.counter1.pk, "open"]))
    ticket = q.ticket_issue(mall=queue.mall, service=queue.ktp)
    panel = client.post(
        reverse("visits:console_action", args=[queue.counter1.pk, "call_next"]),
        HTTP_HX_REQUEST="true",
    )
    assert ticket.display_number in panel.content.decode()
    assert "<html" not in panel.content.decode()  # a fragment for htmx
    client.post(
        reverse("visits:console_action", args=[queue.counter1.pk, "start"]), {"ticket": ticket.uuid}
    )
    client.post(
        reverse("visits:console_action", args=[queue.counter1.pk, "finish"]),
        {"ticket": ticket.uuid, "outcome": "referred"},
    )
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.FINISHED and ticket.outcome == "referred"


def test_the_board_shows_calls_from_the_cache(client, queue, mall_manager_sampit):
    _, token = device_issue(
        mall=queue.mall, kind=DeviceKind.BOARD, name="Papan", by=mall_manager_sampit
    )
    q.counter_open(counter=queue.counter1, officer=queue.ani)
    ticket = q.ticket_issue(mall=queue.mall, service=queue.ktp)
    q.ticket_issue(mall=queue.mall, service=queue.kk)
    q.call_next(counter=queue.counter1, officer=queue.ani)
    url = reverse("api-queue-board", args=[queue.mall.code])
    state = client.get(url, HTTP_AUTHORIZATION=f"Device {token}").json()
    assert state["current"][0] == state["last_calls"][0]
    assert (state["current"][0]["ticket"], state["current"][0]["counter"]) == (
        ticket.display_number,
        "1",
    )
    assert state["waiting"] == [{"service": "Kartu Keluarga", "prefix": "K", "waiting": 1}]
    assert client.get(url).status_code in (401, 403)  # not a device, not staff


def test_public_booking_page_errors_name_the_field(client, queue):
    url = reverse("visits:booking_new", args=[queue.mall.code])
    form = {
        "service": queue.ktp.pk,
        "date": "2099-01-01",
        "slot": "09:00",
        "nik": "1",
        "phone": "08123456789",
    }
    response = client.post(url, form)
    assert response.status_code == 400
    # Bahasa Indonesia by default, English when the browser asks for it.
    assert "NIK terdiri atas tepat 16 digit." in response.content.decode()
    response = client.post(url, form, HTTP_ACCEPT_LANGUAGE="en")
    assert "A NIK has exactly 16 digits." in response.content.decode()


def test_the_managers_day_list_exports_csv(client, queue, mall_manager_sampit):
    q.ticket_issue(mall=queue.mall, service=queue.ktp)
    client.force_login(mall_manager_sampit)
    url = reverse("visits:queue_today", args=[queue.mall.code])
    assert "A-001" in client.get(url).content.decode()
    csv_text = client.get(url, {"format": "csv"}).content.decode()
    assert csv_text.splitlines()[1].startswith("A-001,KTP-el,Dukcapil,walk_in")


def test_a_finished_tickets_page_offers_the_signed_survey(client, queue):
    q.counter_open(counter=queue.counter1, officer=queue.ani)
    ticket = q.ticket_issue(mall=queue.mall, service=queue.ktp)
    page = client.get(reverse("visits:ticket_status", args=[ticket.uuid])).content.decode()
    assert "/quality/survey/" not in page  # not before the visit is over
    q.call_next(counter=queue.counter1, officer=queue.ani)
    q.ticket_start(ticket=ticket, officer=queue.ani)
    q.ticket_finish(ticket=ticket, officer=queue.ani, outcome="completed")
    page = client.get(reverse("visits:ticket_status", args=[ticket.uuid])).content.decode()
    assert f"/quality/survey/{ticket.uuid}/?k=" in page


def test_a_second_service_at_the_kiosk_joins_the_same_trip(client, queue, mall_manager_sampit):
    kiosk_client(client, queue, mall_manager_sampit)
    issue = reverse("visits:kiosk_issue", args=[queue.mall.code])
    client.post(issue, {"service": queue.ktp.pk})
    first = Ticket.objects.get()
    client.get(reverse("visits:kiosk", args=[queue.mall.code]), {"after": first.uuid})
    client.post(issue, {"service": queue.skck.pk})
    client.post(issue, {"service": queue.kk.pk})  # a new visitor: the trip was used once
    second, third = Ticket.objects.exclude(pk=first.pk).order_by("id")
    assert second.trip == first.trip and third.trip != first.trip
    page = client.get(reverse("visits:ticket_status", args=[second.uuid])).content.decode()
    assert first.display_number in page


def test_the_device_list_filters_and_exports_csv_without_tokens(client, queue, mall_manager_sampit):
    kiosk, kiosk_token = device_issue(
        mall=queue.mall, kind=DeviceKind.KIOSK, name="Kiosk pintu", by=mall_manager_sampit
    )
    board, _ = device_issue(
        mall=queue.mall, kind=DeviceKind.BOARD, name="Layar lobi", by=mall_manager_sampit
    )
    device_revoke(device=board, by=mall_manager_sampit)
    client.force_login(mall_manager_sampit)
    url = reverse("visits:device_list", args=[queue.mall.code])
    html = client.get(url, {"state": "active"}).content.decode()
    assert "Kiosk pintu" in html and "Layar lobi" not in html
    response = client.get(url, {"kind": DeviceKind.BOARD, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "name,kind,issued_at,last_seen_at,revoked_at"
    assert len(lines) == 2 and lines[1].startswith("Layar lobi,board,")
    assert kiosk_token not in response.content.decode()


def test_the_day_list_its_csv_and_its_api_answer_the_same_tickets(
    client, queue, mall_manager_sampit, django_assert_max_num_queries
):
    import csv
    import io

    q.counter_open(counter=queue.counter1, officer=queue.ani)
    for service in (queue.ktp, queue.ktp, queue.kk, queue.skck):
        q.ticket_issue(mall=queue.mall, service=service)
    q.call_next(counter=queue.counter1, officer=queue.ani)
    client.force_login(mall_manager_sampit)
    page_url = reverse("visits:queue_today", args=[queue.mall.code])
    api_url = f"/api/v1/queue/malls/{queue.mall.code}/tickets/"
    today = queue.mall.local_now().date().isoformat()
    for params, expected in [
        ({}, 4),
        ({"date": today}, 4),
        ({"status": "waiting"}, 3),
        ({"service": str(queue.ktp.pk)}, 2),
        ({"date": "2020-01-01"}, 0),
    ]:
        page = client.get(page_url, params)
        export = client.get(page_url, params | {"format": "csv"}).content.decode()
        in_csv = [row["ticket"] for row in csv.DictReader(io.StringIO(export))]
        with django_assert_max_num_queries(8):
            api = client.get(api_url, params).json()
        assert page.context["total"] == len(in_csv) == api["count"] == expected, params
        assert in_csv == [row["number"] for row in api["results"]]
    assert client.get(api_url, {"service": "abc"}).status_code == 400
    assert client.get(api_url, {"date": "2026-13-45"}).status_code == 400
    assert 'role="alert"' in client.get(page_url, {"status": "nope"}).content.decode()
    client.force_login(queue.ani)  # an officer of the mall may read it too; another mall's not
    assert client.get(api_url).status_code == 200
    other = Mall.objects.exclude(pk=queue.mall.pk).first()
    assert client.get(f"/api/v1/queue/malls/{other.code}/tickets/").status_code == 403


def test_malformed_kiosk_input_is_a_400_with_the_reason_not_a_500(
    client, queue, mall_manager_sampit
):
    kiosk_client(client, queue, mall_manager_sampit)
    issue = reverse("visits:kiosk_issue", args=[queue.mall.code])
    refused = client.post(issue, {"service": "abc"})
    assert refused.status_code == 400
    assert "Pilih layanan" in refused.content.decode()  # "Choose a service."
    kiosk = reverse("visits:kiosk", args=[queue.mall.code])
    assert client.get(kiosk, {"service": "abc"}).status_code == 404
    assert client.get(kiosk, {"agency": "x"}).status_code == 404
    assert client.get(kiosk, {"after": "not-a-uuid"}).status_code == 200
    check_in = reverse("visits:kiosk_check_in", args=[queue.mall.code])
    unknown = client.post(check_in, {"code": "ZZZZZZ"})
    assert unknown.status_code == 400 and "ZZZZZZ" in unknown.content.decode()
    assert not Ticket.objects.exists()


def test_a_console_action_on_a_malformed_ticket_or_service_is_a_400(client, queue):
    client.force_login(queue.ani)
    act = lambda action, data: client.post(  # noqa: E731
        reverse("visits:console_action", args=[queue.counter1.pk, action]),
        data,
        HTTP_HX_REQUEST="true",
    )
    act("open", {})
    q.ticket_issue(mall=queue.mall, service=queue.ktp)
    act("call_next", {})
    called = Ticket.objects.get()
    assert act("transfer", {"ticket": "not-a-uuid", "to_service": queue.kk.pk}).status_code == 400
    bad_service = act("transfer", {"ticket": str(called.uuid), "to_service": "abc"})
    assert bad_service.status_code == 400
    called.refresh_from_db()
    assert called.status == TicketStatus.CALLED  # nothing changed
    moved = act("transfer", {"ticket": str(called.uuid), "to_service": queue.kk.pk})
    assert moved.status_code == 200 and Ticket.objects.count() == 2


def test_a_double_tap_or_a_replayed_form_gives_one_ticket(client, queue, mall_manager_sampit):
    import re

    kiosk_client(client, queue, mall_manager_sampit)
    lane = client.get(reverse("visits:kiosk", args=[queue.mall.code]), {"service": queue.ktp.pk})
    token = re.search(r'name="issue_token" value="([0-9a-f]{32})"', lane.content.decode())[1]
    issue = reverse("visits:kiosk_issue", args=[queue.mall.code])
    form = {"service": queue.ktp.pk, "priority": "", "issue_token": token}
    first, second, replay = (client.post(issue, form) for _ in range(3))
    ticket = Ticket.objects.get()
    assert (
        first.url == second.url == replay.url == reverse("visits:ticket_print", args=[ticket.uuid])
    )
    # A refused form (no service) issues nothing and may be sent again, corrected.
    lane = client.get(reverse("visits:kiosk", args=[queue.mall.code]), {"service": queue.kk.pk})
    token = re.search(r'name="issue_token" value="([0-9a-f]{32})"', lane.content.decode())[1]
    assert client.post(issue, {"service": "", "issue_token": token}).status_code == 400
    assert client.post(issue, {"service": queue.kk.pk, "issue_token": token}).status_code == 302
    assert Ticket.objects.count() == 2


def test_a_booking_checked_in_at_the_kiosk_may_take_the_priority_lane(
    client, queue, mall_manager_sampit
):
    from datetime import time

    from .conftest import MONDAY, at

    booking = q.booking_create(
        service=queue.ktp,
        day=MONDAY,
        slot_start=time(9, 30),
        nik="6202011708900001",
        phone="081234567890",
        now=at(MONDAY, 9),
    )
    kiosk_client(client, queue, mall_manager_sampit)
    home = client.get(reverse("visits:kiosk", args=[queue.mall.code])).content.decode()
    assert 'name="priority" value="elderly"' in home
    client.post(
        reverse("visits:kiosk_check_in", args=[queue.mall.code]),
        {"code": booking.code, "priority": "elderly"},
    )
    ticket = Ticket.objects.get()
    assert ticket.channel == "booking" and ticket.priority_reason == "elderly"

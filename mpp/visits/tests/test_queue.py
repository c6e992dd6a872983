import io
from datetime import timedelta

import pytest
from django.urls import reverse

from mpp.registry.models import Service
from mpp.visits import services as q
from mpp.visits.models import DailyRollup, Outcome, Ticket, TicketStatus
from mpp.visits.rollups import ROLLUP_FIELDS, rollups_compute

from .conftest import MONDAY, at


def rollup_matches_recomputation():
    stored = {
        (r.mall_id, r.service_id, r.local_date): {f: getattr(r, f) for f in ROLLUP_FIELDS}
        for r in DailyRollup.objects.all()
    }
    recomputed = {
        key: {f: v for f, v in values.items() if f in ROLLUP_FIELDS}
        for key, values in rollups_compute(Ticket.objects.all()).items()
    }
    assert stored == recomputed
    return True


def test_numbers_run_per_prefix_and_restart_each_local_day(queue):
    queue.mall.opening_hours.all().delete()  # no hours entered: tickets at any time of day
    a1 = q.ticket_issue(mall=queue.mall, service=queue.ktp, now=at(MONDAY, 8))
    a2 = q.ticket_issue(mall=queue.mall, service=queue.ktp, now=at(MONDAY, 8, 1))
    s1 = q.ticket_issue(mall=queue.mall, service=queue.skck, now=at(MONDAY, 8, 2))
    # 23:30 in Sampit is still the same local day; 00:10 the next morning is a new day.
    late = q.ticket_issue(mall=queue.mall, service=queue.ktp, now=at(MONDAY, 23, 30))
    next_day = q.ticket_issue(
        mall=queue.mall, service=queue.ktp, now=at(MONDAY, 0, 10) + timedelta(days=1)
    )
    assert [a1.display_number, a2.display_number, s1.display_number] == ["A-001", "A-002", "S-001"]
    assert late.display_number == "A-003"
    assert next_day.display_number == "A-001"
    assert str(next_day.local_date) == "2026-11-24"


def test_a_ticket_for_a_service_of_another_mall_is_refused(queue, mall_jakarta):
    other = Service.objects.create(
        mall=mall_jakarta, agency=queue.ktp.agency, name="KTP Jakarta", slug="ktp-jkt"
    )
    with pytest.raises(q.QueueError) as refused:
        q.ticket_issue(mall=queue.mall, service=other, now=at(MONDAY, 8))
    assert refused.value.code == "service_not_offered"
    assert "tidak menyediakan layanan ini" in refused.value.message
    assert not Ticket.objects.exists() and not DailyRollup.objects.exists()


def test_priority_gets_a_head_start_but_never_starves_the_others(queue):
    q.counter_open(counter=queue.counter1, officer=queue.ani, now=at(MONDAY, 8))
    early = q.ticket_issue(mall=queue.mall, service=queue.ktp, now=at(MONDAY, 8, 0))
    recent = q.ticket_issue(mall=queue.mall, service=queue.ktp, now=at(MONDAY, 8, 20))
    elderly = q.ticket_issue(
        mall=queue.mall, service=queue.ktp, priority_reason="elderly", now=at(MONDAY, 8, 25)
    )
    # The elderly visitor overtakes who came 5 minutes earlier, not who came 25 minutes earlier.
    order = []
    for minute in (30, 31, 32):
        ticket = q.call_next(counter=queue.counter1, officer=queue.ani, now=at(MONDAY, 8, minute))
        order.append(ticket.pk)
        q.ticket_no_show(ticket=ticket, officer=queue.ani, now=at(MONDAY, 8, minute))
    assert order == [early.pk, elderly.pk, recent.pk]


def test_the_officer_serves_a_morning_and_the_rollup_stays_exact(queue):
    q.counter_open(counter=queue.counter1, officer=queue.ani, now=at(MONDAY, 8))
    t1 = q.ticket_issue(mall=queue.mall, service=queue.ktp, now=at(MONDAY, 8, 1))
    t2 = q.ticket_issue(mall=queue.mall, service=queue.kk, now=at(MONDAY, 8, 2))
    t3 = q.ticket_issue(mall=queue.mall, service=queue.ktp, now=at(MONDAY, 8, 3))

    called = q.call_next(counter=queue.counter1, officer=queue.ani, now=at(MONDAY, 8, 10))
    assert called == t1 and called.status == TicketStatus.CALLED
    q.ticket_recall(ticket=called, officer=queue.ani, now=at(MONDAY, 8, 11))
    q.ticket_start(ticket=called, officer=queue.ani, now=at(MONDAY, 8, 12))
    q.ticket_finish(
        ticket=called, officer=queue.ani, outcome=Outcome.COMPLETED, now=at(MONDAY, 8, 20)
    )

    second = q.call_next(counter=queue.counter1, officer=queue.ani, now=at(MONDAY, 8, 21))
    assert second == t2
    q.ticket_start(ticket=second, officer=queue.ani, now=at(MONDAY, 8, 22))
    q.ticket_park(ticket=second, officer=queue.ani, now=at(MONDAY, 8, 25))
    third = q.call_next(counter=queue.counter1, officer=queue.ani, now=at(MONDAY, 8, 26))
    assert third == t3
    q.ticket_no_show(ticket=third, officer=queue.ani, now=at(MONDAY, 8, 30))
    q.ticket_resume(ticket=second, officer=queue.ani, now=at(MONDAY, 8, 40))
    again = q.call_next(counter=queue.counter1, officer=queue.ani, now=at(MONDAY, 8, 41))
    assert again == t2 and again.call_count == 2
    q.ticket_start(ticket=again, officer=queue.ani, now=at(MONDAY, 8, 42))
    q.ticket_finish(
        ticket=again, officer=queue.ani, outcome=Outcome.INCOMPLETE, now=at(MONDAY, 9, 30)
    )

    ktp = DailyRollup.objects.get(service=queue.ktp)
    assert (ktp.issued, ktp.called, ktp.served, ktp.no_shows) == (2, 2, 1, 1)
    assert ktp.wait_seconds_sum == 9 * 60 + 23 * 60
    assert ktp.service_seconds_sum == 8 * 60
    assert ktp.served_within_standard == 1  # queued 08:01, finished 08:20: within 30 minutes
    kk = DailyRollup.objects.get(service=queue.kk)
    assert (kk.issued, kk.served, kk.served_within_standard) == (1, 1, 0)
    assert kk.wait_seconds_sum == 19 * 60  # the first call counts, not the call after parking
    assert rollup_matches_recomputation()


def test_a_transfer_keeps_the_visit_and_the_queue_place(queue):
    q.counter_open(counter=queue.counter1, officer=queue.ani, now=at(MONDAY, 8))
    q.counter_open(counter=queue.counter3, officer=queue.citra, now=at(MONDAY, 8))
    first = q.ticket_issue(mall=queue.mall, service=queue.ktp, now=at(MONDAY, 8, 0))
    waiting = q.ticket_issue(mall=queue.mall, service=queue.skck, now=at(MONDAY, 8, 5))
    ticket = q.call_next(counter=queue.counter1, officer=queue.ani, now=at(MONDAY, 8, 10))
    q.ticket_start(ticket=ticket, officer=queue.ani, now=at(MONDAY, 8, 11))
    moved = q.ticket_transfer(
        ticket=ticket, officer=queue.ani, to_service=queue.skck, now=at(MONDAY, 8, 15)
    )
    first.refresh_from_db()
    assert first.outcome == Outcome.TRANSFERRED and first.status == TicketStatus.FINISHED
    assert moved.transferred_from == first and moved.trip == first.trip
    assert moved.display_number == "S-002"
    # Queued at 08:00 originally, so the transferred person goes before the 08:05 ticket.
    assert q.call_next(counter=queue.counter3, officer=queue.citra, now=at(MONDAY, 8, 16)) == moved
    assert waiting.status == TicketStatus.WAITING
    assert rollup_matches_recomputation()


def test_a_finished_ticket_cannot_be_called_or_finished_again(queue):
    q.counter_open(counter=queue.counter1, officer=queue.ani, now=at(MONDAY, 8))
    q.ticket_issue(mall=queue.mall, service=queue.ktp, now=at(MONDAY, 8))
    ticket = q.call_next(counter=queue.counter1, officer=queue.ani, now=at(MONDAY, 8, 1))
    q.ticket_start(ticket=ticket, officer=queue.ani, now=at(MONDAY, 8, 2))
    q.ticket_finish(
        ticket=ticket, officer=queue.ani, outcome=Outcome.COMPLETED, now=at(MONDAY, 8, 3)
    )
    for action in (q.ticket_recall, q.ticket_start, q.ticket_no_show):
        with pytest.raises(q.QueueError) as refused:
            action(ticket=ticket, officer=queue.ani, now=at(MONDAY, 8, 4))
        assert refused.value.code == "bad_transition"
    with pytest.raises(q.QueueError):
        q.ticket_finish(ticket=ticket, officer=queue.ani, outcome="completed", now=at(MONDAY, 8, 4))
    assert q.call_next(counter=queue.counter1, officer=queue.ani, now=at(MONDAY, 8, 5)) is None
    ticket.refresh_from_db()
    assert ticket.finished_at == at(MONDAY, 8, 3) and ticket.call_count == 1


def test_an_officer_cannot_use_another_malls_counter(queue, officer_jakarta):
    with pytest.raises(q.QueueError) as refused:
        q.counter_open(counter=queue.counter1, officer=officer_jakarta, now=at(MONDAY, 8))
    assert refused.value.code == "not_your_mall"
    q.counter_open(counter=queue.counter1, officer=queue.ani, now=at(MONDAY, 8))
    q.ticket_issue(mall=queue.mall, service=queue.ktp, now=at(MONDAY, 8))
    with pytest.raises(q.QueueError):
        q.call_next(counter=queue.counter1, officer=officer_jakarta, now=at(MONDAY, 8, 1))
    assert Ticket.objects.get().status == TicketStatus.WAITING


def test_a_counter_calls_only_its_services_and_not_while_paused(queue):
    q.counter_open(counter=queue.counter3, officer=queue.citra, now=at(MONDAY, 8))
    q.ticket_issue(mall=queue.mall, service=queue.ktp, now=at(MONDAY, 8))
    assert q.call_next(counter=queue.counter3, officer=queue.citra, now=at(MONDAY, 8, 1)) is None
    skck = q.ticket_issue(mall=queue.mall, service=queue.skck, now=at(MONDAY, 8, 2))
    q.counter_pause(counter=queue.counter3, officer=queue.citra, now=at(MONDAY, 8, 3))
    with pytest.raises(q.QueueError) as refused:
        q.call_next(counter=queue.counter3, officer=queue.citra, now=at(MONDAY, 8, 4))
    assert refused.value.code == "counter_paused"
    q.counter_resume(counter=queue.counter3, officer=queue.citra, now=at(MONDAY, 8, 13))
    assert q.call_next(counter=queue.counter3, officer=queue.citra, now=at(MONDAY, 8, 14)) == skck
    session = q.counter_close(counter=queue.counter3, officer=queue.citra, now=at(MONDAY, 9))
    assert session.paused_seconds == 600
    skck.refresh_from_db()
    assert skck.status == TicketStatus.WAITING  # back in line, not lost


def test_two_officers_cannot_open_the_same_counter(queue):
    q.counter_open(counter=queue.counter1, officer=queue.ani, now=at(MONDAY, 8))
    with pytest.raises(q.QueueError) as refused:
        q.counter_open(counter=queue.counter1, officer=queue.budi, now=at(MONDAY, 8, 1))
    assert refused.value.code == "counter_taken"


def test_wait_estimate_is_a_range_from_recent_service_times(queue):
    q.counter_open(counter=queue.counter1, officer=queue.ani, now=at(MONDAY, 8))
    for minute in range(0, 50, 10):  # five people served in 6 to 10 minutes each
        q.ticket_issue(mall=queue.mall, service=queue.ktp, now=at(MONDAY, 8, minute))
        ticket = q.call_next(counter=queue.counter1, officer=queue.ani, now=at(MONDAY, 8, minute))
        q.ticket_start(ticket=ticket, officer=queue.ani, now=at(MONDAY, 8, minute))
        q.ticket_finish(
            ticket=ticket,
            officer=queue.ani,
            outcome="completed",
            now=at(MONDAY, 8, minute + 6 + minute // 10),
        )
    waiting = [
        q.ticket_issue(mall=queue.mall, service=queue.ktp, now=at(MONDAY, 9)) for _ in range(4)
    ]
    estimate = q.wait_estimate(waiting[-1], now=at(MONDAY, 9, 1))
    assert estimate.ahead == 3 and estimate.open_counters == 1 and estimate.basis == "recent"
    assert estimate.low_minutes == 3 * 7 and estimate.high_minutes == 4 * 9
    q.counter_open(counter=queue.counter2, officer=queue.budi, now=at(MONDAY, 9, 1))
    shared = q.wait_estimate(waiting[-1], now=at(MONDAY, 9, 1))
    assert shared.low_minutes < estimate.low_minutes and shared.high_minutes < estimate.high_minutes


def test_followers_are_told_when_their_turn_is_near(queue, settings):
    from mpp.visits.models import Notification

    q.counter_open(counter=queue.counter1, officer=queue.ani, now=at(MONDAY, 8))
    for _ in range(3):
        q.ticket_issue(mall=queue.mall, service=queue.ktp, now=at(MONDAY, 8))
    mine = q.ticket_issue(mall=queue.mall, service=queue.ktp, now=at(MONDAY, 8, 1))
    q.ticket_follow(ticket=mine, when_ahead=1, channel="sms", address="081234567890")
    assert not Notification.objects.exists()
    first = q.call_next(counter=queue.counter1, officer=queue.ani, now=at(MONDAY, 8, 2))
    q.ticket_no_show(ticket=first, officer=queue.ani, now=at(MONDAY, 8, 3))
    assert not Notification.objects.exists()
    q.call_next(counter=queue.counter1, officer=queue.ani, now=at(MONDAY, 8, 4))
    note = Notification.objects.get()
    assert note.address == "081234567890" and mine.display_number in note.body
    with pytest.raises(q.QueueError) as refused:
        q.ticket_follow(ticket=mine, when_ahead=2, channel="sms", address="abc")
    assert refused.value.field == "address"


def test_demo_history_matches_its_rollups_and_is_idempotent(mall_sampit):
    from datetime import date

    from django.core.management import call_command

    from mpp.visits.demo import demo_visits_generate

    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    today = date(2026, 11, 28)
    malls, tickets = demo_visits_generate(today=today, weeks=2, mall_codes=["mpp-6202"])
    assert malls == 1 and tickets > 100
    assert Ticket.objects.filter(agency__code="dukcapil").count() > tickets / 3  # the busiest
    assert not Ticket.objects.filter(local_date__gte=today).exists()
    assert not Ticket.objects.filter(local_date__week_day=1).exists()  # closed on Sundays
    assert rollup_matches_recomputation()
    # The counters that called people were staffed (the quality app's staffing figures read
    # these sessions: mpp/surveys/tests/test_demo.py).
    from mpp.visits.models import CounterSession

    called_counters = set(Ticket.objects.exclude(counter=None).values_list("counter", "local_date"))
    sessions = CounterSession.objects.filter(counter__mall=mall_sampit)
    assert {(s.counter_id, s.opened_at.astimezone(mall_sampit.tz).date()) for s in sessions} == (
        called_counters
    )
    assert all(s.status == "closed" and s.closed_at > s.opened_at for s in sessions)
    assert demo_visits_generate(today=today, weeks=2, mall_codes=["mpp-6202"]) == (0, 0)
    assert CounterSession.objects.filter(counter__mall=mall_sampit).count() == len(sessions)


def test_rebuild_rollups_command_restores_a_damaged_rollup(queue, monkeypatch):
    from django.core.management import call_command

    q.counter_open(counter=queue.counter1, officer=queue.ani, now=at(MONDAY, 8))
    q.ticket_issue(mall=queue.mall, service=queue.ktp, now=at(MONDAY, 8))
    ticket = q.call_next(counter=queue.counter1, officer=queue.ani, now=at(MONDAY, 8, 5))
    q.ticket_start(ticket=ticket, officer=queue.ani, now=at(MONDAY, 8, 6))
    q.ticket_finish(ticket=ticket, officer=queue.ani, outcome="completed", now=at(MONDAY, 8, 16))
    q.ticket_issue(mall=queue.mall, service=queue.ktp, now=at(MONDAY, 8, 20))
    DailyRollup.objects.update(served=0, issued=7)
    monkeypatch.setattr("mpp.visits.rollups.PROGRESS_EVERY", 1)
    out = io.StringIO()
    call_command("rebuild_rollups", mall=[queue.mall.code], stdout=out)
    assert rollup_matches_recomputation()
    assert (DailyRollup.objects.get().served, DailyRollup.objects.get().issued) == (1, 2)
    assert "1 of 2 visits read (50 %)" in out.getvalue()  # a long rebuild shows progress


def test_the_outbox_sends_once_and_retries_failures(queue, settings):
    from django.core.management import call_command

    from mpp.core.messaging import FakeBackend
    from mpp.visits.models import Notification

    settings.MESSAGING_BACKEND = "mpp.core.messaging.FakeBackend"
    FakeBackend.outbox.clear()
    Notification.objects.create(channel="sms", address="081234567890", body="Giliran Anda")
    Notification.objects.create(channel="email", address="warga@example.org", body="Giliran")
    FakeBackend.fail_next = 1
    call_command("send_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(FakeBackend.outbox) == 1
    assert Notification.objects.filter(status="pending", attempts=1).count() == 1
    Notification.objects.update(send_after=at(MONDAY, 0))  # the retry is due
    call_command("send_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("send_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(FakeBackend.outbox) == 2
    assert Notification.objects.filter(status="sent").count() == 2


def test_a_no_show_who_turns_up_returns_behind_the_next_two_once(queue, settings):
    settings.QUEUE_NO_SHOW_RETURN_MINUTES, settings.QUEUE_NO_SHOW_RETURNS = 30, 1
    settings.QUEUE_NO_SHOW_RETURN_AFTER = 2
    q.counter_open(counter=queue.counter1, officer=queue.ani, now=at(MONDAY, 8))
    missed = q.ticket_issue(mall=queue.mall, service=queue.ktp, now=at(MONDAY, 8, 1))
    others = [
        q.ticket_issue(mall=queue.mall, service=queue.ktp, now=at(MONDAY, 8, 2 + n))
        for n in range(4)
    ]
    assert q.call_next(counter=queue.counter1, officer=queue.ani, now=at(MONDAY, 8, 10)) == missed
    q.ticket_no_show(ticket=missed, officer=queue.ani, now=at(MONDAY, 8, 12))
    before = DailyRollup.objects.get(service=queue.ktp)
    assert before.no_shows == 1
    back = q.ticket_return(ticket=missed, officer=queue.ani, now=at(MONDAY, 8, 30))
    assert back.status == TicketStatus.WAITING and back.returns == 1
    order = list(q.waiting_for(queue.counter1, MONDAY))
    assert order == [others[0], others[1], back, others[2], others[3]]
    after = DailyRollup.objects.get(service=queue.ktp)
    assert after.no_shows == 0 and after.issued == 5  # the rollup stays exact
    assert rollup_matches_recomputation()
    # Called again, missed again: no second return.
    for expected in (others[0], others[1], back):
        called = q.call_next(counter=queue.counter1, officer=queue.ani, now=at(MONDAY, 8, 40))
        assert called == expected
        q.ticket_no_show(ticket=called, officer=queue.ani, now=at(MONDAY, 8, 41))
    with pytest.raises(q.QueueError) as used:
        q.ticket_return(ticket=back, officer=queue.ani, now=at(MONDAY, 8, 45))
    assert used.value.code == "returns_used"
    with pytest.raises(q.QueueError) as late:
        q.ticket_return(ticket=others[0], officer=queue.ani, now=at(MONDAY, 9, 30))
    assert late.value.code == "return_too_late"
    called = q.call_next(counter=queue.counter1, officer=queue.ani, now=at(MONDAY, 8, 45))
    with pytest.raises(q.QueueError) as wrong:
        q.ticket_return(ticket=called, officer=queue.ani, now=at(MONDAY, 8, 46))
    assert wrong.value.code == "bad_transition"  # only a no-show comes back


def test_the_console_lists_recent_no_shows_and_brings_one_back(client, queue):
    q.counter_open(counter=queue.counter1, officer=queue.ani)
    ticket = q.ticket_issue(mall=queue.mall, service=queue.ktp)
    q.call_next(counter=queue.counter1, officer=queue.ani)
    q.ticket_no_show(ticket=ticket, officer=queue.ani)
    client.force_login(queue.ani)
    console = client.get(reverse("visits:console", args=[queue.counter1.pk])).content.decode()
    assert f"console/{queue.counter1.pk}/return/" in console and str(ticket.uuid) in console
    client.post(
        reverse("visits:console_action", args=[queue.counter1.pk, "return"]),
        {"ticket": str(ticket.uuid)},
    )
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.WAITING and ticket.returns == 1


def test_a_priority_visitor_waiting_past_the_malls_bound_is_called_next(queue, settings):
    settings.QUEUE_PRIORITY_WAIT_LIMIT_MINUTES = 15
    early = [
        q.ticket_issue(mall=queue.mall, service=queue.skck, now=at(MONDAY, 8, minute))
        for minute in range(0, 40, 2)
    ]
    elderly = q.ticket_issue(
        mall=queue.mall, service=queue.skck, priority_reason="elderly", now=at(MONDAY, 8, 41)
    )
    q.counter_open(counter=queue.counter3, officer=queue.citra)
    # 20 people came first; with the 15-minute head start alone the elderly visitor waits on
    first = q.call_next(counter=queue.counter3, officer=queue.citra, now=at(MONDAY, 8, 50))
    assert first == early[0]
    q.ticket_start(ticket=first, officer=queue.citra)
    q.ticket_finish(ticket=first, officer=queue.citra, outcome="completed")
    # ... until the bound: after 15 minutes of waiting, the priority visitor is next
    called = q.call_next(counter=queue.counter3, officer=queue.citra, now=at(MONDAY, 8, 56))
    assert called == elderly


def test_a_mall_may_turn_the_priority_bound_off(queue, settings):
    settings.QUEUE_PRIORITY_WAIT_LIMIT_MINUTES = 15
    queue.mall.priority_wait_limit_minutes = 0
    queue.mall.save()
    first = q.ticket_issue(mall=queue.mall, service=queue.skck, now=at(MONDAY, 8))
    q.ticket_issue(
        mall=queue.mall, service=queue.skck, priority_reason="elderly", now=at(MONDAY, 8, 30)
    )
    q.counter_open(counter=queue.counter3, officer=queue.citra)
    counter = type(queue.counter3).objects.select_related("mall").get(pk=queue.counter3.pk)
    assert q.call_next(counter=counter, officer=queue.citra, now=at(MONDAY, 9)) == first

"""Monday e-mails: the weekly PDF to subscribed analysts at 08:00 WIB for the week just
ended, exactly once per subscriber and week (a unique delivery row is claimed first), and
a reminder to malls that sent no data. Missed weeks are caught up (at most CATCH_UP)."""

import logging
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from .exports import report_pdf
from .models import DeliveryStatus, ReminderSent, ReportDelivery, ReportSubscription
from .report import MallStatusFlag, ReportOptions, weekly_report_build
from .weeks import JAKARTA, IsoWeek

log = logging.getLogger(__name__)
SEND_AT = time(8, 0)  # Monday, Asia/Jakarta
CATCH_UP = 8  # weeks
MAX_ATTEMPTS = 5


def send_time(week: IsoWeek) -> datetime:
    """When the report for `week` goes out: the next Monday at 08:00 WIB."""
    return datetime.combine(week.next().monday, SEND_AT, tzinfo=JAKARTA)


def due_week(now: datetime | None = None) -> IsoWeek:
    """The newest week whose report is due by `now`."""
    now = now or timezone.now()
    week = IsoWeek.last_complete(now)
    return week if send_time(week) <= now else week.previous()


def weeks_due_for(subscription: ReportSubscription, now: datetime) -> list[IsoWeek]:
    """Due weeks since the subscription began (newest CATCH_UP at most), oldest first."""
    newest = due_week(now)
    weeks = [newest.shifted(-i) for i in range(CATCH_UP)]
    return sorted(w for w in weeks if send_time(w) >= subscription.created_at)


def delivery_claim(*, subscription: ReportSubscription, week: IsoWeek) -> ReportDelivery | None:
    """Claim the (subscriber, week) row; None when it is sent, being sent elsewhere, or
    has failed too often. Only one worker can win a claim."""
    try:
        with transaction.atomic():
            return ReportDelivery.objects.create(
                subscription=subscription, week=str(week), status=DeliveryStatus.SENDING, attempts=1
            )
    except IntegrityError:
        retried = ReportDelivery.objects.filter(
            subscription=subscription,
            week=str(week),
            status=DeliveryStatus.FAILED,
            attempts__lt=MAX_ATTEMPTS,
        ).update(
            status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, claimed_at=timezone.now()
        )
        if retried:
            return ReportDelivery.objects.get(subscription=subscription, week=str(week))
        return None


def _number(value, digits=0) -> str:
    from django.utils.formats import number_format

    return "—" if value is None else number_format(value, digits, force_grouping=True)


def report_mail_body(report: dict) -> str:
    """The e-mail's text: the headline numbers and the links (page, files, open data)."""
    from django.urls import reverse

    week = report["week"]
    base = settings.PUBLIC_BASE_URL
    totals = report["totals"]
    change = totals["change_pct"]
    lines = [
        _("National weekly report of public service malls, %(week)s (%(start)s – %(end)s).")
        % {"week": week, "start": report["start"], "end": report["end"]},
        "",
        _("Visits: %(visits)s (%(change)s%% against the week before)")
        % {
            "visits": _number(totals["visits"]),
            "change": ("+" if change and change > 0 else "") + _number(change, 1),
        },
        _("Served: %(served)s") % {"served": _number(totals["served"])},
        _("Malls with data: %(with)s of %(all)s; without data: %(none)s; quiet: %(quiet)s")
        % {
            "with": totals["malls_with_data"],
            "all": totals["malls"],
            "none": totals["malls_no_data"],
            "quiet": totals["malls_quiet"],
        },
    ]
    if report["highest"]:
        top = report["highest"][0]
        lines.append(
            _("Highest: %(mall)s, %(visits)s visits")
            % {"mall": top["name"], "visits": _number(top["visits"])}
        )
    if report["lowest"]:
        low = report["lowest"][0]
        lines.append(
            _("Lowest: %(mall)s, %(visits)s visits")
            % {"mall": low["name"], "visits": _number(low["visits"])}
        )
    quality = report.get("quality")
    if quality and quality.get("ikm") is not None:
        lines.append(
            _("IKM %(period)s so far: %(ikm)s")
            % {"period": quality["period"], "ikm": quality["ikm"]}
        )
    lines += [
        "",
        _("The report: %(url)s") % {"url": base + reverse("monitoring:national", args=[week])},
        _("Spreadsheet (XLSX): %(url)s")
        % {"url": base + reverse("monitoring:export", args=[week, "xlsx"])},
        _("Open data (CC BY 4.0): %(url)s")
        % {"url": base + reverse("monitoring:open_data_file", args=[week, "csv"])},
        "",
        _("The PDF for the minister is attached."),
    ]
    return "\n".join(lines)


def _report_mail(week: IsoWeek, report: dict, pdf: bytes, to: str) -> EmailMessage:
    with override(settings.LANGUAGE_CODE):
        subject = _("Weekly report of public service malls %(week)s") % {"week": week}
        body = report_mail_body(report)
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach(f"laporan-mingguan-mpp-{week}.pdf", pdf, "application/pdf")
    return message


def weekly_reports_send(*, now: datetime | None = None) -> int:
    """One pass of the Monday loop: send every due, unsent (subscriber, week)."""
    now = now or timezone.now()
    pdfs: dict[IsoWeek, tuple[dict, bytes]] = {}
    sent = 0
    subscriptions = ReportSubscription.objects.filter(is_active=True, user__is_active=True)
    for subscription in subscriptions.select_related("user"):
        if not subscription.user.email:
            continue
        for week in weeks_due_for(subscription, now):
            delivery = delivery_claim(subscription=subscription, week=week)
            if delivery is None:
                continue
            try:
                if week not in pdfs:
                    report = weekly_report_build(week=week)
                    pdfs[week] = (report, report_pdf(report))
                _report_mail(week, *pdfs[week], subscription.user.email).send()
            except Exception as error:  # noqa: BLE001 - recorded, retried next pass
                log.warning("weekly report %s to %s failed: %s", week, subscription.user_id, error)
                ReportDelivery.objects.filter(pk=delivery.pk).update(
                    status=DeliveryStatus.FAILED, last_error=str(error)[:1000]
                )
                continue
            ReportDelivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.SENT, sent_at=timezone.now()
            )
            sent += 1
    return sent


def reminders_send(*, week: IsoWeek) -> int:
    """Remind each mall without data for `week` (its e-mail and its managers), once."""
    report = weekly_report_build(week=week, options=ReportOptions(quality=False))
    from mpp.registry.models import Mall

    codes = [m["code"] for m in report["malls"] if m["status"] == MallStatusFlag.NO_DATA]
    reminded = 0
    for mall in Mall.objects.filter(code__in=codes).prefetch_related("managers"):
        addresses = sorted({mall.email, *(u.email for u in mall.managers.all())} - {""})
        if not addresses:
            continue
        try:
            with transaction.atomic():
                ReminderSent.objects.create(mall=mall, week=str(week), recipients=len(addresses))
        except IntegrityError:
            continue
        with override(settings.LANGUAGE_CODE):
            subject = _("%(mall)s: no visit data for %(week)s") % {"mall": mall.name, "week": week}
            body = _(
                "We have no visit numbers from %(mall)s for %(week)s (%(start)s – %(end)s). "
                "Please send them through your queue system's API or the spreadsheet upload."
            ) % {"mall": mall.name, "week": week, "start": week.monday, "end": week.sunday}
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, addresses).send()
        reminded += 1
    return reminded


def reminders_due(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    week = due_week(now)
    if now - send_time(week) > timedelta(days=6):
        return 0
    return reminders_send(week=week)

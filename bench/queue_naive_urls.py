"""Baselines for the benchmark, in the real application's URLconf (same middleware):

- a naive ticket endpoint: number = max()+1 with no lock, as a first version would do. The
  unique constraint refuses the duplicates it attempts (409);
- the kiosk page's issue as it was before the form's claim moved into the ticket's
  transaction: the claim on the shared cache ("pending", then the ticket), the mall and the
  service read per request. Kept only to compare in the same run (docs/benchmarks.md)."""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.urls import urlpatterns as real_urlpatterns
from mpp.registry.models import Service
from mpp.visits.models import Ticket

ISSUE_TOKEN_SECONDS = 600


@csrf_exempt
def naive_issue(request, service_id):
    service = Service.objects.select_related("mall").get(pk=service_id)
    now = timezone.now()
    today = now.astimezone(service.mall.tz).date()
    last = Ticket.objects.filter(mall=service.mall, prefix="Z", local_date=today).aggregate(
        n=Max("number")
    )["n"]
    try:
        with transaction.atomic():
            ticket = Ticket.objects.create(
                mall=service.mall, service=service, agency_id=service.agency_id, prefix="Z",
                number=(last or 0) + 1, local_date=today, queued_at=now, sort_key=now,
            )  # fmt: skip
    except IntegrityError:
        return JsonResponse({"error": "duplicate number"}, status=409)
    return JsonResponse({"number": ticket.number}, status=201)


@require_POST
def kiosk_issue_before(request, code):
    """mpp.visits.views.kiosk_issue before this round: three transactions per tap."""
    from django.core.cache import caches
    from django.core.exceptions import PermissionDenied
    from django.shortcuts import redirect

    from mpp.core.params import pk_or_none
    from mpp.core.ratelimit import CACHE_ALIAS
    from mpp.visits import services as q
    from mpp.visits.devices import kiosk_mall
    from mpp.visits.views import TRIP_SESSION_KEY

    mall = kiosk_mall(request, code)
    if mall is None:
        raise PermissionDenied
    token = (request.POST.get("issue_token") or "")[:64]
    cache = caches[CACHE_ALIAS]
    claim = f"bench-kiosk-issue:{token}"
    if token and not cache.add(claim, "pending", ISSUE_TOKEN_SECONDS):
        issued = cache.get(claim)
        ticket = Ticket.objects.filter(uuid=issued).first() if issued != "pending" else None
        if ticket is None or ticket.mall_id != mall.pk:
            return JsonResponse({"code": "replayed"}, status=400)
        return redirect("visits:ticket_print", uuid=ticket.uuid)
    service = Service.objects.filter(pk=pk_or_none(request.POST.get("service"))).first()
    try:
        if service is None:
            raise q.QueueError("Choose a service.", code="no_service", field="service")
        trip = request.session.pop(TRIP_SESSION_KEY, None)
        ticket = q.ticket_issue(
            mall=mall,
            service=service,
            priority_reason=request.POST.get("priority", ""),
            trip=trip[0] if trip else None,
        )
    except q.QueueError:
        if token:
            cache.delete(claim)
        return JsonResponse({"code": "refused"}, status=400)
    if token:
        cache.set(claim, str(ticket.uuid), ISSUE_TOKEN_SECONDS)
    return redirect("visits:ticket_print", uuid=ticket.uuid)


urlpatterns = [
    path("bench/naive-issue/<int:service_id>/", naive_issue),
    path("bench/kiosk-issue-before/<slug:code>/", kiosk_issue_before),
    *real_urlpatterns,
]

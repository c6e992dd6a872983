"""A naive ticket endpoint for the benchmark baseline: number = max()+1 with no lock, as a
first version would do. The unique constraint refuses the duplicates it attempts (409)."""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as real_urlpatterns
from mpp.registry.models import Service
from mpp.visits.models import Ticket


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


urlpatterns = [
    path("bench/naive-issue/<int:service_id>/", naive_issue),
    *real_urlpatterns,
]

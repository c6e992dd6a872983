import csv

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from mpp.accounts.models import Role
from mpp.registry.models import OfficerPosting

from ..models import Citizen
from ..vocabulary import FIELDS


def citizen_of(request) -> Citizen | None:
    """The signed-in citizen's record (None if they have no profile yet); others refused."""
    user = request.user
    if user.role != Role.CITIZEN:
        raise PermissionDenied
    return Citizen.objects.active().filter(user=user).first()


def posting_of(request) -> OfficerPosting:
    posting = (
        OfficerPosting.objects.select_related("mall", "agency")
        .filter(officer=request.user, officer__role=Role.COUNTER_OFFICER)
        .first()
    )
    if posting is None:
        raise PermissionDenied
    return posting


def citizen_by_uuid(uuid) -> Citizen:
    return get_object_or_404(Citizen.objects.active(), uuid=uuid)


def labelled(values: dict) -> list[tuple[str, str, object]]:
    """(key, label, value) in profile order, for templates."""
    return [(k, FIELDS[k].label, v) for k, v in values.items() if k in FIELDS]


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response

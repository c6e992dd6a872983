from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse

from mpp.accounts.models import Role
from mpp.registry.models import OfficerPosting

from ..models import Citizen, Document, Purpose
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


def document_response(document: Document, content: bytes) -> HttpResponse:
    """A decrypted document shown in the browser, never cached on the way."""
    response = HttpResponse(content, content_type=document.content_type)
    extension = Document.CONTENT_TYPES[document.content_type]
    response["Content-Disposition"] = f'inline; filename="{document.doc_type}.{extension}"'
    response["Cache-Control"] = "no-store"
    return response


def officer_citizen_url(uuid, purpose: str = Purpose.SERVICE_DELIVERY) -> str:
    """The officer's page of a citizen, read for `purpose` (in the query, never the NIK)."""
    return reverse("citizens:officer_citizen", kwargs={"uuid": uuid}) + f"?purpose={purpose}"

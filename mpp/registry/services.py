"""State changes in the registry that touch several rows or need an audit trail."""

import csv
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from mpp.core.audit import audit_record

from .models import Agency, AgencyLevel, Mall, Pledge, Service, ServiceStandard

DATA_DIR = Path(__file__).resolve().parent / "data"


@transaction.atomic
def pledge_publish(
    *, mall: Mall, text: str, signer_name: str, signer_title: str, signed_on: date, by=None
) -> Pledge:
    """Publish a new version of the mall's maklumat pelayanan; earlier versions stay."""
    Mall.objects.select_for_update().filter(pk=mall.pk).first()  # serialise version numbers
    version = (mall.pledges.aggregate(v=Max("version"))["v"] or 0) + 1
    pledge = Pledge(
        mall=mall,
        version=version,
        text=text.strip(),
        signer_name=signer_name,
        signer_title=signer_title,
        signed_on=signed_on,
        created_by=by,
    )
    pledge.full_clean()
    pledge.save()
    audit_record(
        actor=by, action="pledge_publish", target=pledge, summary=f"{mall.code} maklumat v{version}"
    )
    return pledge


@transaction.atomic
def standard_publish(*, service: Service, by=None, **components) -> ServiceStandard:
    """Publish a new version of a service's standard; `components` are the 14 fields and
    `effective_from`. Errors name the field and nothing is saved."""
    Service.objects.select_for_update().filter(pk=service.pk).first()
    version = (service.standards.aggregate(v=Max("version"))["v"] or 0) + 1
    if components.get("completion_time_value") is None:
        raise ValidationError({"completion_time_value": "The completion time is required."})
    standard = ServiceStandard(service=service, version=version, created_by=by, **components)
    standard.full_clean()
    standard.save()
    audit_record(
        actor=by,
        action="standard_publish",
        target=standard,
        summary=f"{service.mall.code}/{service.slug} standard v{version}",
    )
    return standard


@transaction.atomic
def agencies_load(*, path: Path | None = None) -> tuple[int, int]:
    """Load the national agency catalogue; returns (created, unchanged). Existing entries
    are kept as staff edited them."""
    path = path or DATA_DIR / "agencies.csv"
    created = unchanged = 0
    levels = set(AgencyLevel.values)
    for line, row in enumerate(csv.DictReader(path.open(encoding="utf-8")), start=2):
        if row["level"] not in levels:
            raise ValidationError(
                f"{path.name} row {line}, column 'level': unknown level '{row['level']}'"
            )
        _, was_created = Agency.objects.get_or_create(
            code=row["code"],
            defaults={
                "short_name": row["short_name"],
                "name": row["name"],
                "level": row["level"],
                "website": row["website"],
            },
        )
        created += was_created
        unchanged += not was_created
    return created, unchanged

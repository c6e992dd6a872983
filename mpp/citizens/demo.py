"""Demo citizens for `make demo`: the demo user `warga` owns a profile; a few more
citizens registered at the counter; consents and applications in several states."""

import random
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction

from mpp.registry.models import Agency, Mall, OfficerPosting, Service

from .models import ApplicationStatus, Citizen, ConsentMethod, Purpose
from .services import (
    application_start,
    application_submit,
    application_transition,
    citizen_create,
    consent_grant,
)

# (username or None, NIK, name, birth date, phone, extra profile)
DEMO_CITIZENS = [
    (
        "warga",
        "3171014505900001",
        "Siti Warga",
        date(1990, 5, 5),
        "081200000001",
        {
            "birth_place": "Jakarta",
            "religion": "islam",
            "marital_status": "kawin",
            "occupation": "Wiraswasta",
            "citizenship": "WNI",
            "address": "Jl. Merdeka Barat 1",
            "rt": "001",
            "rw": "002",
            "village_code": "31.71.01.1001",
            "email": "warga@demo.mpp.local",
        },
    ),
    (None, "6202011506800003", "Budi Santoso", date(1980, 6, 15), "081200000002", {}),
    (None, "7371015208950004", "Andi Rahmawati", date(1995, 8, 12), "081200000003", {}),
    (None, "9101010101700005", "Yohanes Merauke", date(1970, 1, 1), "081200000004", {}),
]


def _officer_for(service):
    posting = OfficerPosting.objects.filter(mall=service.mall, agency=service.agency).first()
    return posting.officer if posting else None


@transaction.atomic
def citizens_demo_generate(*, seed: int = 2026) -> int:
    """Create the demo citizens once; returns how many were created (0 when run again)."""
    rng = random.Random(seed)
    User = get_user_model()
    created = 0
    for username, nik, name, born, phone, extra in DEMO_CITIZENS:
        if Citizen.objects.with_nik(nik).exists():
            continue
        user = User.objects.filter(username=username).first() if username else None
        if user is not None and Citizen.objects.filter(user=user).exists():
            continue
        mall = Mall.objects.filter(code="mpp-31").first()
        citizen = citizen_create(
            nik=nik,
            full_name=name,
            birth_date=born,
            phone=phone,
            user=user,
            mall=None if user else mall,
            profile=extra,
        )
        created += 1
        if user is not None:
            _warga_story(citizen, user, rng)
    return created


def _warga_story(citizen, user, rng) -> None:
    bpjs = Agency.objects.filter(code="bpjs-kesehatan").first()
    if bpjs:
        consent_grant(
            citizen=citizen,
            agency=bpjs,
            purpose=Purpose.PREFILL,
            categories=["identity", "contact"],
            days=365,
            by=user,
            method=ConsentMethod.WEB,
        )
    services = list(
        Service.objects.filter(mall__code="mpp-31", slug__in=["pendaftaran-jkn", "npwp"])
        .select_related("mall", "agency")
        .order_by("slug")
    )
    answers = {"family_card_number": "3171010101000001", "email": "warga@demo.mpp.local"}
    for index, service in enumerate(services):
        if service.current_standard() is None:
            continue
        draft = application_start(citizen=citizen, service=service, by=user)
        values = {k: answers[k] for k in draft.fields_asked if k in answers}
        application = application_submit(application=draft, values=values, by=user)
        officer = _officer_for(service)
        if officer and index == 0:
            application_transition(
                application=application, to_status=ApplicationStatus.IN_PROCESS, by=officer
            )
    rng.random()  # the seed keeps room for randomised demo data later

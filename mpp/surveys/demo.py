"""Demo survey responses and complaints for the demo malls (`make demo`).

Idempotent: every row has a UUID derived from its mall, service, day and number, so a
second run adds nothing. Fast: responses are bulk-inserted."""

import random
import uuid
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from mpp.citizens.workdays import add_working_days
from mpp.registry.demo_catalogue import DEMO_MALLS
from mpp.registry.models import Mall

from .models import (
    ELEMENT_FIELDS,
    AgeBand,
    Complaint,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintEvent,
    ComplaintStatus,
    Education,
    Occupation,
    Sex,
    SurveyChannel,
    SurveyResponse,
)
from .services import answer_working_days

NAMESPACE = uuid.UUID("6b0b7f3c-4a52-4c1e-9d1e-0d6f0c2b5a11")
# Elements people usually rate lower (waiting, complaint handling) or higher (free fee).
ELEMENT_SHIFT = [0.1, 0.0, -0.35, 0.45, 0.1, 0.05, 0.15, -0.1, -0.3]
SUGGESTIONS = [
    "Tambah kursi di ruang tunggu.",
    "Petugas ramah, terima kasih.",
    "Antrean terlalu lama di jam siang.",
    "Mohon informasi persyaratan dipasang lebih jelas.",
    "Pelayanan cepat dan mudah.",
]
COMPLAINTS = [
    (ComplaintCategory.TIME, "Antrean tidak bergerak hampir satu jam."),
    (ComplaintCategory.COUNTER_EMPTY, "Loket kosong setelah istirahat siang."),
    (ComplaintCategory.REQUIREMENTS, "Persyaratan di papan berbeda dengan yang diminta petugas."),
    (ComplaintCategory.FACILITIES, "Pendingin ruangan di ruang tunggu mati."),
    (ComplaintCategory.STAFF, "Petugas kurang sabar menjelaskan kepada orang tua."),
]


def _uuid(*parts) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts))


def _score(rng: random.Random, base: float, shift: float) -> int:
    return max(1, min(4, round(rng.gauss(base + shift, 0.55))))


def _responses_for(mall: Mall, rng: random.Random, days: list) -> list[SurveyResponse]:
    rows = []
    services = list(mall.services.filter(is_active=True).order_by("pk"))
    for service in services:
        base = rng.uniform(2.7, 3.6)
        for day in days:
            for number in range(rng.choice([0, 1, 1, 2, 3])):
                moment = datetime.combine(day, time(rng.randint(8, 15), rng.randint(0, 59)))
                row = SurveyResponse(
                    uuid=_uuid("response", mall.code, service.slug, day, number),
                    mall=mall,
                    agency_id=service.agency_id,
                    service=service,
                    channel=rng.choice([SurveyChannel.KIOSK, SurveyChannel.COUNTER_TABLET]),
                    local_date=day,
                    submitted_at=moment.replace(tzinfo=mall.tz),
                    age_band=rng.choice(AgeBand.values + [""]),
                    sex=rng.choice(Sex.values + [""]),
                    education=rng.choice(Education.values),
                    occupation=rng.choice(Occupation.values),
                    suggestion=rng.choice(SUGGESTIONS) if rng.random() < 0.1 else "",
                )
                for field, shift in zip(ELEMENT_FIELDS, ELEMENT_SHIFT, strict=True):
                    setattr(row, field, _score(rng, base, shift))
                rows.append(row)
    return rows


def _complaints_for(mall: Mall, seed: int, weeks: int, today) -> int:
    created = 0
    services = list(mall.services.filter(is_active=True).order_by("pk"))
    for week in range(weeks):
        rng = random.Random(f"{seed}/{mall.code}/complaints/{week}")
        for number in range(rng.randint(0, 3)):
            key = _uuid("complaint", mall.code, week, number)
            if Complaint.objects.filter(uuid=key).exists():
                continue
            received_on = today - timedelta(days=7 * week + rng.randint(0, 6))
            received_at = datetime.combine(received_on, time(rng.randint(8, 15))).replace(
                tzinfo=mall.tz
            )
            category, text = rng.choice(COMPLAINTS)
            service = rng.choice(services) if services and rng.random() < 0.7 else None
            complaint = Complaint.objects.create(
                uuid=key,
                tracking_code=f"ADU-{key.hex[:8].upper()}",
                mall=mall,
                service=service,
                agency_id=service.agency_id if service else None,
                category=category,
                channel=rng.choice(ComplaintChannel.values[:3]),
                description=text,
                received_at=received_at,
                received_on=received_on,
                due_on=add_working_days(received_on, answer_working_days(), mall=mall),
            )
            events = [(received_at, "", ComplaintStatus.RECEIVED, "")]
            if week >= 1 or rng.random() < 0.3:
                late = rng.random() < 0.15
                answer_on = (
                    complaint.due_on + timedelta(days=3)
                    if late
                    else received_on + timedelta(days=rng.randint(1, 6))
                )
                if answer_on <= today:
                    answered_at = received_at + (answer_on - received_on)
                    events.append(
                        (
                            answered_at,
                            ComplaintStatus.RECEIVED,
                            ComplaintStatus.ANSWERED,
                            "Terima kasih. Keluhan Anda sudah kami tindak lanjuti.",
                        )
                    )
                    complaint.status = ComplaintStatus.ANSWERED
                    complaint.first_answered_on = answer_on
                    if week >= 2:
                        events.append(
                            (answered_at, ComplaintStatus.ANSWERED, ComplaintStatus.CLOSED, "")
                        )
                        complaint.status = ComplaintStatus.CLOSED
                        complaint.closed_at = answered_at
                    complaint.save()
            ComplaintEvent.objects.bulk_create(
                ComplaintEvent(complaint=complaint, at=at, from_status=a, to_status=b, message=m)
                for at, a, b, m in events
            )
            created += 1
    return created


@transaction.atomic
def surveys_demo_generate(*, weeks: int = 12, seed: int = 2026) -> dict:
    """Survey responses (Mon–Sat, ~1.4 per service per day) and a few complaints a week for
    each demo mall over the last `weeks` weeks. Returns counts of what was added."""
    added = {"responses": 0, "complaints": 0}
    for mall in Mall.objects.filter(code__in=list(DEMO_MALLS)).order_by("code"):
        rng = random.Random(f"{seed}/{mall.code}")  # per mall: a rerun draws the same rows
        today = timezone.localdate(timezone=mall.tz)
        days = [
            today - timedelta(days=offset)
            for offset in range(weeks * 7)
            if (today - timedelta(days=offset)).weekday() < 6
        ]
        rows = _responses_for(mall, rng, days)
        before = SurveyResponse.objects.filter(mall=mall).count()
        SurveyResponse.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
        added["responses"] += SurveyResponse.objects.filter(mall=mall).count() - before
        added["complaints"] += _complaints_for(mall, seed, weeks, today)
    return added

from datetime import date, time

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from mpp.accounts.models import Role
from mpp.registry.demo_catalogue import COMMON, DEMO_MALLS, PLEDGE_TEXT, SERVICES
from mpp.registry.models import (
    Agency,
    Counter,
    Mall,
    OfficerPosting,
    OpeningHours,
    Service,
    Tenancy,
)
from mpp.registry.services import pledge_publish, standard_publish

DEMO_PASSWORD = "mpp-demo-2026"  # noqa: S105 - printed in the README, demo only
DEMO_NOTE = "Data demo: rincian layanan ini contoh, bukan data resmi."

# username, role, first name, (managed malls), (officer posting: mall, agency)
DEMO_USERS = [
    ("admin", None, "Admin Nasional", (), None),
    ("analis", Role.MINISTRY_ANALYST, "Analis KemenPANRB", (), None),
    ("manajer.sampit", Role.MALL_MANAGER, "Manajer MPP Kotim", ("mpp-6202",), None),
    ("manajer.jakarta", Role.MALL_MANAGER, "Manajer MPP DKI", ("mpp-31",), None),
    ("manajer.makassar", Role.MALL_MANAGER, "Manajer MPP Makassar", ("mpp-7371",), None),
    (
        "petugas.sampit",
        Role.COUNTER_OFFICER,
        "Petugas Dukcapil Kotim",
        (),
        ("mpp-6202", "dukcapil"),
    ),
    ("petugas.jakarta", Role.COUNTER_OFFICER, "Petugas BPJS DKI", (), ("mpp-31", "bpjs-kesehatan")),
    ("warga", Role.CITIZEN, "Siti Warga", (), None),
]


class Command(BaseCommand):
    help = (
        "Add demo services, standards, counters, opening hours, pledges and users to four "
        "real malls in three time zones. Run after load_reference_data; safe to run again."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        missing = [code for code in DEMO_MALLS if not Mall.objects.filter(code=code).exists()]
        if missing:
            raise CommandError(f"Malls {missing} are missing: run load_reference_data first.")
        for index, (code, agency_codes) in enumerate(DEMO_MALLS.items(), start=1):
            mall = Mall.objects.get(code=code)
            self.stdout.write(f"{index}/{len(DEMO_MALLS)} {mall.name} ({mall.timezone_name})")
            self._furnish(mall, agency_codes)
        self._users()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready; demo password: {DEMO_PASSWORD}"))

    def _furnish(self, mall: Mall, agency_codes: list[str]) -> None:
        if not mall.opening_hours.exists():
            for weekday in range(5):
                closes = time(15, 30) if weekday == 4 else time(16, 0)
                OpeningHours.objects.create(
                    mall=mall, weekday=weekday, opens_at=time(8), closes_at=closes
                )
            OpeningHours.objects.create(mall=mall, weekday=5, opens_at=time(8), closes_at=time(12))
        for number, agency_code in enumerate(agency_codes, start=1):
            agency = Agency.objects.get(code=agency_code)
            Tenancy.objects.get_or_create(
                mall=mall,
                agency=agency,
                defaults={
                    "booth": f"B-{number:02d}",
                    "since": mall.inaugurated_on,
                    "agreement_number": f"PKS/{mall.code.upper()}/{number:03d}/2024",
                },
            )
            counter, _ = Counter.objects.get_or_create(
                mall=mall, number=f"{number:02d}", defaults={"agency": agency}
            )
            for slug, name, fields in SERVICES.get(agency_code, []):
                service, created = Service.objects.get_or_create(
                    mall=mall,
                    slug=slug,
                    defaults={"agency": agency, "name": name, "description": DEMO_NOTE},
                )
                if created or not service.standards.exists():
                    standard_publish(
                        service=service, effective_from=date(2025, 1, 1), **COMMON, **fields
                    )
                counter.services.add(service)
        if not mall.pledges.exists():
            pledge_publish(
                mall=mall,
                text=PLEDGE_TEXT,
                signer_name="Kepala DPMPTSP",
                signer_title=f"Koordinator {mall.name}",
                signed_on=date(2025, 1, 2),
            )

    def _users(self) -> None:
        User = get_user_model()
        hashed = make_password(DEMO_PASSWORD)  # hash once: each hash costs ~0.5 s by design
        for username, role, first_name, managed, posting in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first_name,
                    "role": role or Role.MINISTRY_ANALYST,
                    "email": f"{username}@demo.mpp.local",
                    "is_staff": role is None,
                    "is_superuser": role is None,
                },
            )
            if created:
                user.password = hashed
                user.save()
            for code in managed:
                Mall.objects.get(code=code).managers.add(user)
            if posting:
                OfficerPosting.objects.get_or_create(
                    officer=user,
                    defaults={
                        "mall": Mall.objects.get(code=posting[0]),
                        "agency": Agency.objects.get(code=posting[1]),
                    },
                )

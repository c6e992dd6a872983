"""Benchmarks for citizen data (issue 5) on a fresh temporary SQLite database, or on
PostgreSQL when DATABASE_URL is set (a scratch database: the tables are filled).

Usage: .venv/bin/python bench/citizens.py [--records 1000000] [--reads 2000]

Prints a Markdown table:
1. what writing the access record adds to one read of citizen data (read with logging
   minus the same decision and decryption without it, medians), as the door is wired and,
   on PostgreSQL, for each way of writing it: three statements or one, own transaction
   with synchronous_commit on or off, or inside a caller's writing transaction;
2. `verify_access_log` over --records records (filled with a valid hash chain first);
3. queries for the application page and the "who saw my data" page with a short and a
   long history (bounded = the same number whatever the history).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def setup_django(database: Path) -> None:
    sys.path.insert(0, str(REPO_ROOT))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{database}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["MESSAGING_BACKEND"] = "mpp.core.messaging.FakeBackend"
    import django
    from django.core.management import call_command

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False  # no query logging: it would slow every read down
    call_command("migrate", verbosity=0)
    say("loading reference data (regions without villages, agencies, malls)…")
    with open(os.devnull, "w") as quiet:
        call_command("load_reference_data", skip_villages=True, verbosity=0, stdout=quiet)
        call_command("load_demo_data", verbosity=0, stdout=quiet)


def say(text: str) -> None:
    print(f"  … {text}", file=sys.stderr, flush=True)


def people():
    from datetime import date

    from mpp.accounts.models import Role, User
    from mpp.citizens.models import Citizen
    from mpp.citizens.services import citizen_create

    user, _ = User.objects.get_or_create(username="bench.warga", defaults={"role": Role.CITIZEN})
    citizen = Citizen.objects.filter(user=user).first() or citizen_create(
        nik="3171014505900009",
        full_name="Bench Warga",
        birth_date=date(1990, 5, 5),
        phone="081299990000",
        user=user,
    )
    officer = User.objects.get(username="petugas.jakarta")
    return citizen, user, officer


def bench_read_overhead(citizen, officer, reads: int) -> list[tuple[str, float, float]]:
    """For each way of writing the access record: (variant, median read with the record,
    median of the same read without it), in ms. Reads with and without the record
    alternate, so a change in the shared machine's load hits both alike."""
    from django.db import connection, transaction
    from django.db.models import F
    from django.test import override_settings

    from mpp.citizens import access, ledger, vault
    from mpp.citizens.models import Consent, Purpose
    from mpp.citizens.services import consent_grant

    consent = consent_grant(
        citizen=citizen,
        agency=officer.posting.agency,
        purpose=Purpose.SERVICE_DELIVERY,
        categories=["identity", "contact", "address"],
        days=30,
        by=citizen.user,
    )
    kwargs = {"citizen": citizen, "actor": officer, "purpose": Purpose.SERVICE_DELIVERY}

    def logged():
        access.citizen_data_read(**kwargs, mall=None)

    def unlogged():
        # The same work minus the access record: decide (consent query) and decrypt.
        access._decide(**kwargs, mall=None, channel="web")
        vault.open_json(citizen.sealed_profile)
        vault.open_text(citizen.nik_sealed)

    def in_caller_transaction(read):
        # A caller that writes anyway (here: touches the consent row) and reads inside
        # its transaction, so the record shares the caller's commit.
        def run():
            with transaction.atomic():
                Consent.objects.filter(pk=consent.pk).update(granted_at=F("granted_at"))
                read()

        return run

    def three_statements(record):
        # The writer before the single statement: lock the head, insert, move the head.
        with transaction.atomic():
            mode = ledger.access_log_synchronous_commit()
            ledger._seal(record, *ledger._head_locked(synchronous_commit=mode))
            ledger._insert_and_move_head(record)

    wired, one_statement = access.access_record_append, ledger._append_postgresql

    def after_another_writer(record):
        # Another process moved the head since this one last wrote: the statement misses,
        # reports the head, and the retry hits (two statements).
        setattr(ledger._last_head, connection.alias, (0, ledger.GENESIS))
        one_statement(record)

    def without_remembered_head(record):
        # The lock path (first append of a process, or writers overtaking twice).
        delattr(ledger._last_head, connection.alias)
        one_statement(record)

    if wired is not ledger.access_record_append:
        say("note: mpp.citizens.access does not call mpp.citizens.ledger.access_record_append")
    # (name, writer, synchronous_commit, inside a caller's transaction)
    variants = [("as wired in mpp.citizens.access (settings)", None, None, False)]
    if connection.vendor == "postgresql":
        variants += [
            ("3 statements, own transaction, synchronous_commit on", three_statements, "on", False),
            (
                "3 statements, own transaction, synchronous_commit off",
                three_statements,
                "off",
                False,
            ),
            ("1 statement, own transaction, synchronous_commit on", one_statement, "on", False),
            ("1 statement, own transaction, synchronous_commit off", one_statement, "off", False),
            ("1 statement, head moved by another writer, off", after_another_writer, "off", False),
            ("lock + 1 statement (no remembered head), off", without_remembered_head, "off", False),
            ("1 statement, in the caller's writing transaction", one_statement, None, True),
        ]
    else:
        variants.append(("in the caller's writing transaction", None, None, True))
    results = []
    for name, writer, mode, shared in variants:
        say(f"{name}: {reads:,} reads with and {reads:,} without the access record…")
        with_record, without_record = logged, unlogged
        if shared:
            with_record, without_record = (
                in_caller_transaction(logged),
                in_caller_transaction(unlogged),
            )
        overrides = {} if mode is None else {"ACCESS_LOG_SYNCHRONOUS_COMMIT": mode}
        if writer is not None:
            access.access_record_append, ledger._append_postgresql = (
                ledger.access_record_append,
                writer,
            )
        samples = ([], [])
        try:
            with override_settings(**overrides):
                for _ in range(reads):
                    for fn, bucket in ((without_record, samples[0]), (with_record, samples[1])):
                        started = time.perf_counter()
                        fn()
                        bucket.append((time.perf_counter() - started) * 1000)
        finally:
            access.access_record_append, ledger._append_postgresql = wired, one_statement
        results.append((name, statistics.median(samples[1]), statistics.median(samples[0])))
    return results


def fill_chain(citizen, officer, total: int) -> None:
    """Append valid records in bulk (the chain computed here, like access_record_append)."""
    from django.db import transaction
    from django.utils import timezone

    from mpp.citizens.models import AccessLogHead, AccessRecord

    head = AccessLogHead.objects.get(pk=1)
    seq, prev = head.seq, head.hash
    start = timezone.now() - timedelta(days=365)
    batch = []
    label = f"{officer.username} (counter_officer)"
    while seq < total:
        seq += 1
        record = AccessRecord(
            seq=seq,
            at=start + timedelta(seconds=seq),
            citizen=citizen,
            actor=officer,
            actor_label=label,
            agency_id=officer.posting.agency_id,
            mall_id=officer.posting.mall_id,
            purpose="service_delivery",
            fields=["full_name", "phone"],
            outcome="granted",
            reason="",
            channel="counter",
            consent_id_ref=None,
            prev_hash=prev,
        )
        record.hash = prev = AccessRecord.digest(record.chain_values(), prev)
        batch.append(record)
        if len(batch) == 20_000 or seq == total:
            with transaction.atomic():
                AccessRecord.objects.bulk_create(batch)
                AccessLogHead.objects.filter(pk=1).update(seq=seq, hash=prev)
            batch = []
            if seq % 100_000 == 0 or seq == total:
                say(f"{seq:,} / {total:,} records written")


def bench_verify() -> tuple[int, float, bool]:
    from mpp.citizens.ledger import access_log_verify

    started = time.perf_counter()
    report = access_log_verify(
        progress=lambda n: n % 200_000 == 0 and say(f"{n:,} records verified")
    )
    return report.checked, time.perf_counter() - started, report.ok


ANSWERS = {
    "birth_place": "Jakarta",
    "religion": "islam",
    "marital_status": "kawin",
    "occupation": "Guru",
    "citizenship": "WNI",
    "address": "Jl. Bench 1",
    "rt": "1",
    "rw": "2",
    "village_code": "31.71.01.1001",
    "email": "bench@example.org",
}


def count_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def bench_queries(citizen, user, officer, events: int) -> tuple[int, int]:
    from django.test import Client
    from django.urls import reverse

    from mpp.citizens.models import Application, ApplicationEvent
    from mpp.citizens.services import application_start, application_submit
    from mpp.registry.models import Service

    application = Application.objects.filter(citizen=citizen).first()
    if application is None:
        service = Service.objects.get(mall__code="mpp-31", slug="npwp")
        draft = application_start(citizen=citizen, service=service, by=user)
        values = {k: ANSWERS[k] for k in draft.fields_asked}
        application = application_submit(application=draft, values=values, by=user)
    have = application.events.count()
    ApplicationEvent.objects.bulk_create(
        ApplicationEvent(application=application, to_status="in_process", note="bench")
        for _ in range(max(events - have, 0))
    )
    client = Client()
    client.force_login(user)
    page = count_queries(client, reverse("citizens:application", args=[application.uuid]))
    log = count_queries(client, reverse("citizens:access_log"))
    return page, log


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--reads", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-citizens-") as tmp:
        setup_django(Path(tmp) / "bench.sqlite3")
        from django.db import connection

        citizen, user, officer = people()
        overheads = bench_read_overhead(citizen, officer, args.reads)
        say("queries with a short history…")
        short = bench_queries(citizen, user, officer, events=5)
        say(f"filling the access log to {args.records:,} records…")
        fill_chain(citizen, officer, args.records)
        checked, seconds, ok = bench_verify()
        say("queries with a long history…")
        long = bench_queries(citizen, user, officer, events=1_000)
        rows = [
            (
                f"added by the access record (target ≤ 1 ms): {name}",
                f"**{logged - unlogged:.3f} ms** ({logged:.3f} − {unlogged:.3f})",
            )
            for name, logged, unlogged in overheads
        ]
        rows += [
            (
                f"verify_access_log, {checked:,} records (target < 30 s)",
                f"**{seconds:.1f} s** ({'intact' if ok else 'BROKEN'})",
            ),
            ("application page, queries: 5 events → 1,000 events", f"{short[0]} → {long[0]}"),
            (
                f"who saw my data, queries: few records → {args.records:,}",
                f"{short[1]} → {long[1]}",
            ),
        ]
        print(
            f"\nDatabase: {connection.vendor}; Python {platform.python_version()}; "
            f"{platform.machine()}, {os.cpu_count()} CPUs\n"
        )
        print("| measure | result |\n|---|---|")
        for name, value in rows:
            print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()

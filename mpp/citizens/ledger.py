"""The access log's two halves outside the door: appending a record to the hash chain
(`access_record_append`, called by `mpp.citizens.access` for every read) and verifying the
chain (`access_log_verify`): any edited, inserted or deleted record shows up as the first
record where the chain breaks.

Appending is on the path of every read of citizen data, so it is written for speed
(docs/decisions/0005, docs/benchmarks.md):

- PostgreSQL: one statement. A data-modifying CTE moves the chain head only if it still is
  the head this thread last wrote (compare-and-set) and inserts the record from its result.
  When another writer moved the head meanwhile, the statement inserts nothing and reports
  the head it found; the append retries once with that, then falls back to locking the
  head, which always succeeds. Either way the record's
  `prev_hash` is the head it replaced, under the head's row lock, so the chain stays exact
  with any number of concurrent writers.
- Outside a caller's transaction that statement is its own transaction, committed with
  `synchronous_commit` = `ACCESS_LOG_SYNCHRONOUS_COMMIT`. Inside one, the record joins it
  (no savepoint) and shares its commit and durability.
- SQLite: lock (IMMEDIATE transaction), insert, move the head — already well under 1 ms.
"""

import threading
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone

from mpp.registry.models import Agency, Mall

from .models import AccessLogHead, AccessRecord, Citizen, Consent
from .models.accesslog import GENESIS, chain_key

# --- appending -----------------------------------------------------------------------------

SYNCHRONOUS_COMMIT_VALUES = {"on", "off", "local", "remote_write", "remote_apply", ""}
_BOOLEANS = {"true": "on", "1": "on", "yes": "on", "false": "off", "0": "off", "no": "off"}

_HEAD = AccessLogHead._meta.db_table
_RECORD = AccessRecord._meta.db_table
_COLUMNS = [
    AccessRecord._meta.get_field(name) for name in (*AccessRecord.CHAIN_FIELDS, "prev_hash", "hash")
]

# The head (seq, hash) this thread wrote last, per database alias: only a guess that saves
# the lock round trip; a wrong guess (another writer, a rolled-back caller) costs one retry.
_last_head = threading.local()


def access_log_synchronous_commit() -> str:
    """PostgreSQL's `synchronous_commit` for the log's own transactions, from the
    ACCESS_LOG_SYNCHRONOUS_COMMIT setting: on, off (default), local, remote_write,
    remote_apply, or "" for the database's own setting. True/False mean on/off."""
    value = settings.ACCESS_LOG_SYNCHRONOUS_COMMIT
    if isinstance(value, bool):
        return "on" if value else "off"
    value = _BOOLEANS.get(str(value).strip().lower(), str(value).strip().lower())
    if value not in SYNCHRONOUS_COMMIT_VALUES:
        raise ImproperlyConfigured(
            f"ACCESS_LOG_SYNCHRONOUS_COMMIT={value!r}: use on, off, local, remote_write, "
            "remote_apply or an empty value (the database's setting)."
        )
    return value


def _actor_label(actor) -> str:
    if actor is None:
        return "system"
    return f"{actor.get_username()} ({actor.role})"


def access_record_append(
    *,
    citizen: Citizen,
    actor,
    purpose: str,
    fields: list[str],
    outcome: str,
    channel: str,
    agency: Agency | None = None,
    mall: Mall | None = None,
    reason: str = "",
    consent: Consent | None = None,
    at: datetime | None = None,
    actor_label: str = "",
) -> AccessRecord:
    """Append one record to the hash chain and return it. Appends are strictly ordered
    (the head row is locked); inside a caller's transaction the record commits or rolls
    back with it, otherwise it is committed before this returns."""
    record = AccessRecord(
        at=at or timezone.now(),
        citizen=citizen,
        actor=actor,
        actor_label=actor_label or _actor_label(actor),
        agency=agency,
        mall=mall,
        purpose=purpose,
        fields=list(fields),
        outcome=outcome,
        reason=reason[:200],
        channel=channel,
        consent_id_ref=consent.pk if consent else None,
    )
    if connection.vendor == "postgresql":
        _append_postgresql(record)
    else:
        with transaction.atomic():
            _seal(record, *_head_locked())
            _insert_and_move_head(record)
    record._state.adding = False
    setattr(_last_head, connection.alias, (record.seq, record.hash))
    return record


def _seal(record: AccessRecord, prev_seq: int, prev_hash: str) -> None:
    record.seq, record.prev_hash = prev_seq + 1, prev_hash
    record.hash = AccessRecord.digest(record.chain_values(), prev_hash)


def _head_locked(*, synchronous_commit: str = "") -> tuple[int, str]:
    """Lock the head row (until the transaction ends) and return (seq, hash)."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    setting, params = "", []
    if synchronous_commit:
        setting, params = ", set_config('synchronous_commit', %s, true)", [synchronous_commit]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT seq, hash{setting} FROM {_HEAD} WHERE id = 1{lock}", params)  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        AccessLogHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})
        return _head_locked(synchronous_commit=synchronous_commit)
    return row[0], row[1]


def _insert_and_move_head(record: AccessRecord) -> None:
    names = ", ".join(connection.ops.quote_name(f.column) for f in _COLUMNS)
    values = [f.get_db_prep_save(getattr(record, f.attname), connection) for f in _COLUMNS]
    marks = ", ".join(["%s"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {_RECORD} ({names}) VALUES ({marks})", values)  # noqa: S608
        cursor.execute(
            f"UPDATE {_HEAD} SET seq = %s, hash = %s WHERE id = 1",  # noqa: S608
            [record.seq, record.hash],
        )


def _append_postgresql(record: AccessRecord) -> None:
    own = not connection.in_atomic_block
    mode = access_log_synchronous_commit() if own else ""
    guess = getattr(_last_head, connection.alias, None)
    for _attempt in range(2):  # the remembered head, then the head a miss reported
        if guess is None:
            break
        _seal(record, *guess)
        inserted, guess = _insert_if_head(record, mode)
        if inserted:
            return
    # Writers keep overtaking this one (or the head row is missing): lock, then append.
    with transaction.atomic(savepoint=False):
        _seal(record, *_head_locked(synchronous_commit=mode))
        if not _insert_if_head(record, "")[0]:
            raise RuntimeError("The access log head moved while locked.")


def _insert_if_head(record: AccessRecord, synchronous_commit: str) -> tuple[bool, tuple | None]:
    """One statement: if the head is still (record.seq - 1, record.prev_hash), move it to
    the record and insert the record; otherwise change nothing. Returns (inserted, the
    head as the statement found it — a better guess after a miss)."""
    values = [f.get_db_prep_save(getattr(record, f.attname), connection) for f in _COLUMNS]
    params = [record.seq, record.hash, record.seq - 1, record.prev_hash, *values]
    if synchronous_commit:
        params.insert(0, synchronous_commit)
    with connection.cursor() as cursor:
        cursor.execute(_insert_if_head_sql(setting=bool(synchronous_commit)), params)
        row = cursor.fetchone()
    if row is None:
        return False, None
    return row[0] == 1, (row[1], row[2])


_SQL = {}


def _insert_if_head_sql(*, setting: bool) -> str:
    """The compare-and-set statement, built once (its casts cost more than its params).
    The final SELECT sees the head as it was when the statement started."""
    key = (connection.vendor, setting)
    if key not in _SQL:
        names = ", ".join(connection.ops.quote_name(f.column) for f in _COLUMNS)
        casts = ", ".join(f"%s::{f.cast_db_type(connection)}" for f in _COLUMNS)
        first, sources = "", "moved"
        if setting:  # a SELECT in a CTE runs only if used, hence `FROM moved, setting`
            first = "setting AS (SELECT set_config('synchronous_commit', %s, true)), "
            sources = "moved, setting"
        _SQL[key] = (
            f"WITH {first}moved AS ("  # noqa: S608
            f"UPDATE {_HEAD} SET seq = %s, hash = %s WHERE id = 1 AND seq = %s AND hash = %s "
            f"RETURNING seq), "
            f"appended AS (INSERT INTO {_RECORD} ({names}) SELECT {casts} FROM {sources} "
            f"RETURNING seq) "
            f"SELECT (SELECT count(*) FROM appended), seq, hash FROM {_HEAD} WHERE id = 1"
        )
    return _SQL[key]


# --- verifying -----------------------------------------------------------------------------


@dataclass
class ChainReport:
    checked: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def access_log_verify(*, batch: int = 20_000, progress=None, max_problems: int = 20) -> ChainReport:
    """Walk the chain in order. `progress(checked)` is called after each batch."""
    report = ChainReport()
    columns = [*AccessRecord.CHAIN_FIELDS, "prev_hash", "hash"]
    expected_prev, expected_seq, last_seq = GENESIS, 1, 0
    key = chain_key()
    while True:
        rows = list(
            AccessRecord.objects.filter(seq__gt=last_seq)
            .order_by("seq")
            .values_list(*columns)[:batch]
        )
        if not rows:
            break
        for row in rows:
            values, prev_hash, stored = row[:-2], row[-2], row[-1]
            seq = values[0]
            if seq != expected_seq:
                report.problems.append(
                    f"records {expected_seq}–{seq - 1} are missing (deleted)"
                    if seq > expected_seq
                    else f"record {seq} is out of order"
                )
            if prev_hash != expected_prev:
                report.problems.append(f"record {seq}: link to the previous record broken")
            if AccessRecord.digest(values, prev_hash, key) != stored:
                report.problems.append(f"record {seq}: content was changed")
            expected_prev, expected_seq = stored, seq + 1
            report.checked += 1
            if len(report.problems) >= max_problems:
                return report
        last_seq = rows[-1][0]
        if progress:
            progress(report.checked)
    head = AccessLogHead.objects.filter(pk=1).first()
    if head:
        report.head_seq, report.head_hash = head.seq, head.hash
        if head.seq != expected_seq - 1 or (report.checked and head.hash != expected_prev):
            report.problems.append(
                f"the log ends at record {expected_seq - 1} but its head says {head.seq}: "
                "records were deleted from the end"
            )
    elif report.checked:
        report.problems.append("the log head is missing")
    return report

"""Verifying the access log's hash chain: any edited, inserted or deleted record shows up
as the first record where the chain breaks."""

from dataclasses import dataclass, field

from .models import AccessLogHead, AccessRecord
from .models.accesslog import GENESIS, chain_key


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

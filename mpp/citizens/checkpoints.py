"""Checkpoints of the access log's head, kept outside the database it protects
(docs/decisions/0018). The hash chain catches an edited, deleted or swapped record, but
someone with SQL access can delete the last records and move the head back: the chain then
reads intact. A checkpoint — the head's (seq, hash) and the time, signed — appended to a
write-once place (a file on another volume, an e-mail to the data-protection officer)
remembers how far the log had reached; `verify_access_log --against` compares.

Line format (one JSON object per line):
  {"seq": 1234, "hash": "…", "at": "2026-03-02T01:00:00+00:00", "sig": "…"}
`sig` is HMAC-SHA256 over "seq|hash|at" with ACCESS_LOG_CHECKPOINT_KEY."""

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.utils import timezone

from .models import AccessLogHead, AccessRecord
from .models.accesslog import GENESIS


class CheckpointError(Exception):
    """A checkpoint that cannot be trusted or read (forged, malformed)."""


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str
    sig: str

    def line(self) -> str:
        return json.dumps(
            {"seq": self.seq, "hash": self.hash, "at": self.at, "sig": self.sig},
            separators=(",", ":"),
        )


def checkpoint_key() -> bytes:
    """ACCESS_LOG_CHECKPOINT_KEY (base64), else one derived from ACCESS_LOG_KEY: a key for
    this purpose only, so a checkpoint cannot pass for a chain record or the reverse."""
    raw = settings.ACCESS_LOG_CHECKPOINT_KEY
    if raw:
        return base64.b64decode(raw)
    base = settings.ACCESS_LOG_KEY or settings.SECRET_KEY
    if not base:
        raise ImproperlyConfigured("ACCESS_LOG_CHECKPOINT_KEY or ACCESS_LOG_KEY must be set")
    return hmac.new(base.encode(), b"mpp access log checkpoint", hashlib.sha256).digest()


def _signature(seq: int, hash_: str, at: str) -> str:
    return hmac.new(checkpoint_key(), f"{seq}|{hash_}|{at}".encode(), hashlib.sha256).hexdigest()


def checkpoint_make() -> Checkpoint:
    head = AccessLogHead.objects.filter(pk=1).first()
    seq, hash_ = (head.seq, head.hash) if head else (0, GENESIS)
    at = timezone.now().replace(microsecond=0).isoformat()
    return Checkpoint(seq=seq, hash=hash_, at=at, sig=_signature(seq, hash_, at))


def checkpoint_parse(line: str, *, where: str = "checkpoint") -> Checkpoint:
    """One line → a Checkpoint whose signature holds; CheckpointError naming what failed."""
    try:
        data = json.loads(line)
        checkpoint = Checkpoint(
            seq=int(data["seq"]), hash=str(data["hash"]), at=str(data["at"]), sig=str(data["sig"])
        )
    except (ValueError, KeyError, TypeError) as error:
        raise CheckpointError(f"{where}: not a checkpoint line ({error})") from None
    expected = _signature(checkpoint.seq, checkpoint.hash, checkpoint.at)
    if not hmac.compare_digest(expected, checkpoint.sig):
        raise CheckpointError(
            f"{where}: the signature does not match (a forged or edited checkpoint, or another key)"
        )
    return checkpoint


def checkpoints_read(source: str) -> list[Checkpoint]:
    """A checkpoint file (every line is checked) or one checkpoint line."""
    path = Path(source)
    if source.lstrip().startswith("{"):
        return [checkpoint_parse(source)]
    if not path.is_file():
        raise CheckpointError(f"{source}: no such checkpoint file")
    lines = [
        (number, line)
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if line.strip()
    ]
    if not lines:
        raise CheckpointError(f"{source}: the file holds no checkpoint")
    checkpoints = [checkpoint_parse(line, where=f"{source} line {n}") for n, line in lines]
    for (n, _), earlier, later in zip(lines[1:], checkpoints, checkpoints[1:], strict=False):
        if later.seq < earlier.seq:
            raise CheckpointError(
                f"{source} line {n}: the log went back from record {earlier.seq} to "
                f"{later.seq} between two checkpoints (a rollback)"
            )
    return checkpoints


def checkpoint_compare(checkpoints: list[Checkpoint]) -> list[str]:
    """What in the database contradicts these checkpoints: a log that ends before one
    (truncated or rolled back) or a record whose hash changed since (a rewritten tail)."""
    problems = []
    head = AccessLogHead.objects.filter(pk=1).first()
    head_seq = head.seq if head else 0
    last_seq = AccessRecord.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    for checkpoint in checkpoints:
        if checkpoint.seq == 0:
            continue
        if max(head_seq, last_seq) < checkpoint.seq:
            problems.append(
                f"the log ends at record {max(head_seq, last_seq)} but a checkpoint of "
                f"{checkpoint.at} saw record {checkpoint.seq}: records were deleted from the "
                "end or the database was rolled back"
            )
            continue
        stored = (
            AccessRecord.objects.filter(seq=checkpoint.seq).values_list("hash", flat=True).first()
        )
        if stored is None:
            problems.append(f"record {checkpoint.seq} of the checkpoint of {checkpoint.at} is gone")
        elif stored != checkpoint.hash:
            problems.append(
                f"record {checkpoint.seq} differs from the checkpoint of {checkpoint.at}: the "
                "log was rewritten after it"
            )
    return problems


def checkpoint_append(checkpoint: Checkpoint | None = None) -> Checkpoint | None:
    """Append a checkpoint to every place configured (ACCESS_LOG_CHECKPOINT_FILE, opened
    append-only; ACCESS_LOG_CHECKPOINT_EMAIL). None when no place is configured."""
    path, email = settings.ACCESS_LOG_CHECKPOINT_FILE, settings.ACCESS_LOG_CHECKPOINT_EMAIL
    if not (path or email):
        return None
    checkpoint = checkpoint or checkpoint_make()
    line = checkpoint.line()
    if path:
        # O_APPEND: every write lands at the end, even if the file is shared; the volume
        # (or `chattr +a`) should refuse anything but appending.
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(descriptor, (line + "\n").encode())
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    if email:
        send_mail(
            f"[{settings.SITE_NAME}] access log checkpoint #{checkpoint.seq}",
            "Keep this line; `manage.py verify_access_log --against '<line>'` checks the "
            f"log against it.\n\n{line}\n",
            None,
            [email],
        )
    return checkpoint

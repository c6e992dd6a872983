"""Checkpoints outside the database catch what the chain alone cannot: the last records
deleted and the head moved back, a database rolled back, a tail rewritten with the key."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from ..access import citizen_data_read
from ..checkpoints import checkpoint_append, checkpoints_read
from ..ledger import access_log_verify
from ..models import AccessLogHead, AccessRecord, Purpose
from ..models.accesslog import chain_key
from .helpers import raw_delete, raw_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def checkpoint_file(tmp_path, settings):
    path = tmp_path / "checkpoints" / "access-log.jsonl"
    path.parent.mkdir()
    settings.ACCESS_LOG_CHECKPOINT_FILE = str(path)
    return path


def _move_head(seq: int, hash_: str) -> None:
    table = AccessLogHead._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET seq = %s, hash = %s WHERE id = 1", [seq, hash_])  # noqa: S608


def _verify(*args):
    call_command("verify_access_log", *args)


def test_verify_appends_a_signed_checkpoint(five_reads, checkpoint_file, capsys):
    _verify()
    line = json.loads(checkpoint_file.read_text().splitlines()[-1])
    assert line["seq"] == 5 and line["hash"] == AccessLogHead.objects.get().hash
    assert "checkpoint #5 appended" in capsys.readouterr().out
    _verify("--against", str(checkpoint_file))  # intact, and a second line appended
    assert len(checkpoints_read(str(checkpoint_file))) == 2


def test_truncation_with_the_head_moved_back_fails_against_the_checkpoint(
    five_reads,
    checkpoint_file,
    capsys,
):
    checkpoint_append()
    third = AccessRecord.objects.get(seq=3)
    for record in list(five_reads)[3:]:
        raw_delete(record)
    _move_head(3, third.hash)
    assert access_log_verify().ok  # the chain alone reads intact …
    with pytest.raises(CommandError) as failed:
        _verify("--against", str(checkpoint_file))  # … the checkpoint does not
    assert failed.value.returncode == 1
    err = capsys.readouterr().err
    assert "the log ends at record 3 but a checkpoint" in err and "saw record 5" in err
    assert len(checkpoint_file.read_text().splitlines()) == 1  # nothing appended


def test_a_rewritten_tail_fails_against_the_checkpoint(five_reads, checkpoint_file, capsys):
    checkpoint_append()
    # Someone with the chain key re-seals the last record after changing its reason.
    last = AccessRecord.objects.get(seq=5)
    columns = [*AccessRecord.CHAIN_FIELDS, "prev_hash", "hash"]
    values = list(AccessRecord.objects.filter(pk=last.pk).values_list(*columns).get())
    reason_index = AccessRecord.CHAIN_FIELDS.index("reason")
    values[reason_index] = "nothing to see"
    new_hash = AccessRecord.digest(tuple(values[:-2]), values[-2], chain_key())
    raw_update(last, reason="nothing to see", hash=new_hash)
    _move_head(5, new_hash)
    assert access_log_verify().ok
    with pytest.raises(CommandError):
        _verify("--against", str(checkpoint_file))
    assert "record 5 differs from the checkpoint" in capsys.readouterr().err


def test_a_forged_checkpoint_is_refused(five_reads, checkpoint_file, capsys):
    checkpoint_append()
    line = json.loads(checkpoint_file.read_text())
    line["seq"] = 2  # to make a truncation to record 2 pass
    forged = json.dumps(line)
    with pytest.raises(CommandError) as failed:
        _verify("--against", forged)
    assert "The checkpoint cannot be trusted" in str(failed.value)
    assert "the signature does not match" in capsys.readouterr().err


def test_a_rollback_between_checkpoints_is_named(five_reads, checkpoint_file, siti, capsys):
    checkpoint_append()
    citizen_data_read(citizen=siti, actor=siti.user, purpose=Purpose.SELF, fields=["sex"])
    checkpoint_append()
    lines = checkpoint_file.read_text().splitlines()
    checkpoint_file.write_text("\n".join(reversed(lines)) + "\n")
    with pytest.raises(CommandError):
        _verify("--against", str(checkpoint_file))
    assert "went back from record 6 to 5" in capsys.readouterr().err


def test_the_scheduled_command_needs_a_place(five_reads, settings, checkpoint_file):
    call_command("access_log_checkpoint")
    assert checkpoints_read(str(checkpoint_file))[-1].seq == 5
    settings.ACCESS_LOG_CHECKPOINT_FILE = ""
    with pytest.raises(CommandError, match="No checkpoint place"):
        call_command("access_log_checkpoint")


def test_a_checkpoint_can_go_to_the_data_protection_officer(five_reads, settings, mailoutbox):
    settings.ACCESS_LOG_CHECKPOINT_EMAIL = "dpo@example.go.id"
    checkpoint = checkpoint_append()
    assert mailoutbox[0].to == ["dpo@example.go.id"]
    assert checkpoint.line() in mailoutbox[0].body
    assert checkpoints_read(checkpoint.line())[0] == checkpoint

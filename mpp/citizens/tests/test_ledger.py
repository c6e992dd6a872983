"""The access log is append-only and hash-chained: edits and deletions are detected."""

import pytest
from django.core.management import CommandError, call_command

from ..ledger import access_log_verify
from ..models import AccessLogHead, AccessRecord
from .helpers import raw_delete, raw_update

pytestmark = pytest.mark.django_db


def test_an_intact_log_verifies(five_reads, capsys):
    report = access_log_verify()
    assert report.ok and report.checked == 5 and report.head_seq == 5
    call_command("verify_access_log")
    assert "5 records checked" in capsys.readouterr().out


def test_the_model_refuses_edits_and_deletes(five_reads):
    record = five_reads.first()
    with pytest.raises(TypeError):
        record.save()
    with pytest.raises(TypeError):
        record.delete()
    with pytest.raises(TypeError):
        AccessRecord.objects.filter(pk=record.pk).update(purpose="export")
    with pytest.raises(TypeError):
        AccessRecord.objects.all().delete()


def test_an_edited_record_is_detected(five_reads):
    raw_update(five_reads[2], fields=["nothing"])
    report = access_log_verify()
    assert report.problems == ["record 3: content was changed"]
    with pytest.raises(CommandError):
        call_command("verify_access_log")


def test_a_deleted_record_is_detected(five_reads):
    raw_delete(five_reads[1])
    problems = access_log_verify().problems
    assert "records 2–2 are missing (deleted)" in problems
    assert "record 3: link to the previous record broken" in problems


def test_a_deleted_last_record_is_detected_by_the_head(five_reads):
    raw_delete(five_reads[4])
    assert AccessLogHead.objects.get().seq == 5
    assert "records were deleted from the end" in access_log_verify().problems[0]


def test_a_rehashed_record_without_the_key_is_detected(five_reads, settings):
    settings.ACCESS_LOG_KEY = "the attacker does not know the real key"
    assert not access_log_verify().ok

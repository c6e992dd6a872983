"""Secrets never reach a log: one-time codes, tokens and full NIKs are redacted from every
log record, whatever its logger or handler (installed as the record factory at start-up;
`RedactSecretsFilter` does the same for a handler configured in LOGGING)."""

import logging
import re

# A 16-digit NIK (not part of a longer number) keeps its first six and last two digits.
NIK = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{2})(?!\d)")
# A six-digit code after a word that announces one (code, kode, OTP, PIN), in any case.
CODE = re.compile(r"(?i)\b(code|kode|otp|pin|token)\b([^\d\n]{0,24}?)(?<!\d)\d{6}(?!\d)")
# Credentials in headers or URLs: Bearer/Device/Basic tokens, token=…, reset links.
AUTH = re.compile(r"(?i)\b(Bearer|Device|Basic|Token)\s+[A-Za-z0-9._~+/=-]{6,}")
QUERY = re.compile(r"(?i)\b(token|code|otp|password|key|nik)=[^&\s\"']+")
RESET = re.compile(r"(/reset/[^/\s]+/)[^/\s]+/")


def redact(text: str) -> str:
    text = NIK.sub(r"\1********\2", text)
    text = CODE.sub(r"\1\2[redacted]", text)
    text = AUTH.sub(r"\1 [redacted]", text)
    text = QUERY.sub(r"\1=[redacted]", text)
    return RESET.sub(r"\1[redacted]/", text)


def _redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 (a bad format string: leave it to the handler)
        return
    record.msg, record.args = redact(message), None


class RedactSecretsFilter(logging.Filter):
    def filter(self, record):
        _redact_record(record)
        return True


def install() -> None:
    """Redact every record as it is made (once per process)."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "mpp_redacts", False):
        return

    def make_record(*args, **kwargs):
        record = factory(*args, **kwargs)
        _redact_record(record)
        return record

    make_record.mpp_redacts = True
    logging.setLogRecordFactory(make_record)

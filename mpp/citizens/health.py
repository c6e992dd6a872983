"""Readiness check "keys": the configured keys fit the data already stored. A restore with
another env file, or a typo in a key, shows here instead of as errors on the first page
that reads citizen data. Nothing is decrypted: the newest sealed profile's signature and
the newest access record's seal are checked."""

import base64
import binascii

from django.conf import settings

from mpp.core.health import readiness_check

from .models import AccessRecord, Citizen
from .models.accesslog import chain_key
from .vault import key_matches


@readiness_check("keys")
def _keys() -> dict:
    failures = []
    sealed = (
        Citizen.objects.exclude(sealed_profile="")
        .order_by("-pk")
        .values_list("sealed_profile", flat=True)
        .first()
    )
    if sealed and not key_matches(sealed):
        failures.append("CITIZEN_DATA_KEY does not open the stored citizen data")
    columns = [*AccessRecord.CHAIN_FIELDS, "prev_hash", "hash"]
    newest = AccessRecord.objects.order_by("-seq").values_list(*columns).first()
    if newest and AccessRecord.digest(newest[:-2], newest[-2], chain_key()) != newest[-1]:
        failures.append("ACCESS_LOG_KEY does not verify the access log")
    if settings.FACE_TEMPLATE_KEY:
        try:
            valid = len(base64.b64decode(settings.FACE_TEMPLATE_KEY, validate=True)) == 32
        except (binascii.Error, ValueError):
            valid = False
        if not valid:
            failures.append("FACE_TEMPLATE_KEY is not base64 of 32 bytes")
    result = {"ok": not failures}
    if failures:
        result["error"] = "; ".join(failures)
    return result

"""Limits hold across processes: two real server processes share one database (and so
the shared cache); complaints from one address alternate between them and the 11th is
refused, whichever process answers."""

import json
import urllib.error
import urllib.request

import pytest
from django.core.management import call_command

from tests.processes import server_processes


def _post_json(url: str, payload: dict) -> int:
    request = urllib.request.Request(  # noqa: S310
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db(transaction=True)
def test_the_eleventh_complaint_is_refused_whichever_process_answers():
    call_command("load_reference_data", skip_villages=True, verbosity=0)
    complaint = {"mall": "mpp-6202", "category": "fee", "description": "Diminta uang tambahan."}
    with server_processes(2, {"SURVEYS_COMPLAINT_POSTS_PER_HOUR": "10"}) as (one, two):
        statuses = [
            _post_json(f"{(one, two)[i % 2]}/api/v1/quality/complaints/", complaint)
            for i in range(10)
        ]
        assert statuses == [201] * 10
        assert _post_json(f"{one}/api/v1/quality/complaints/", complaint) == 429
        assert _post_json(f"{two}/api/v1/quality/complaints/", complaint) == 429

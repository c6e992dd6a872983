"""Query caps on the two machine endpoints the issue's numbers are about (bench/oidc.py): the
token endpoint and userinfo, called as an agency's system calls them (no browser session).
A cap that fails means a query came back; docs/benchmarks.md, "fourth round", lists them."""

import json

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from mpp.citizens.models import AccessRecord

from .conftest import Flow

# django-oauth-toolkit and our validator, inside the view's one transaction: the grant
# (locked), the client, the sign-in, the ID token, the access and refresh tokens, the sign-in
# marked used, the grant deleted; plus the transaction's two statements. Before the fourth
# round: 18. The ID token row is saved in the library's own savepoint (two of the 12).
TOKEN_QUERIES = 12
# The token (with client, agency, user and citizen) and the consent; then the access
# record: one statement on PostgreSQL (mpp.citizens.ledger), a locked transaction of three
# on SQLite. Before the fourth round: 3 reads.
USERINFO_READS = 2
ACCESS_RECORD_STATEMENTS = {"postgresql": 1, "sqlite": 5}


def _access_log_statement(sql: str) -> bool:
    return "citizens_access" in sql or sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))


def _system(client, flow) -> Flow:
    """The same agency client, but from the agency's server: no session cookie."""
    system = Flow(Client(), flow.agency_client)
    system.verifier = flow.verifier
    return system


def test_a_code_is_redeemed_within_the_token_endpoints_query_cap(flow, client):
    code = flow.code()
    system = _system(client, flow)
    with CaptureQueriesContext(connection) as queries:
        response = system.token(code)
    assert response.status_code == 200, response.content
    assert "id_token" in json.loads(response.content)
    assert len(queries) <= TOKEN_QUERIES, "\n".join(q["sql"][:120] for q in queries)


def test_userinfo_answers_within_its_query_cap_and_still_writes_the_access_record(
    flow, client, siti
):
    tokens = flow.tokens()
    system = _system(client, flow)
    assert system.get("/oidc/userinfo/", tokens["access_token"]).status_code == 200  # warm
    before = AccessRecord.objects.filter(citizen=siti).count()
    with CaptureQueriesContext(connection) as queries:
        response = system.get("/oidc/userinfo/", tokens["access_token"])
    assert response.status_code == 200
    assert json.loads(response.content)["name"] == "Siti Nurhaliza"
    listed = "\n".join(q["sql"][:120] for q in queries)
    reads = [q for q in queries if not _access_log_statement(q["sql"])]
    assert len(reads) <= USERINFO_READS, listed
    assert len(queries) - len(reads) <= ACCESS_RECORD_STATEMENTS[connection.vendor], listed
    assert AccessRecord.objects.filter(citizen=siti).count() == before + 1

"""PostgreSQL plans a repeated statement once per connection (decision 0048)."""

import pytest
from django.db import connection

from config import settings as project_settings
from mpp.registry.models import Agency

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


@postgresql_only
@pytest.mark.django_db
def test_a_statement_run_again_is_prepared_and_still_reads_the_current_row():
    agency = Agency.objects.create(
        code="prep", short_name="Prep", name="Badan Uji", level="regional"
    )
    for _ in range(3):
        assert Agency.objects.get(code="prep").name == "Badan Uji"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%FROM "registry_agency"%'],
        )
        (prepared,) = cursor.fetchone()
    assert prepared >= 1
    # Only the plan is kept: a change made since is read at once.
    Agency.objects.filter(pk=agency.pk).update(name="Badan Baru")
    assert Agency.objects.get(code="prep").name == "Badan Baru"


def test_the_setting_turns_server_binding_on_for_postgresql_only(monkeypatch):
    monkeypatch.delenv("DB_SERVER_SIDE_BINDING", raising=False)
    monkeypatch.delenv("DB_PREPARE_THRESHOLD", raising=False)
    postgres = {"ENGINE": "django.db.backends.postgresql", "OPTIONS": {"sslmode": "require"}}
    project_settings.prepared_statements(postgres)
    assert postgres["OPTIONS"] == {
        "sslmode": "require",
        "server_side_binding": True,
        "prepare_threshold": 2,
    }
    sqlite = {"ENGINE": "django.db.backends.sqlite3"}
    project_settings.prepared_statements(sqlite)
    assert "OPTIONS" not in sqlite
    # Behind a transaction-pooling proxy a deployment turns it off.
    monkeypatch.setenv("DB_SERVER_SIDE_BINDING", "False")
    behind_proxy = {"ENGINE": "django.db.backends.postgresql"}
    project_settings.prepared_statements(behind_proxy)
    assert "OPTIONS" not in behind_proxy

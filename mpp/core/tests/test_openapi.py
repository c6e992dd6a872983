"""Every API operation names the shared error statuses (what the fuzzer checks in CI)."""


def test_every_operation_lists_the_error_statuses(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operations = [op for methods in schema["paths"].values() for op in methods.values()]
    assert operations
    for operation in operations:
        assert {"400", "401", "403", "404", "429"} <= set(operation["responses"])


def test_a_non_numeric_service_filter_is_a_400_not_a_500(client, ministry_analyst):
    client.force_login(ministry_analyst)
    response = client.get("/api/v1/quality/responses/list/", {"service": "abc"})
    assert response.status_code == 400
    assert "service" in response.json()

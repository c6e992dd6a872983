"""Complaint and survey limits apply to signed-in users too (per user, from any address)."""


def _complaint(client, mall_code, address):
    return client.post(
        "/api/v1/quality/complaints/",
        {"mall": mall_code, "category": "fee", "description": "Diminta uang tambahan."},
        content_type="application/json",
        REMOTE_ADDR=address,
    )


def test_a_signed_in_citizen_is_limited_across_addresses(client, quality, citizen):
    client.force_login(citizen)
    statuses = [_complaint(client, quality.mall.code, f"10.2.0.{i}").status_code for i in range(11)]
    assert statuses == [201] * 10 + [429]


def test_anonymous_complaints_are_limited_per_address(client, quality):
    statuses = [_complaint(client, quality.mall.code, "10.3.0.1").status_code for _ in range(11)]
    assert statuses == [201] * 10 + [429]
    assert _complaint(client, quality.mall.code, "10.3.0.2").status_code == 201

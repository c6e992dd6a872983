"""A complaint number that looks like a formula is exported as text (CSV injection)."""

import csv
import io

from django.urls import reverse

from mpp.surveys.services import complaint_file


def test_a_formula_like_lapor_number_is_exported_as_text(client, quality, mall_manager_sampit):
    complaint_file(
        mall=quality.mall,
        category="fee",
        description="Diminta uang tambahan.",
        channel="web",
        lapor_number="=1+1",
    )
    client.force_login(mall_manager_sampit)
    url = reverse("surveys:complaint_list", args=[quality.mall.code])
    response = client.get(url, {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["lapor_number"] == "'=1+1"

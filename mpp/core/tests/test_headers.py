"""Security headers: a Content-Security-Policy without inline scripts on every page (and
no template relies on one), and the camera allowed only on the face pages."""

import re
import uuid
from pathlib import Path

from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def test_every_page_has_a_csp_without_inline_scripts(client, db):
    response = client.get(reverse("registry:mall_directory"))
    policy = response.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", policy).group(1)
    assert script_src.strip() == "'self'"
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


def test_no_template_has_an_inline_script_or_handler():
    offenders = []
    for path in ROOT.rglob("templates/**/*.html"):
        text = path.read_text()
        for match in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            if "application/json" not in match.group(0):
                offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
        offenders += [f"{path.relative_to(ROOT)}: {m}" for m in re.findall(r"\son\w+=\"", text)]
    assert offenders == []


def test_the_camera_is_allowed_only_on_face_pages(client, db):
    page = client.get(reverse("registry:mall_directory"))
    assert "camera=()" in page.headers["Permissions-Policy"]
    camera = client.get(reverse("visits:kiosk_face_camera", args=["mpp-6202", uuid.uuid4()]))
    assert "camera=(self)" in camera.headers["Permissions-Policy"]

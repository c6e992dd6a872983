"""collectstatic with the production storage's manifest step: the step that failed when a
vendored file named a source map that was not shipped. The whole production run (compressed,
from a clean clone) is .ci/production.sh; this catches the same mistake in the unit suite."""

import json
import re

import pytest
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command

MANIFEST_STORAGE = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
# The two forms the manifest step rewrites (and fails on when the map is missing).
SOURCE_MAP = re.compile(rb"(?m)^(?://|/\*)# sourceMappingURL=([^\s*]+)")


@pytest.fixture
def collected(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST_STORAGE}}
    call_command("collectstatic", interactive=False, verbosity=0)
    return json.loads((tmp_path / "staticfiles.json").read_text())["paths"]


def test_collectstatic_writes_a_manifest_with_hashed_names(collected):
    assert re.fullmatch(r"favicon\.[0-9a-f]{12}\.svg", collected["favicon.svg"])
    assert "vendor/chartjs/chart.umd.min.js.map" in collected


def test_every_source_map_named_by_our_static_files_is_shipped():
    missing = []
    for finder in get_finders():
        for path, storage in finder.list(ignore_patterns=[]):
            if not path.endswith((".js", ".css")):
                continue
            with storage.open(path) as handle:
                for name in SOURCE_MAP.findall(handle.read()):
                    target = path.rsplit("/", 1)[0] + "/" + name.decode()
                    if not storage.exists(target):
                        missing.append(f"{path} → {name.decode()}")
    assert missing == []


def test_pages_render_with_the_manifest_when_debug_is_off(db, collected, client, settings):
    settings.DEBUG = False
    response = client.get("/malls/", secure=True)
    assert response.status_code == 200
    assert f"/static/{collected['favicon.svg']}".encode() in response.content

"""Fault: the media disk is full. An upload fails with a clear message naming the cause,
nothing is stored (no document row), and the rest of the citizen's pages keep working."""

import errno

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from ..models import Document
from .conftest import scan_png

pytestmark = pytest.mark.django_db


def test_an_upload_to_a_full_media_disk_is_refused_clearly_and_nothing_else_breaks(
    client, siti, monkeypatch, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)

    def disk_full(self, name, content):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", disk_full)
    client.force_login(siti.user)
    upload = SimpleUploadedFile("ktp.png", scan_png(), content_type="image/png")
    with translation.override("en"):
        response = client.post(
            reverse("citizens:document_add"),
            {"doc_type": "ktp", "file": upload},
            follow=True,
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert any("document store is full" in m for m in shown), shown
    assert not Document.objects.exists()
    assert client.get(reverse("citizens:home")).status_code == 200

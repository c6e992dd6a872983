"""The interface to an external identity provider (as the population registry offers:
NIK + face image → yes/no + score), and a fake that answers from local templates.

The Django side chooses the implementation by a dotted path in settings and calls
`verify(nik=..., image=...)`; `provider_load` is the one place that imports it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .matching import VERIFY_THRESHOLD, compare, face_sample
from .reasons import FaceError


@dataclass(frozen=True)
class ProviderAnswer:
    """matched: the provider's yes/no; score: its similarity (scale is the provider's own);
    reason: why there is no answer (bad image, unknown NIK, service unavailable)."""

    matched: bool
    score: float | None = None
    reason: str | None = None
    reference: str = ""  # the provider's transaction id, for the access log


class IdentityProvider(Protocol):
    def verify(self, *, nik: str, image: bytes) -> ProviderAnswer: ...


class FakeIdentityProvider:
    """Answers from templates registered in memory, with this library's own model.
    For tests and demos; a NIK it does not know answers `unknown_nik`."""

    def __init__(self, templates: dict[str, np.ndarray] | None = None, *, unavailable=False):
        self.templates = dict(templates or {})
        self.unavailable = unavailable
        self.calls = 0

    def register(self, *, nik: str, image: bytes) -> None:
        sample = face_sample(image)
        if not sample.ok:
            raise FaceError(sample.reasons[0], "the fake provider cannot register this image")
        self.templates[nik] = sample.embedding

    def verify(self, *, nik: str, image: bytes) -> ProviderAnswer:
        self.calls += 1
        reference = f"fake-{self.calls:06d}"
        if self.unavailable:
            return ProviderAnswer(False, reason="provider_unavailable", reference=reference)
        if nik not in self.templates:
            return ProviderAnswer(False, reason="unknown_nik", reference=reference)
        try:
            sample = face_sample(image)
        except FaceError as error:
            return ProviderAnswer(False, reason=error.reason.value, reference=reference)
        if not sample.ok:
            return ProviderAnswer(False, reason=sample.reasons[0].value, reference=reference)
        result = compare(sample.embedding, self.templates[nik], threshold=VERIFY_THRESHOLD)
        return ProviderAnswer(result.match, round(result.score, 4), reference=reference)


def provider_load(dotted_path: str, **options) -> IdentityProvider:
    """An instance of the class at "package.module.ClassName"."""
    module_name, _, class_name = dotted_path.rpartition(".")
    provider_class = getattr(importlib.import_module(module_name), class_name)
    return provider_class(**options)


__all__ = ["FakeIdentityProvider", "IdentityProvider", "ProviderAnswer", "provider_load"]

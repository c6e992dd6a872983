"""The scopes an agency's system may ask for, and the profile fields each releases.

Scopes follow the profile's consent categories, except that the NIK is its own scope
(`nik`, never in an ID token) and documents are asked for by type (`documents:ktp`).
"""

from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from oauth2_provider.scopes import BaseScopes

from mpp.citizens.vocabulary import CATEGORY_FIELDS, Category, DocumentType


@dataclass(frozen=True)
class Scope:
    name: str
    label: str
    category: str  # the consent category the grant records
    fields: tuple[str, ...]  # the access function's field keys
    document_type: str = ""


def _scopes() -> dict[str, Scope]:
    identity = tuple(k for k in CATEGORY_FIELDS[Category.IDENTITY] if k != "nik")
    found = [
        Scope("identity", _("Name, place and date of birth, sex"), Category.IDENTITY, identity),
        Scope("nik", _("NIK (national identity number)"), Category.IDENTITY, ("nik",)),
        Scope("civil", Category.CIVIL.label, Category.CIVIL, tuple(CATEGORY_FIELDS["civil"])),
        Scope("family", Category.FAMILY.label, Category.FAMILY, tuple(CATEGORY_FIELDS["family"])),
        Scope(
            "address", Category.ADDRESS.label, Category.ADDRESS, tuple(CATEGORY_FIELDS["address"])
        ),
        Scope(
            "contact", Category.CONTACT.label, Category.CONTACT, tuple(CATEGORY_FIELDS["contact"])
        ),
        Scope("tax", Category.TAX.label, Category.TAX, tuple(CATEGORY_FIELDS["tax"])),
    ]
    for value, label in DocumentType.choices:
        found.append(Scope(f"documents:{value}", label, Category.DOCUMENTS, ("documents",), value))
    return {s.name: s for s in found}


DATA_SCOPES = _scopes()
OPENID = "openid"
ALL_SCOPES = [OPENID, *DATA_SCOPES]


def scope_label(name: str):
    if name == OPENID:
        return _("Sign you in (a pseudonymous identifier, no personal data)")
    return DATA_SCOPES[name].label


def grant_of_scopes(scopes) -> tuple[list[str], list[str]]:
    """(categories, fields) a consent records for `scopes`: fields include
    "documents:<type>" entries."""
    categories, fields = set(), set()
    for name in scopes:
        scope = DATA_SCOPES.get(name)
        if scope is None:
            continue
        categories.add(scope.category)
        fields.update(scope.fields)
        if scope.document_type:
            fields.add(f"documents:{scope.document_type}")
    return sorted(categories), sorted(fields)


def release_of_scopes(scopes) -> tuple[list[str], list[str] | None]:
    """(fields, document types) to read for `scopes` (document types None: no documents)."""
    fields, types = [], []
    for name in ALL_SCOPES:
        scope = DATA_SCOPES.get(name)
        if scope is None or name not in scopes:
            continue
        fields += [f for f in scope.fields if f not in fields]
        if scope.document_type:
            types.append(scope.document_type)
    return fields, (types or None)


_LABELS: dict[str | None, dict[str, str]] = {}


class ScopesBackend(BaseScopes):
    """django-oauth-toolkit asks here which scopes exist and which a client may use."""

    def get_all_scopes(self):
        # Asked on every bearer check (AccessToken.scopes): the labels are translated once
        # per language, as the catalogues do not change while a process runs.
        language = get_language()
        labels = _LABELS.get(language)
        if labels is None:
            labels = _LABELS[language] = {name: str(scope_label(name)) for name in ALL_SCOPES}
        return dict(labels)

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        if application is None:
            return list(ALL_SCOPES)  # the discovery document's scopes_supported
        agency_client = getattr(application, "agency_client", None)
        if agency_client is None:
            return [OPENID]
        return [OPENID, *[s for s in agency_client.scopes if s in DATA_SCOPES]]

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return [OPENID]

"""The shared vocabulary of citizen data: profile fields, the data categories a consent
names, document types, and how a service's requirements (free text in its standard) map to
fields and documents.

Adding a field: add it to FIELDS (with its category); adding a consent category (e.g. the
face data of the biometrics issue): add it to Category and CATEGORY_FIELDS.
"""

import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    IDENTITY = "identity", _("Identity (NIK, name, birth, sex)")
    CIVIL = "civil", _("Civil status (religion, marriage, occupation, citizenship)")
    FAMILY = "family", _("Family card")
    ADDRESS = "address", _("Address")
    CONTACT = "contact", _("Phone and e-mail")
    TAX = "tax", _("Tax number (NPWP)")
    DOCUMENTS = "documents", _("Documents")
    BIOMETRIC = "biometric", _("Face data (biometric)")


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    category: str
    kind: str = "text"  # text, date, choice, region, email, phone, digits


FIELD_LIST = [
    Field("nik", _("NIK"), Category.IDENTITY, "digits"),
    Field("full_name", _("Full name"), Category.IDENTITY),
    Field("birth_place", _("Place of birth"), Category.IDENTITY),
    Field("birth_date", _("Date of birth"), Category.IDENTITY, "date"),
    Field("sex", _("Sex"), Category.IDENTITY, "choice"),
    Field("religion", _("Religion"), Category.CIVIL, "choice"),
    Field("marital_status", _("Marital status"), Category.CIVIL, "choice"),
    Field("occupation", _("Occupation"), Category.CIVIL),
    Field("citizenship", _("Citizenship"), Category.CIVIL, "choice"),
    Field("family_card_number", _("Family card (KK) number"), Category.FAMILY, "digits"),
    Field("address", _("Street address"), Category.ADDRESS),
    Field("rt", _("RT"), Category.ADDRESS, "digits"),
    Field("rw", _("RW"), Category.ADDRESS, "digits"),
    Field("village_code", _("Village (desa/kelurahan) code"), Category.ADDRESS, "region"),
    Field("phone", _("Mobile phone"), Category.CONTACT, "phone"),
    Field("email", _("E-mail"), Category.CONTACT, "email"),
    Field("npwp", _("NPWP (tax number)"), Category.TAX, "digits"),
]
FIELDS = {f.key: f for f in FIELD_LIST}
FIELD_ORDER = [f.key for f in FIELD_LIST]

CATEGORY_FIELDS: dict[str, list[str]] = {c: [] for c in Category.values}
for _f in FIELD_LIST:
    CATEGORY_FIELDS[_f.category].append(_f.key)
CATEGORY_FIELDS[Category.DOCUMENTS] = ["documents"]
CATEGORY_FIELDS[Category.BIOMETRIC] = ["face"]  # filled by the face enrolment issue


def fields_of_categories(categories) -> set[str]:
    return {key for c in categories for key in CATEGORY_FIELDS.get(c, [])}


CHOICES = {
    "sex": [("M", _("Male")), ("F", _("Female"))],
    "religion": [
        ("islam", _("Islam")),
        ("kristen", _("Protestant Christianity")),
        ("katolik", _("Catholicism")),
        ("hindu", _("Hinduism")),
        ("buddha", _("Buddhism")),
        ("khonghucu", _("Confucianism")),
        ("kepercayaan", _("Belief in God (kepercayaan)")),
    ],
    "marital_status": [
        ("belum_kawin", _("Not married")),
        ("kawin", _("Married")),
        ("cerai_hidup", _("Divorced")),
        ("cerai_mati", _("Widowed")),
    ],
    "citizenship": [("WNI", _("Indonesian (WNI)")), ("WNA", _("Foreign (WNA)"))],
}


class DocumentType(models.TextChoices):
    KTP = "ktp", _("Identity card (KTP-el)")
    KK = "kk", _("Family card (KK)")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    MARRIAGE_CERTIFICATE = "marriage_certificate", _("Marriage certificate")
    NPWP = "npwp", _("NPWP card")
    PHOTO = "photo", _("Passport photo")
    DIPLOMA = "diploma", _("Diploma")
    OTHER = "other", _("Other document")


# Every application identifies its applicant.
BASE_FIELDS = ["nik", "full_name", "phone"]

# Requirement text (lower-case, searched as a regular expression) → fields and documents.
REQUIREMENT_RULES: list[tuple[str, list[str], list[str]]] = [
    (
        r"\bktp",
        [
            "birth_place",
            "birth_date",
            "sex",
            "religion",
            "marital_status",
            "occupation",
            "citizenship",
            "address",
            "rt",
            "rw",
            "village_code",
        ],
        [DocumentType.KTP],
    ),
    (r"\bkk\b|kartu keluarga", ["family_card_number"], [DocumentType.KK]),
    (r"akta kelahiran|surat keterangan lahir", ["birth_place", "birth_date"], []),
    (r"akta kelahiran", [], [DocumentType.BIRTH_CERTIFICATE]),
    (r"akta perkawinan|buku nikah", ["marital_status"], [DocumentType.MARRIAGE_CERTIFICATE]),
    (r"npwp", ["npwp"], []),
    (r"e-?mail", ["email"], []),
    (r"ponsel|telepon|nomor hp|\bhp\b", ["phone"], []),
    (r"pas foto", [], [DocumentType.PHOTO]),
    (r"ijazah", [], [DocumentType.DIPLOMA]),
]


@dataclass
class Needs:
    fields: list[str]
    documents: list[str]
    other: list[str]  # requirement lines the vocabulary does not cover: brought in person


def requirements_needs(requirements: list[str]) -> Needs:
    """What a list of requirement lines asks of the profile, in profile order."""
    fields, documents, other = set(BASE_FIELDS), [], []
    for line in requirements:
        text = str(line).strip().lower()
        matched = False
        for pattern, rule_fields, rule_documents in REQUIREMENT_RULES:
            if re.search(pattern, text):
                matched = True
                fields.update(rule_fields)
                documents += [d for d in rule_documents if d not in documents]
        if not matched and text:
            other.append(str(line).strip())
    return Needs([k for k in FIELD_ORDER if k in fields], [str(d) for d in documents], other)

"""Citizen accounts, profile corrections, documents, consents and delegations."""

import errno
import hashlib
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from mpp.accounts.models import Role
from mpp.core.audit import audit_record
from mpp.core.messaging import Message, get_backend
from mpp.core.nik import nik_hash, nik_mask
from mpp.core.uploads import uploaded_type
from mpp.registry.models import Agency, Mall, OfficerPosting

from .. import access, vault
from ..models import (
    Channel,
    Citizen,
    Consent,
    ConsentMethod,
    Delegation,
    Document,
    DocumentStatus,
    OneTimeCode,
    Purpose,
)
from ..models.profile import mask_name
from ..nik import NikInfo, nik_birth_date_warning, nik_parse
from ..signals import consent_withdrawn
from ..validation import phone_clean
from ..vocabulary import Category, DocumentType, fields_of_categories


def _send_sms(phone: str, body: str) -> None:
    get_backend().send(Message(channel="sms", address=phone, body=body))


def _masked_phone(phone: str) -> str:
    return phone[:4] + "•" * max(len(phone) - 6, 0) + phone[-2:]


@transaction.atomic
def citizen_create(
    *,
    nik: str,
    full_name: str,
    birth_date: date | None,
    phone: str,
    user=None,
    by=None,
    mall: Mall | None = None,
    profile: dict | None = None,
) -> Citizen:
    """Create a citizen from their NIK and first data. Raises ValidationError naming the
    field (a wrong NIK shape, a NIK already registered, a bad phone)."""
    errors = {}
    info: NikInfo | None = None
    try:
        info = nik_parse(nik)
    except ValidationError as error:
        errors["nik"] = error.messages
    if info and Citizen.objects.filter(nik_hash=nik_hash(info.nik)).exists():
        errors["nik"] = [_("This NIK is already registered.")]
    if not full_name.strip():
        errors["full_name"] = [_("This field is required.")]
    try:
        phone = phone_clean(phone)
    except ValidationError as error:
        errors["phone"] = error.messages
    if errors:
        raise ValidationError(errors)
    warnings = list(info.warnings)
    if birth_warning := nik_birth_date_warning(info, birth_date):
        warnings.append(birth_warning)
    data = dict(profile or {})
    data.update(
        {
            "full_name": full_name.strip(),
            "birth_date": (birth_date or info.birth_date or "")
            and str(birth_date or info.birth_date),
            "sex": info.sex,
            "phone": phone,
        }
    )
    citizen = Citizen.objects.create(
        user=user,
        nik_hash=nik_hash(info.nik),
        nik_masked=nik_mask(info.nik),
        nik_sealed=vault.seal_text(info.nik),
        name_masked=mask_name(full_name),
        sealed_profile=vault.seal_json(data),
        nik_warnings=warnings,
        registered_by=by,
        registered_at_mall=mall,
    )
    audit_record(actor=by or user, action="citizen_create", target=citizen, summary=str(citizen))
    return citizen


@transaction.atomic
def citizen_register_start(
    *, nik: str, full_name: str, birth_date: date, phone: str, username: str, password: str
) -> tuple[OneTimeCode, NikInfo]:
    """First step of online registration: check everything, send a code by SMS. Nothing
    but the (sealed) pending data and the hashed code is stored."""
    errors = {}
    try:
        info = nik_parse(nik)
        if Citizen.objects.filter(nik_hash=nik_hash(info.nik)).exists():
            errors["nik"] = [_("This NIK is already registered.")]
    except ValidationError as error:
        info = None
        errors["nik"] = error.messages
    try:
        phone = phone_clean(phone)
    except ValidationError as error:
        errors["phone"] = error.messages
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This user name is taken.")]
    try:
        validate_password(password, User(username=username, first_name=full_name))
    except ValidationError as error:
        errors["password"] = error.messages
    if errors:
        raise ValidationError(errors)
    code = OneTimeCode.new_code()
    challenge = OneTimeCode(
        use=OneTimeCode.Use.REGISTER,
        phone_masked=_masked_phone(phone),
        expires_at=timezone.now() + OneTimeCode.TTL,
        sealed_payload=vault.seal_json(
            {
                "nik": info.nik,
                "full_name": full_name,
                "birth_date": birth_date.isoformat() if birth_date else "",
                "phone": phone,
                "username": username,
                "password": _hash_password(password),
            }
        ),
    )
    challenge.set_code(code)
    challenge.save()
    _send_sms(phone, _("MPP registration code: %(code)s (valid 10 minutes)") % {"code": code})
    return challenge, info


def _hash_password(password: str) -> str:
    from django.contrib.auth.hashers import make_password

    return make_password(password)


def _use_code(challenge: OneTimeCode, code: str) -> None:
    """Check a one-time code; a wrong try counts even though the caller rolls back."""
    if not challenge.is_usable():
        raise ValidationError({"code": [_("This code has expired; ask for a new one.")]})
    if not challenge.matches(code):
        OneTimeCode.objects.filter(pk=challenge.pk).update(attempts=F("attempts") + 1)
        challenge.refresh_from_db(fields=["attempts"])
        raise ValidationError({"code": [_("The code is wrong.")]})
    challenge.used_at = timezone.now()
    challenge.save(update_fields=["used_at"])


def citizen_register_confirm(*, challenge: OneTimeCode, code: str) -> Citizen:
    """Second step: the code from the SMS creates the account and the citizen."""
    _use_code(challenge, code)  # outside the atomic block: wrong tries must stick
    with transaction.atomic():
        data = access.registration_payload_open(challenge)
        user = get_user_model().objects.create(
            username=data["username"],
            password=data["password"],
            first_name=data["full_name"][:150],
            role=Role.CITIZEN,
        )
        birth = date.fromisoformat(data["birth_date"]) if data["birth_date"] else None
        citizen = citizen_create(
            nik=data["nik"],
            full_name=data["full_name"],
            birth_date=birth,
            phone=data["phone"],
            user=user,
        )
        challenge.sealed_payload = ""
        challenge.save(update_fields=["sealed_payload"])
    return citizen


def profile_correct(*, citizen: Citizen, changes: dict, by, channel: str = Channel.WEB) -> list:
    """The citizen (or an officer under delegation) corrects profile fields. Returns the
    changed field names. Each change is logged and audited (names, never values)."""
    from ..validation import profile_values_clean

    cleaned = profile_values_clean(changes, allow_blank=True)
    purpose = Purpose.CORRECTION if access._is_owner(by, citizen) else Purpose.ASSISTED
    # The right to write is the right to read those fields; checked (and logged) first,
    # outside the transaction, so a refusal stays in the log.
    access.citizen_data_read(
        citizen=citizen, actor=by, purpose=purpose, fields=list(cleaned), channel=channel
    )
    with transaction.atomic():
        changed = access.profile_write(citizen=citizen, changes=cleaned)
        if "full_name" in changed:
            citizen.name_masked = mask_name(cleaned["full_name"])
        citizen.save()
        audit_record(
            actor=by,
            action="profile_correct",
            target=citizen,
            summary=f"{citizen.nik_masked}: {', '.join(changed) or '-'}",
            details={"fields": changed},
        )
    return changed


@transaction.atomic
def document_upload(*, citizen: Citizen, doc_type: str, content: bytes, by) -> Document:
    """Store a document encrypted. The type is found by parsing the file (a PDF must open,
    an image must decode), not from its name or first bytes; PDF, JPEG and PNG up to 5 MB."""
    if doc_type not in DocumentType.values:
        raise ValidationError({"doc_type": [_("Unknown document type.")]})
    if len(content) > Document.MAX_BYTES:
        raise ValidationError({"file": [_("The file is larger than 5 MB.")]})
    content_type = uploaded_type(content)
    if not content_type:
        raise ValidationError({"file": [_("Only PDF, JPEG or PNG files are accepted.")]})
    if not (access._is_owner(by, citizen) or _has_delegation(by, citizen)):
        raise access.AccessRefused(_("Not allowed to add documents."), code="not_allowed")
    document = Document(
        citizen=citizen,
        doc_type=doc_type,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    try:
        document.file.save("document.bin", ContentFile(vault.seal_bytes(content)), save=False)
    except OSError as error:
        if error.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        # The media disk is full: a clear refusal, nothing stored, the rest keeps working.
        raise ValidationError(
            {"file": [_("The document store is full: the file was not saved. Try again later.")]}
        ) from None
    document.save()
    audit_record(actor=by, action="document_upload", target=document, summary=doc_type)
    return document


def _has_delegation(officer, citizen) -> bool:
    return Delegation.objects.filter(
        citizen=citizen, officer=officer, confirmed_at__isnull=False, expires_at__gt=timezone.now()
    ).exists()


def document_verify(
    *, document: Document, officer, purpose: str = Purpose.SERVICE_DELIVERY
) -> Document:
    """An officer who saw the original marks the document verified by their agency.
    Verifying is reading the citizen's documents: the same consent rule, logged (and a
    refusal logged too) before anything changes. Verifying twice changes nothing."""
    posting = OfficerPosting.objects.filter(officer=officer).select_related("agency").first()
    if posting is None:
        raise access.AccessRefused(_("Only a posted officer can verify."), code="not_allowed")
    access.citizen_data_read(
        citizen=document.citizen,
        actor=officer,
        purpose=purpose,
        fields=["documents"],
        mall=posting.mall,
        channel=Channel.COUNTER,
    )
    if document.status == DocumentStatus.VERIFIED:
        return document
    # The read above stays outside: a refusal must be logged, not rolled back.
    with transaction.atomic():
        document.status = DocumentStatus.VERIFIED
        document.verified_by = officer
        document.verified_agency = posting.agency
        document.verified_at = timezone.now()
        document.save()
        audit_record(
            actor=officer, action="document_verify", target=document, summary=str(document)
        )
    return document


@transaction.atomic
def consent_grant(
    *,
    citizen: Citizen,
    agency: Agency,
    purpose: str,
    categories: list[str],
    days: int,
    by,
    method: str = ConsentMethod.WEB,
    application=None,
    fields: list[str] | None = None,
) -> Consent:
    """`fields` narrows the categories to exactly those fields (a sign-in grant: the NIK
    is its own scope; "documents:<type>" entries name the document types)."""
    errors = {}
    if purpose not in Purpose.consentable():
        errors["purpose"] = [_("Not a purpose one can consent to.")]
    unknown = [c for c in categories if c not in Category.values]
    if not categories or unknown:
        errors["categories"] = [_("Choose at least one data category from the list.")]
    if purpose == Purpose.BIOMETRIC and categories != [Category.BIOMETRIC]:
        errors["categories"] = [_("Biometric consent covers face data only.")]
    if not 1 <= days <= 3650:
        errors["days"] = [_("Between 1 and 3650 days.")]
    covered = fields_of_categories(categories)
    stray = [f for f in fields or [] if f not in covered and not str(f).startswith("documents:")]
    if stray:
        errors["fields"] = [_("Fields outside the categories: %(f)s") % {"f": ", ".join(stray)}]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    consent = Consent.objects.create(
        citizen=citizen,
        agency=agency,
        purpose=purpose,
        categories=sorted(set(categories)),
        granted_at=now,
        expires_at=now + timedelta(days=days),
        method=method,
        granted_by=by,
        application=application,
        fields=sorted(set(fields or [])),
    )
    audit_record(actor=by, action="consent_grant", target=consent, summary=str(consent))
    return consent


@transaction.atomic
def consent_revoke(*, consent: Consent, by) -> Consent:
    """Withdraw at once; the row stays as proof of what was allowed until now."""
    if consent.revoked_at is None:
        consent.revoked_at = timezone.now()
        consent.save(update_fields=["revoked_at"])
        audit_record(actor=by, action="consent_revoke", target=consent, summary=str(consent))
        # Apps further down (mpp.identity) end what the consent allowed, e.g. its tokens.
        consent_withdrawn.send(sender=Consent, consent=consent)
    return consent


def _citizen_phone(citizen: Citizen) -> str:
    reading = access.citizen_data_read(
        citizen=citizen, actor=None, purpose=Purpose.NOTIFICATION, fields=["phone"]
    )
    return reading.values.get("phone", "")


def citizen_notify(*, citizen: Citizen, body: str) -> bool:
    """Send an SMS to the citizen; reading their phone number is itself logged."""
    if citizen.is_erased:
        return False
    phone = _citizen_phone(citizen)
    if not phone:
        return False
    try:
        _send_sms(phone, body)
    except ConnectionError:
        return False
    return True


def delegation_open(*, citizen: Citizen, officer, minutes: int = 30) -> Delegation:
    """An unconfirmed delegation from `citizen` to a posted officer, for their agency and
    mall; the citizen confirms it by a code (`delegation_request`) or by face
    (`faces.delegation_face_start`)."""
    posting = OfficerPosting.objects.filter(officer=officer).first()
    if posting is None:
        raise access.AccessRefused(_("Only a posted officer can assist."), code="not_allowed")
    return Delegation.objects.create(
        citizen=citizen,
        officer=officer,
        agency_id=posting.agency_id,
        mall_id=posting.mall_id,
        expires_at=timezone.now() + timedelta(minutes=minutes),
    )


@transaction.atomic
def delegation_request(*, citizen: Citizen, officer, minutes: int = 30) -> Delegation:
    """The assisted lane: the officer asks; the citizen receives a code by SMS and reads it
    out to confirm."""
    delegation = delegation_open(citizen=citizen, officer=officer, minutes=minutes)
    code = OneTimeCode.new_code()
    challenge = OneTimeCode(
        use=OneTimeCode.Use.DELEGATION,
        phone_masked="",
        delegation=delegation,
        expires_at=timezone.now() + OneTimeCode.TTL,
    )
    challenge.set_code(code)
    challenge.save()
    citizen_notify(
        citizen=citizen,
        body=_("Code %(code)s lets the officer at %(agency)s help you for %(minutes)s minutes.")
        % {"code": code, "agency": delegation.agency.short_name, "minutes": minutes},
    )
    return delegation


def delegation_confirm(*, delegation: Delegation, code: str) -> Delegation:
    challenge = OneTimeCode.objects.filter(delegation=delegation).order_by("-created_at").first()
    if challenge is None:
        raise ValidationError({"code": [_("No code was sent.")]})
    _use_code(challenge, code)
    with transaction.atomic():
        delegation.confirmed_at = timezone.now()
        delegation.confirmed_with = "sms_code"
        delegation.save(update_fields=["confirmed_at", "confirmed_with"])
        audit_record(
            actor=delegation.officer,
            action="delegation_confirm",
            target=delegation,
            summary=str(delegation.citizen),
        )
    return delegation

"""The one door to citizen data. Every read of personal data — by the citizen, an officer,
an agency system or the platform itself — goes through `citizen_data_read` (or one of the
helpers below that call it), which decides what may be read and writes an access record,
also when it refuses.

Who may read what:

| reader                           | purposes                   | fields                        |
|----------------------------------|----------------------------|-------------------------------|
| the citizen (own account)        | self, correction, export   | everything                    |
| counter officer / agency system  | a consented purpose        | categories of active consents |
|   with a confirmed delegation    | assisted                   | everything                    |
| the platform (actor None)        | notification               | name, phone, e-mail           |
| anyone else (managers, analysts) | —                          | nothing (refused, logged)     |

The personal data itself is sealed in the database (`vault`); only this module opens it.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from mpp.accounts.models import Role
from mpp.core.compiled import CompiledLookup
from mpp.registry.models import Agency, Mall, OfficerPosting

from . import vault
from .ledger import access_record_append
from .models import (
    AccessOutcome,
    AccessRecord,
    Application,
    Channel,
    Citizen,
    Consent,
    Delegation,
    Document,
    Purpose,
)
from .models.applications import ApplicationStatus as S
from .vocabulary import CATEGORY_FIELDS, FIELD_ORDER, Category, fields_of_categories

ALL_FIELDS = [*FIELD_ORDER, "documents"]
# A read outside a serving context, with the officer's reason: the access record's reason
# starts with this (the reason is part of the hash chain, so the flag cannot be removed).
BREAK_GLASS = "break-glass: "
BREAK_GLASS_MIN_CHARS = 10
# Checks (citizen=, officer=) -> bool that the officer is serving the citizen right now,
# registered by apps further down the import chain (visits: the citizen's ticket is called
# or served by this officer). An open application with the agency is checked here.
SERVING_CHECKS: list = []
OPEN_APPLICATION = [S.SUBMITTED, S.IN_PROCESS, S.NEEDS_DATA]
SELF_PURPOSES = {Purpose.SELF, Purpose.CORRECTION, Purpose.EXPORT, Purpose.ERASURE}
SYSTEM_FIELDS = {"phone", "email", "full_name"}


class AccessRefused(PermissionDenied):
    """The read was refused (and logged). `code`: no_consent, not_allowed, erased."""

    def __init__(self, message: str, *, code: str, record: AccessRecord | None = None):
        super().__init__(message)
        self.code = code
        self.record = record


@dataclass
class Reading:
    """What a reader got: `values` holds exactly the fields they may see."""

    citizen: Citizen
    values: dict = field(default_factory=dict)
    fields: list[str] = field(default_factory=list)
    record: AccessRecord | None = None
    code: str = ""  # why nothing was granted (no_consent, no_context, …)

    @property
    def granted(self) -> bool:
        return bool(self.fields)

    @property
    def masked_name(self) -> str:
        return self.citizen.name_masked

    @property
    def nik_masked(self) -> str:
        return self.citizen.nik_masked


@dataclass
class SystemReader:
    """An agency's own system reading through a sign-in grant (mpp.identity): no user of
    ours, so the access record names the system (`label`, e.g. "Sistem BPJS Kesehatan")."""

    label: str
    agency: Agency
    document_types: list[str] | None = None  # None: every document type the consent allows


@dataclass
class _Decision:
    allowed: set[str]
    agency: Agency | None = None
    mall: Mall | None = None
    channel: str = Channel.WEB
    consent: Consent | None = None
    reason: str = ""
    code: str = ""
    break_glass: str = ""
    document_types: set[str] | None = None  # None: every type (a consent without types)


# --- deciding ----------------------------------------------------------------------------


def _is_owner(actor, citizen: Citizen) -> bool:
    return actor is not None and citizen.user_id is not None and actor.pk == citizen.user_id


def officer_is_serving(*, citizen, officer, agency) -> bool:
    """The officer serves this citizen now: an open application with the officer's agency,
    or a serving check registered by another app (the citizen's ticket at their counter)."""
    if Application.objects.filter(
        citizen=citizen, agency=agency, status__in=OPEN_APPLICATION
    ).exists():
        return True
    return any(check(citizen=citizen, officer=officer) for check in SERVING_CHECKS)


def _bind_to_context(decision: _Decision, actor, citizen, break_glass: str) -> _Decision:
    """Consent is per agency, nationwide: it lets an officer read only while serving the
    citizen. Otherwise the read needs a reason (break-glass), which flags it."""
    if not decision.allowed or not settings.CITIZENS_READS_NEED_CONTEXT:
        return decision
    if officer_is_serving(citizen=citizen, officer=actor, agency=decision.agency):
        return decision
    reason = " ".join(break_glass.split())
    if len(reason) >= BREAK_GLASS_MIN_CHARS:
        decision.break_glass = reason
        return decision
    decision.allowed = set()
    decision.code = "no_context"
    decision.reason = (
        _("You are not serving this citizen now: give a reason to read (break-glass).")
        if not reason
        else _("The reason is too short: say why you need to read this citizen's data.")
    )
    return decision


def _officer_decision(actor, citizen, purpose, mall, channel, break_glass="") -> _Decision:
    posting = OfficerPosting.objects.select_related("agency", "mall").filter(officer=actor).first()
    if posting is None:
        return _Decision(set(), code="not_allowed", reason=_("The officer has no posting."))
    if mall is not None and mall.pk != posting.mall_id:
        return _Decision(
            set(),
            agency=posting.agency,
            mall=mall,
            channel=channel,
            code="not_allowed",
            reason=_("The officer is not posted at this mall."),
        )
    decision = _Decision(set(), agency=posting.agency, mall=posting.mall, channel=channel)
    if purpose == Purpose.ASSISTED:
        delegation = (
            Delegation.objects.filter(
                citizen=citizen,
                officer=actor,
                confirmed_at__isnull=False,
                expires_at__gt=timezone.now(),
            )
            .order_by("-expires_at")
            .first()
        )
        if delegation:
            decision.allowed = set(ALL_FIELDS)
            decision.channel = Channel.ASSISTED
            return decision
        decision.code = "no_consent"
        decision.reason = _("No confirmed delegation from the citizen.")
        return decision
    consents = list(
        Consent.objects.active().filter(citizen=citizen, agency=posting.agency, purpose=purpose)
    )
    for consent in consents:
        decision.allowed |= consent_fields(consent)
    decision.consent = consents[0] if consents else None
    if not decision.allowed:
        decision.code = "no_consent"
        decision.reason = _("No active consent for this agency and purpose.")
    return _bind_to_context(decision, actor, citizen, break_glass)


def consent_fields(consent: Consent) -> set[str]:
    """The fields a consent covers: its categories, narrowed to its `fields` when set."""
    allowed = fields_of_categories(consent.categories)
    if consent.fields:
        allowed &= set(consent.fields)
    return allowed


# An agency system's consents, read on every userinfo release: its SQL compiled once per
# process (mpp.core.compiled); the rows are read each time, so a withdrawal counts at once.
_ACTIVE_CONSENTS = CompiledLookup(
    Consent,
    lambda citizen_id, agency_id, purpose, at: Consent.objects.active(at).filter(
        citizen_id=citizen_id, agency_id=agency_id, purpose=purpose
    ),
    sentinels={
        "citizen_id": -7_000_001,
        "agency_id": -7_000_002,
        "purpose": "\x00mpp-purpose\x00",
        "at": datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC),
    },
)


def _system_decision(system: SystemReader, citizen, purpose) -> _Decision:
    decision = _Decision(set(), agency=system.agency, channel=Channel.API)
    consents = _ACTIVE_CONSENTS.all(
        citizen_id=citizen.pk, agency_id=system.agency.pk, purpose=purpose, at=timezone.now()
    )
    types, every_type = set(), False
    for consent in consents:
        allowed = consent_fields(consent)
        decision.allowed |= allowed
        if "documents" in allowed:
            named = {f.split(":", 1)[1] for f in consent.fields if f.startswith("documents:")}
            types |= named
            every_type = every_type or not named
    decision.document_types = None if every_type else types
    decision.consent = consents[0] if consents else None
    if not decision.allowed:
        decision.code = "no_consent"
        decision.reason = _("No active consent for this agency and purpose.")
    return decision


def _decide(*, citizen, actor, purpose, mall, channel, break_glass="", system=None) -> _Decision:
    if citizen.is_erased:
        return _Decision(set(), code="erased", reason=_("The account was erased."))
    if system is not None:
        return _system_decision(system, citizen, purpose)
    if actor is None:
        if purpose == Purpose.NOTIFICATION:
            return _Decision(set(SYSTEM_FIELDS), channel=Channel.SYSTEM)
        return _Decision(set(), channel=Channel.SYSTEM, code="not_allowed", reason="system")
    if _is_owner(actor, citizen):
        if purpose in SELF_PURPOSES:
            return _Decision(set(ALL_FIELDS), channel=channel)
        return _Decision(set(), code="not_allowed", reason=_("Not a purpose for the citizen."))
    if actor.is_active and actor.role == Role.COUNTER_OFFICER:
        if purpose in SELF_PURPOSES or purpose == Purpose.NOTIFICATION:
            return _Decision(set(), code="not_allowed", reason=_("Not an agency purpose."))
        return _officer_decision(actor, citizen, purpose, mall, channel, break_glass)
    return _Decision(set(), channel=channel, code="not_allowed", reason=_("Role may not read."))


# --- reading -----------------------------------------------------------------------------


def _values(citizen: Citizen, fields: list[str], document_types=None) -> dict:
    profile = vault.open_json(citizen.sealed_profile)
    values = {}
    for key in fields:
        if key == "nik":
            values["nik"] = vault.open_text(citizen.nik_sealed)
        elif key == "documents":
            documents = Document.objects.filter(citizen=citizen).select_related("verified_agency")
            if document_types is not None:
                documents = documents.filter(doc_type__in=document_types)
            values["documents"] = [d.summary() for d in documents]
        else:
            values[key] = profile.get(key, "")
    return values


def citizen_data_read(
    *,
    citizen: Citizen,
    actor,
    purpose: str,
    fields: list[str] | None = None,
    mall: Mall | None = None,
    channel: str = Channel.WEB,
    strict: bool = True,
    break_glass: str = "",
    system: SystemReader | None = None,
    reason: str = "",
) -> Reading:
    """Read `fields` (default: all the reader may see) of `citizen` for `purpose`.
    An officer reads consented data only while serving the citizen; `break_glass` (their
    reason) allows it otherwise, flagged in the log and shown to the citizen and managers.

    strict=True: refuse (log, then raise AccessRefused) unless every requested field is
    allowed. strict=False: return what is allowed — possibly nothing, which is logged as a
    refusal — e.g. the officer console, which then shows only the masked name.

    `system` (with actor None): an agency's system under a sign-in grant; `reason` then
    names the client and what it asked for, kept in the record."""
    decision = _decide(
        citizen=citizen,
        actor=actor,
        purpose=purpose,
        mall=mall,
        channel=channel,
        break_glass=break_glass,
        system=system,
    )
    wanted = (
        list(fields) if fields is not None else [k for k in ALL_FIELDS if k in decision.allowed]
    )
    unknown = [k for k in wanted if k not in ALL_FIELDS]
    if unknown:
        raise ValueError(f"Unknown citizen data fields: {unknown}")
    granted = [k for k in wanted if k in decision.allowed]
    refused = (strict and len(granted) < len(wanted)) or not granted
    common = {
        "citizen": citizen,
        "actor": actor,
        "purpose": purpose,
        "channel": decision.channel,
        "agency": decision.agency,
        "mall": decision.mall or mall,
        "consent": decision.consent,
        "actor_label": system.label if system else "",
    }
    if refused:
        refusal = decision.reason or _("Fields without consent: %(fields)s") % {
            "fields": ", ".join(k for k in wanted if k not in decision.allowed)
        }
        record = access_record_append(
            **common,
            fields=wanted,
            outcome=AccessOutcome.REFUSED,
            reason=f"{reason}: {refusal}" if reason else refusal,
        )
        if strict:
            raise AccessRefused(refusal, code=decision.code or "no_consent", record=record)
        return Reading(citizen=citizen, record=record, code=decision.code)
    if decision.break_glass:
        reason = (BREAK_GLASS + decision.break_glass)[:200]
    record = access_record_append(
        **common, fields=granted, outcome=AccessOutcome.GRANTED, reason=reason
    )
    types = system.document_types if system else None
    if decision.document_types is not None:  # the consents name document types
        types = [t for t in (types or decision.document_types) if t in decision.document_types]
    values = _values(citizen, granted, types)
    return Reading(citizen=citizen, values=values, fields=granted, record=record)


def citizen_profile_for_officer(
    *, citizen: Citizen, officer, purpose: str, mall: Mall, break_glass: str = ""
) -> Reading:
    """What the counter console shows: exactly the consented fields, or (without consent,
    or outside a serving context without a reason) nothing but the masked name and NIK.
    Logged either way."""
    return citizen_data_read(
        citizen=citizen,
        actor=officer,
        purpose=purpose,
        mall=mall,
        channel=Channel.COUNTER,
        strict=False,
        break_glass=break_glass,
    )


def document_file_read(
    *, document: Document, actor, purpose: str, mall=None, channel: str = Channel.WEB
) -> bytes:
    """The decrypted bytes of a document, for a reader allowed to see documents."""
    citizen_data_read(
        citizen=document.citizen,
        actor=actor,
        purpose=purpose,
        fields=["documents"],
        mall=mall,
        channel=channel,
    )
    with document.file.open("rb") as handle:
        return vault.open_bytes(handle.read())


def application_data_read(
    *, application: Application, actor, purpose: str, channel: str = Channel.WEB
) -> dict:
    """The data submitted with an application: for the citizen, or for an officer of the
    application's agency under an active consent (submitting grants one)."""
    fields = [k for k in application.fields_required if k in ALL_FIELDS]
    citizen_data_read(
        citizen=application.citizen,
        actor=actor,
        purpose=purpose,
        fields=fields or ["full_name"],
        channel=channel,
    )
    return vault.open_json(application.sealed_data)


# --- writing the profile (the service layer calls these) --------------------------------


def profile_write(*, citizen: Citizen, changes: dict) -> list[str]:
    """Write `changes` into the sealed profile (caller saves the citizen) and return the
    keys whose value changed. The caller must first have passed `citizen_data_read` for
    those fields, outside its transaction so that a refusal stays logged."""
    keys = [k for k in changes if k in FIELD_ORDER and k != "nik"]
    profile = vault.open_json(citizen.sealed_profile)
    changed = sorted(k for k in keys if profile.get(k, "") != changes[k])
    profile.update({k: changes[k] for k in keys})
    citizen.sealed_profile = vault.seal_json(profile)
    return changed


def profile_known_fields(*, citizen: Citizen) -> set[str]:
    """Which profile fields have a value — not the values; used to decide what an
    application must still ask. Not a read of personal data, so not logged."""
    profile = vault.open_json(citizen.sealed_profile)
    known = {k for k, v in profile.items() if v not in ("", None)}
    if citizen.nik_sealed:
        known.add("nik")
    return known


def citizen_export_read(*, citizen: Citizen, actor) -> dict:
    """Everything about the citizen, for the right of access and portability: profile,
    documents, consents, applications (with their data and history) and the access log."""
    reading = citizen_data_read(citizen=citizen, actor=actor, purpose=Purpose.EXPORT)
    applications = (
        Application.objects.filter(citizen=citizen)
        .select_related("service", "agency", "mall")
        .prefetch_related("events")
    )
    consents = Consent.objects.filter(citizen=citizen).select_related("agency")
    records = AccessRecord.objects.filter(citizen=citizen).select_related("agency", "mall")
    return {
        "format": "mpp-citizen-export/1",
        "exported_at": timezone.now().isoformat(),
        "citizen": {"uuid": str(citizen.uuid), "registered_at": citizen.created_at.isoformat()},
        "profile": reading.values,
        "nik_warnings": citizen.nik_warnings,
        "consents": [
            {
                "agency": c.agency.short_name,
                "purpose": c.purpose,
                "categories": c.categories,
                "granted_at": c.granted_at.isoformat(),
                "expires_at": c.expires_at.isoformat(),
                "revoked_at": c.revoked_at.isoformat() if c.revoked_at else None,
                "method": c.method,
            }
            for c in consents
        ],
        "applications": [
            {
                "reference": a.reference,
                "uuid": str(a.uuid),
                "service": a.service.name,
                "agency": a.agency.short_name,
                "mall": a.mall.name,
                "status": a.status,
                "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None,
                "due_at": a.due_at.isoformat() if a.due_at else None,
                "data": vault.open_json(a.sealed_data),
                "history": [
                    {"at": e.at.isoformat(), "status": e.to_status, "note": e.note}
                    for e in a.events.all()
                ],
            }
            for a in applications
        ],
        "access_log": [
            {
                "seq": r.seq,
                "at": r.at.isoformat(),
                "who": r.actor_label,
                "agency": r.agency.short_name if r.agency else "",
                "mall": r.mall.name if r.mall else "",
                "purpose": r.purpose,
                "fields": r.fields,
                "outcome": r.outcome,
                "channel": r.channel,
            }
            for r in records
        ],
    }


def registration_payload_open(challenge) -> dict:
    """A pending online registration: the applicant's own data typed a minute ago, not
    yet a citizen's record (so there is nobody to log against)."""
    return vault.open_json(challenge.sealed_payload)


def nik_for_identity_provider(*, citizen: Citizen) -> str:
    """The full NIK, only to send to the identity provider at a face enrolment. The one
    caller, `services.faces.face_provider_check`, writes the access record (fields "nik"
    and "face", with the provider's answer) in the same step."""
    return vault.open_text(citizen.nik_sealed) if citizen.nik_sealed else ""


def categories_for_fields(fields) -> list[str]:
    return [c for c in Category.values if set(CATEGORY_FIELDS[c]) & set(fields)]

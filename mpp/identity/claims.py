"""Userinfo speaks OpenID Connect's standard claims (Core 1.0 §5.1): `name`, `birthdate`,
`gender`, `address` (the standard JSON object), `phone_number` (E.164), `email`. What the
standard has no name for (the NIK, the place of birth, RT/RW, the KK number, documents…)
is namespaced `urn:mpp:<field>`, like the `urn:mpp:acr:*` values. `/api/v1/person/` keeps
the platform's own field keys (the Myinfo-style profile resource).

A claim the citizen has not filled in is left out (§5.3.2), never sent empty."""

from mpp.registry.models import Village

NAMESPACE = "urn:mpp:"
STANDARD = {
    "full_name": "name",
    "birth_date": "birthdate",
    "sex": "gender",
    "phone": "phone_number",
    "email": "email",
}
ADDRESS_FIELDS = ("address", "rt", "rw", "village_code")
GENDER = {"M": "male", "F": "female"}
# The claims userinfo may carry, for the discovery document's claims_supported.
USERINFO_CLAIMS = [
    "sub",
    *STANDARD.values(),
    "address",
    *(NAMESPACE + key for key in ("nik", "birth_place", "religion", "marital_status")),
    *(NAMESPACE + key for key in ("occupation", "citizenship", "family_card_number", "npwp")),
    *(NAMESPACE + key for key in ("rt", "rw", "village_code", "documents")),
]


def phone_e164(phone: str) -> str:
    """081234567890 → +6281234567890 (Indonesian numbers as the profile holds them)."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if phone.strip().startswith("+"):
        return f"+{digits}"
    if digits.startswith("0"):
        return f"+62{digits[1:]}"
    if digits.startswith("62"):
        return f"+{digits}"
    return f"+62{digits}"


def address_claim(values: dict) -> dict:
    """The standard address object: street, RT/RW and village in `street_address`, the
    regency in `locality`, the province in `region`, the country (ID)."""
    street = values.get("address") or ""
    rt, rw = values.get("rt") or "", values.get("rw") or ""
    if rt or rw:
        street = ", ".join(p for p in (street, f"RT {rt or '-'}/RW {rw or '-'}") if p)
    lines = [street] if street else []
    claim = {}
    village = None
    if values.get("village_code"):
        village = (
            Village.objects.select_related("district__regency__province")
            .filter(code=values["village_code"])
            .first()
        )
    if village is not None:
        lines.append(f"{village.name}, {village.district.name}")
        claim["locality"] = village.district.regency.name
        claim["region"] = village.district.regency.province.name
    if lines:
        claim["street_address"] = "\n".join(lines)
    claim["country"] = "ID"
    formatted = [*lines, claim.get("locality", ""), claim.get("region", ""), "Indonesia"]
    claim["formatted"] = "\n".join(p for p in formatted if p)
    return claim


def userinfo_claims(values: dict) -> dict:
    """The access function's values (our field keys) as userinfo claims."""
    claims = {}
    for key, value in values.items():
        if value in ("", None, []) or key == "address":
            continue
        if key == "sex":
            claims["gender"] = GENDER.get(value, value)
        elif key == "phone":
            claims["phone_number"] = phone_e164(value)
        elif key in STANDARD:
            claims[STANDARD[key]] = value
        else:
            claims[NAMESPACE + key] = value
    if any(values.get(key) for key in ADDRESS_FIELDS):
        claims["address"] = address_claim(values)
    return claims

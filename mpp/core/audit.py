from django.db import models

from .models import AuditEntry


def audit_record(
    *, actor, action: str, target: models.Model, summary: str = "", details: dict | None = None
) -> AuditEntry:
    """Append one audit entry; call it inside the service's transaction."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        summary=(summary or str(target))[:300],
        details=details or {},
    )

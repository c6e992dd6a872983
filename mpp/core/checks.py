"""Start-up checks (`manage.py check`, and every migrate or runserver) for production."""

from django.conf import settings
from django.core.checks import Error, register

# Backends that print messages (with their codes) instead of sending them.
PRINTING_BACKENDS = {
    "mpp.core.messaging.ConsoleBackend",
    "mpp.core.messaging.FakeBackend",
    "mpp.core.messaging.EmailOnlyBackend",
}


@register("mpp_security")
def messaging_backend_check(app_configs, **kwargs):
    if settings.DEBUG or settings.MESSAGING_ALLOW_CONSOLE:
        return []
    if settings.MESSAGING_BACKEND in PRINTING_BACKENDS:
        return [
            Error(
                f"MESSAGING_BACKEND is {settings.MESSAGING_BACKEND} with DEBUG=False: one-time "
                "codes would be printed to the server log instead of sent.",
                hint="Set MESSAGING_BACKEND=mpp.core.messaging.HttpGatewayBackend (and "
                "MESSAGING_GATEWAY_URL), or MESSAGING_ALLOW_CONSOLE=True for a pilot without SMS.",
                id="mpp.E001",
            )
        ]
    if settings.MESSAGING_BACKEND.endswith("HttpGatewayBackend") and not (
        settings.MESSAGING_GATEWAY_URL.startswith("https://")
    ):
        return [
            Error(
                "MESSAGING_GATEWAY_URL must be an https:// address.",
                id="mpp.E002",
            )
        ]
    return []

"""Sending SMS, WhatsApp and e-mail behind one small interface. The backend is chosen by the
MESSAGING_BACKEND setting; development and tests use the console or the fake one."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

CHANNELS = ["sms", "whatsapp", "email"]


@dataclass
class Message:
    channel: str
    address: str
    body: str
    # The sender's idempotency key (the outbox's row): a gateway that receives the same key
    # twice (a worker killed after the gateway accepted, before it recorded "sent") delivers
    # once. HttpGatewayBackend sends it as `Idempotency-Key` and as `id`.
    key: str = ""


class ConsoleBackend:
    """Prints messages (address masked) instead of sending them."""

    def send(self, message: Message) -> None:
        masked = message.address[:3] + "…" + message.address[-2:]
        logger.info("[%s → %s] %s", message.channel, masked, message.body)


class FakeBackend:
    """Keeps messages in memory for tests; `fail_next` simulates an outage."""

    outbox: list[Message] = []
    fail_next = 0

    def send(self, message: Message) -> None:
        if FakeBackend.fail_next:
            FakeBackend.fail_next -= 1
            raise ConnectionError("fake gateway unavailable")
        FakeBackend.outbox.append(message)


class EmailOnlyBackend(ConsoleBackend):
    """Sends e-mail through Django's mail settings; SMS/WhatsApp go to the console."""

    def send(self, message: Message) -> None:
        if message.channel == "email":
            send_mail("MPP", message.body, None, [message.address])
        else:
            super().send(message)


def get_backend():
    return import_string(settings.MESSAGING_BACKEND)()


class HttpGatewayBackend:
    """Posts each message as JSON ({"channel", "to", "text", "id"}) to MESSAGING_GATEWAY_URL with
    `Authorization: Bearer MESSAGING_GATEWAY_TOKEN`: the shape most Indonesian SMS/WhatsApp
    gateways accept, or a small adapter in front of one. A failure raises ConnectionError,
    as callers expect (the outbox retries)."""

    def send(self, message: Message) -> None:
        import json
        import urllib.error
        import urllib.request

        url = settings.MESSAGING_GATEWAY_URL
        if not url.startswith("https://"):
            raise ConnectionError("MESSAGING_GATEWAY_URL must be an https:// address")
        body = {"channel": message.channel, "to": message.address, "text": message.body}
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {settings.MESSAGING_GATEWAY_TOKEN}",
        }
        if message.key:
            body["id"] = headers["Idempotency-Key"] = message.key
        request = urllib.request.Request(  # noqa: S310 (https only, checked above)
            url,
            data=json.dumps(body).encode(),
            headers=headers,
        )
        try:
            with urllib.request.urlopen(request, timeout=10):  # noqa: S310
                pass
        except (urllib.error.URLError, TimeoutError) as error:
            raise ConnectionError(f"messaging gateway: {error.__class__.__name__}") from None

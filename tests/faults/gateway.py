"""A stand-in SMS gateway for the fault tests, loaded by worker processes through
MESSAGING_BACKEND=tests.faults.gateway.FileGateway. Like a real gateway it delivers a
message once per idempotency key, however often it is sent. Every request is a line in
FAULT_GATEWAY_LOG (JSON: key, to), written the moment it is accepted.

FAULT_GATEWAY_HANG_AFTER=N: after accepting the Nth request the gateway never answers
(the worker is then killed while it waits). FAULT_GATEWAY_DELAY: seconds per answer."""

import json
import os
import time
from collections import Counter
from pathlib import Path


class FileGateway:
    accepted = 0

    def send(self, message) -> None:
        log = Path(os.environ["FAULT_GATEWAY_LOG"])
        with log.open("a") as out:
            out.write(json.dumps({"key": message.key, "to": message.address}) + "\n")
        FileGateway.accepted += 1
        if FileGateway.accepted == int(os.environ.get("FAULT_GATEWAY_HANG_AFTER", "0")):
            time.sleep(3600)  # the answer never comes
        time.sleep(float(os.environ.get("FAULT_GATEWAY_DELAY", "0")))


def requests_received(log: Path) -> list[dict]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def delivered_per_recipient(log: Path) -> Counter:
    """What recipients' phones received: one message per distinct key."""
    first = {}
    for request in requests_received(log):
        first.setdefault(request["key"], request["to"])
    return Counter(first.values())

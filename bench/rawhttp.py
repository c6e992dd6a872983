"""The throughput benchmarks' HTTP client (bench_queue.py, oidc.py): one request per
connection (gunicorn's sync workers close every connection anyway), written and read as
bytes.

The load generator runs on the same 2 cores as gunicorn and PostgreSQL, so every
millisecond of CPU it spends per request is taken from the server it measures.
`http.client` parses each response's headers with the `email` package and builds a
response object; here a request is one `sendall` and the response is read to the end of
the connection, and only the status line and the headers asked for are looked at. What
the server receives is the same HTTP/1.1 request a browser or a kiosk sends.

`generator_cpu()` reads this process's CPU time, so a benchmark can report the
generator's own cost per request beside the server's rate.
"""

from __future__ import annotations

import resource
import socket
import time

HOST = "127.0.0.1"


def exchange(
    port: int, method: str, path: str, body: bytes = b"", headers: dict | None = None
) -> tuple[int, bytes, bytes, float]:
    """(status, header block, body, seconds) of one request; status 0 when the connection
    failed. The body is as sent (a chunked body keeps its chunk lines)."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    payload = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
    started = time.perf_counter()
    chunks = []
    try:
        with socket.create_connection((HOST, port), timeout=30) as sock:
            sock.sendall(payload)
            while chunk := sock.recv(65536):
                chunks.append(chunk)
    except OSError:
        return 0, b"", b"", time.perf_counter() - started
    elapsed = time.perf_counter() - started
    head, _, rest = b"".join(chunks).partition(b"\r\n\r\n")
    try:
        status = int(head[9:12])
    except ValueError:
        status = 0
    return status, head, rest, elapsed


def header(head: bytes, name: str) -> str:
    """The value of header `name` in a header block ("" when absent)."""
    wanted = name.lower().encode("latin-1") + b":"
    for line in head.split(b"\r\n")[1:]:
        if line[: len(wanted)].lower() == wanted:
            return line[len(wanted) :].strip().decode("latin-1")
    return ""


def generator_cpu() -> float:
    """CPU seconds (user + system) this process has used, all threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime

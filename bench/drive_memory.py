"""Memory of large files: a 1 GiB upload and download through the real server, RSS measured.

Starts the production server (gunicorn, one gthread worker, as ``entente serve`` does) on a
temporary data directory and SQLite database, signs a person in, then, over HTTP:

- peer: sends a 1 KiB file through the resumable protocol and downloads it; the worker's
  resident memory after that is the reference (everything imported, caches warm);
- large: sends a file of ``--size`` bytes (1 GiB by default) through the resumable protocol
  (POST, then PATCH pieces of 8 MiB as the browser does; the bytes are generated on the fly,
  never held whole), downloads it whole, then one 64 MiB byte range from its middle, checking
  every byte by SHA-256;

sampling the worker's ``VmRSS`` (every 20 ms) and reading its ``VmHWM`` (peak, reset after the
peer through ``/proc/<pid>/clear_refs``). It prints the peer's and the peak's figures, their
ratio and the growth; it exits with status 1 when the growth passes ``--limit`` MB (64 by
default): streaming must keep memory flat whatever the size. Nothing is timed against a limit.

Run: ``.venv/bin/python bench/drive_memory.py [--size 1GiB] [--piece 8MiB] [--limit 64]``.
"""

from __future__ import annotations

import argparse
import atexit
import hashlib
import http.client
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from base64 import b64encode
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MIB = 1024 * 1024
MB = 1000 * 1000
BLOCK = random.Random(42).randbytes(MIB)  # the content repeats this block, offset by offset

SETUP = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
from entente.accounts.tests.factories import UserFactory
from entente.organisations.tests.factories import OrganisationFactory
from entente.drive import services
org = OrganisationFactory(name="Commune de Valmont", slug="valmont")
org.policy.quota_per_person_mb = {quota_mb}
org.policy.quota_organisation_gb = {quota_gb}
org.policy.save()
user = UserFactory(organisation=org, email="agnes.martin@valmont.fr")
print(user.pk, services.personal_drive(user).root_id)
"""


def parse_size(text: str) -> int:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?i?B?)?\s*", text, re.IGNORECASE)
    if not match:
        raise argparse.ArgumentTypeError(f"taille illisible : {text}")
    number, unit = float(match.group(1)), (match.group(2) or "").upper().rstrip("B").rstrip("I")
    factor = {"": 1, "K": 1024, "M": MIB, "G": 1024 * MIB, "T": 1024**4}[unit]
    return int(number * factor)


# --- the content, generated on the fly ------------------------------------------------------


def content(start: int, end: int, step: int = 256 * 1024) -> Iterator[bytes]:
    """Bytes ``start``..``end`` (exclusive) of the file, in chunks of at most ``step``."""
    view = memoryview(BLOCK + BLOCK)
    position = start
    while position < end:
        count = min(step, end - position, MIB)
        offset = position % MIB
        yield bytes(view[offset : offset + count])
        position += count


def digest(start: int, end: int) -> str:
    hasher = hashlib.sha256()
    for chunk in content(start, end, MIB):
        hasher.update(chunk)
    return hasher.hexdigest()


# --- the server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def status_of(pid: int) -> dict[str, int]:
    """``VmRSS`` and ``VmHWM`` of a process, in bytes."""
    values = {}
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            key, _sep, rest = line.partition(":")
            if key in {"VmRSS", "VmHWM"}:
                values[key] = int(rest.split()[0]) * 1024
    return values


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.extend(int(n) for n in text)
    return found


class Server:
    def __init__(self, data: Path) -> None:
        self.data = data
        self.port = free_port()
        self.env = {
            key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")
        }
        self.env.update(
            ENTENTE_DATA_DIR=str(data),
            DATABASE_URL=f"sqlite:///{data}/bench.sqlite3",
            DJANGO_SETTINGS_MODULE="entente.test_settings",
            ENTENTE_TESTING="1",
            ENTENTE_E2E_SHORTCUT="1",
            TASKS_BACKEND="django_tasks_db.DatabaseBackend",
            PYTHONPATH=str(ROOT / "src"),
            STORAGE_URL="",
        )
        self.process: subprocess.Popen | None = None
        self.worker = 0

    def setup(self, quota_bytes: int) -> tuple[int, int]:
        script = SETUP.format(
            quota_mb=quota_bytes // MIB + 100, quota_gb=quota_bytes // (1024 * MIB) + 10
        )
        done = subprocess.run(
            [sys.executable, "-c", script],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            sys.exit(done.stderr)
        user_id, root_id = (int(n) for n in done.stdout.split())
        return user_id, root_id

    def start(self) -> None:
        log = open(self.data / "server.log", "ab")  # noqa: SIM115 — the server's, until exit
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "entente.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--worker-class",
                "gthread",
                "--threads",
                "4",
                "--timeout",
                "600",
            ],
            env=self.env,
            stdout=log,
            stderr=log,
        )
        atexit.register(self.stop)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    workers = children(self.process.pid)
                    if workers:
                        self.worker = workers[0]
                        return
            except OSError:
                pass
            time.sleep(0.2)
        sys.exit((self.data / "server.log").read_text(errors="replace")[-3000:])

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)

    def request(self, method: str, path: str, headers: dict | None = None, body=None):
        connection = self.connection()
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()


class Sampler(threading.Thread):
    """The worker's VmRSS every 20 ms, keeping the highest."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.running = True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, status_of(self.pid)["VmRSS"])
            time.sleep(0.02)


# --- the protocol ---------------------------------------------------------------------------


def b64(text: str) -> str:
    return b64encode(text.encode()).decode()


def sign_in(server: Server, user_id: int) -> dict[str, str]:
    status, headers, _body = server.request("GET", f"/__e2e__/login/{user_id}/?next=/healthz")
    if status != 302:
        sys.exit(f"sign-in shortcut answered {status}")
    cookies = SimpleCookie()
    for value in headers.get_all("Set-Cookie"):
        cookies.load(value)
    session, csrf = cookies["entente_session"].value, cookies["entente_csrf"].value
    return {"Cookie": f"entente_session={session}; entente_csrf={csrf}", "X-CSRFToken": csrf}


def upload(server: Server, auth: dict, parent: int, name: str, size: int, piece: int) -> int:
    """Send ``size`` generated bytes through the resumable protocol; returns the file's id."""
    status, headers, body = server.request(
        "POST",
        "/documents/envois/",
        {
            **auth,
            "Upload-Length": str(size),
            "Upload-Metadata": f"parent {b64(str(parent))},name {b64(name)}",
        },
    )
    if status != 201:
        sys.exit(f"announcement refused: {status} {body[:300]!r}")
    location = headers["Location"]
    if headers.get("Entente-Node"):
        return int(headers["Entente-Node"])
    offset = 0
    while offset < size:
        end = min(offset + piece, size)
        status, headers, body = server.request(
            "PATCH",
            location,
            {
                **auth,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
                "Content-Length": str(end - offset),
            },
            content(offset, end),
        )
        if status != 204:
            sys.exit(f"piece at {offset} refused: {status} {body[:300]!r}")
        offset = int(headers["Upload-Offset"])
    return int(headers["Entente-Node"])


def download(server: Server, auth: dict, node: int, byte_range: tuple[int, int] | None = None):
    """Stream the file (or one byte range) back; returns (status, bytes, sha256)."""
    headers = dict(auth)
    if byte_range:
        headers["Range"] = f"bytes={byte_range[0]}-{byte_range[1]}"
    connection = server.connection()
    try:
        connection.request("GET", f"/documents/telecharger/{node}/", headers=headers)
        response = connection.getresponse()
        hasher, count = hashlib.sha256(), 0
        while chunk := response.read(MIB):
            hasher.update(chunk)
            count += len(chunk)
        return response.status, count, hasher.hexdigest()
    finally:
        connection.close()


def reset_peak(pid: int) -> bool:
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def mb(value: int) -> str:
    return f"{value / MB:8.1f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=parse_size, default=1024 * MIB, help="1GiB, 200MiB…")
    parser.add_argument("--piece", type=parse_size, default=8 * MIB)
    parser.add_argument("--limit", type=float, default=64, help="MB of growth allowed")
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="entente-bench-drive-"))
    atexit.register(shutil.rmtree, data, ignore_errors=True)
    server = Server(data)
    user_id, root_id = server.setup(args.size * 3)
    server.start()
    print(f"server: gunicorn (1 gthread worker, pid {server.worker}), data in {data}")
    auth = sign_in(server, user_id)

    # the peer: the same worker after a tiny file, both ways
    tiny = upload(server, auth, root_id, "petit.bin", 1024, args.piece)
    status, count, _sha = download(server, auth, tiny)
    assert status == 200 and count == 1024
    peer = status_of(server.worker)["VmRSS"]
    reset = reset_peak(server.worker)
    sampler = Sampler(server.worker)
    sampler.start()

    started = time.perf_counter()
    node = upload(server, auth, root_id, "gros.bin", args.size, args.piece)
    up = time.perf_counter() - started
    started = time.perf_counter()
    status, count, sha = download(server, auth, node)
    down = time.perf_counter() - started
    whole_ok = status == 200 and count == args.size and sha == digest(0, args.size)
    middle = args.size // 2
    window = (middle, min(args.size, middle + 64 * MIB) - 1)
    status, count, sha = download(server, auth, node, window)
    range_ok = status == 206 and sha == digest(window[0], window[1] + 1)

    sampler.running = False
    sampler.join()
    figures = status_of(server.worker)
    peak = max(sampler.peak, figures["VmHWM"] if reset else 0)
    growth = peak - peer
    size_mib = args.size / MIB

    print(f"\nfile of {size_mib:.0f} MiB, pieces of {args.piece // MIB} MiB:")
    print(f"  upload (resumable protocol) : {up:6.1f} s  ({size_mib / up:6.1f} MiB/s)")
    print(f"  download (whole)            : {down:6.1f} s  ({size_mib / down:6.1f} MiB/s)")
    print(
        f"  bytes checked (SHA-256)     : whole {'ok' if whole_ok else 'WRONG'}, "
        f"range {window[0]}-{window[1]} {'ok (206)' if range_ok else 'WRONG'}"
    )
    print("\nserver worker resident memory:")
    print(f"  peer, after a 1 KiB file    : {mb(peer)}")
    print(
        f"  peak during the large file  : {mb(peak)}"
        f"  ({'VmHWM and samples' if reset else 'samples only'})"
    )
    print(f"  growth                      : {mb(growth)}  (limit {args.limit:.0f} MB)")
    print(f"  ratio peak / peer           : {peak / peer:8.2f} ×")
    if not (whole_ok and range_ok):
        print("\nFAILED: the bytes read back differ from the bytes sent")
        sys.exit(1)
    if growth > args.limit * MB:
        print(f"\nFAILED: memory grew by more than {args.limit:.0f} MB")
        sys.exit(1)


if __name__ == "__main__":
    main()

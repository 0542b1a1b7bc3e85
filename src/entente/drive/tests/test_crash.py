"""Kill the server in the middle of uploads: nothing half-written may ever show.

A real server process (``entente runserver``, its own data directory and SQLite database)
receives, over raw sockets, part of a plain form upload and part of a resumable upload's piece;
it is killed with SIGKILL while the bytes are being written. Then, with the same environment:

- no file, version or blob of the interrupted uploads exists; no object under ``blobs/``
  lacks its ``Blob`` row (only ``tmp/`` holds the half-written bytes);
- the restarted server resumes the resumable upload where its last complete piece ended;
- ``entente drive_maintenance`` (with a zero grace and a date past the uploads' lifetime)
  leaves no temporary object, no part, no orphan anywhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from base64 import b64encode
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

MIB = 1024 * 1024
REPO = Path(__file__).resolve().parents[4]
SETUP = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
from entente.accounts.tests.factories import UserFactory
from entente.organisations.tests.factories import OrganisationFactory
from entente.drive import services
org = OrganisationFactory(name="Commune de Valmont", slug="valmont")
org.policy.quota_per_person_mb = 1024
org.policy.save()
user = UserFactory(organisation=org, email="agnes.martin@valmont.fr")
print(user.pk, services.personal_drive(user).root_id)
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(data: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "DJANGO_ALLOW_ASYNC"))
    }
    env.update(
        ENTENTE_DATA_DIR=str(data),
        DATABASE_URL=f"sqlite:///{data}/entente.sqlite3",
        DJANGO_SETTINGS_MODULE="entente.test_settings",
        ENTENTE_TESTING="1",
        ENTENTE_E2E_SHORTCUT="1",
        # tasks wait in the database: the server does only what a request asks
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        PYTHONPATH=str(REPO / "src"),
        STORAGE_URL="",
    )
    return env


class Server:
    """``entente runserver`` in its own process, on a free port."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.env = _environment(data)
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.data / "server.log", "ab")  # noqa: SIM115 — kept for the process
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "entente",
                "runserver",
                "--noreload",
                "--skip-checks",
                f"127.0.0.1:{self.port}",
            ],
            env=self.env,
            stdout=log,
            stderr=log,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                status, _headers, _body = self.request("GET", "/healthz")
                if status == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError((self.data / "server.log").read_text(errors="replace")[-3000:])

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def request(self, method: str, path: str, headers: dict | None = None, body=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "entente", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout


def _pattern(size: int, seed: int) -> bytes:
    block = hashlib.sha256(str(seed).encode()).digest() * (MIB // 32)
    return (block * (size // MIB + 1))[:size]


def _b64(text: str) -> str:
    return b64encode(text.encode()).decode()


def _files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def _wait_for(condition, what: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def server(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    server = Server(data)
    done = subprocess.run(
        [sys.executable, "-c", SETUP],
        env=server.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    server.user_id, server.root_id = (int(n) for n in done.stdout.split())
    server.start()
    yield server
    if server.process and server.process.poll() is None:
        server.process.kill()
        server.process.wait(timeout=10)


def _sign_in(server: Server) -> dict[str, str]:
    status, headers, _body = server.request(
        "GET", f"/__e2e__/login/{server.user_id}/?next=/healthz"
    )
    assert status == 302
    cookies = SimpleCookie()
    for value in headers.get_all("Set-Cookie"):
        cookies.load(value)
    session, csrf = cookies["entente_session"].value, cookies["entente_csrf"].value
    return {"Cookie": f"entente_session={session}; entente_csrf={csrf}", "X-CSRFToken": csrf}


def _announce(server: Server, auth: dict, parent: int, name: str, length: int) -> str:
    status, headers, body = server.request(
        "POST",
        "/documents/envois/",
        {
            **auth,
            "Upload-Length": str(length),
            "Upload-Metadata": f"parent {_b64(str(parent))},name {_b64(name)}",
        },
    )
    assert status == 201, body
    return headers["Location"]


def _patch(server: Server, auth: dict, location: str, offset: int, data: bytes):
    return server.request(
        "PATCH",
        location,
        {
            **auth,
            "Upload-Offset": str(offset),
            "Content-Type": "application/offset+octet-stream",
        },
        data,
    )


def _raw(server: Server, head: str, first_bytes: bytes) -> socket.socket:
    """Open a connection and send a request's head and the first bytes of its body only."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    sock.sendall(head.encode("latin-1") + first_bytes)
    return sock


def test_a_server_killed_mid_upload_leaves_nothing_half_written(server):
    data = server.data
    media = data / "media"
    auth = _sign_in(server)
    resumable = _pattern(24 * MIB, 1)
    abandoned = _pattern(3 * MIB, 2)

    # a resumable upload with one complete piece, and another that will be abandoned
    location = _announce(server, auth, server.root_id, "coupé.bin", len(resumable))
    status, headers, _body = _patch(server, auth, location, 0, resumable[: 8 * MIB])
    assert status == 204 and headers["Upload-Offset"] == str(8 * MIB)
    forgotten = _announce(server, auth, server.root_id, "oublié.bin", len(abandoned))
    assert _patch(server, auth, forgotten, 0, abandoned[:MIB])[0] == 204

    # the next piece of the first: 3 MiB of the 8 announced, then nothing
    piece = _raw(
        server,
        f"PATCH {location} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {auth['Cookie']}\r\n"
        f"X-CSRFToken: {auth['X-CSRFToken']}\r\nUpload-Offset: {8 * MIB}\r\n"
        f"Content-Type: application/offset+octet-stream\r\nContent-Length: {8 * MIB}\r\n\r\n",
        resumable[8 * MIB : 11 * MIB],
    )
    # the plain form: 5 MiB of a 20 MiB file, then nothing
    boundary = "----entente-crash"
    preamble = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
        f'filename="formulaire.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    ending = f"\r\n--{boundary}--\r\n".encode()
    form_length = len(preamble) + 20 * MIB + len(ending)
    form = _raw(
        server,
        f"POST /documents/dossier/{server.root_id}/envoyer/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Cookie: {auth['Cookie']}\r\nX-CSRFToken: {auth['X-CSRFToken']}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {form_length}\r\n\r\n",
        preamble + _pattern(5 * MIB, 3),
    )

    def half_written() -> bool:
        sizes = [path.stat().st_size for path in _files(media / "tmp")]
        return len(sizes) >= 2 and min(sizes) >= MIB

    _wait_for(half_written, "both bodies to be written under tmp/")
    server.kill()
    piece.close()
    form.close()

    db = sqlite3.connect(data / "entente.sqlite3")
    names = {row[0] for row in db.execute("SELECT name FROM drive_node WHERE kind = 'file'")}
    assert names == set(), "no file of an interrupted upload"
    assert db.execute("SELECT COUNT(*) FROM drive_version").fetchone() == (0,)
    known = {row[0] for row in db.execute("SELECT sha256 FROM drive_blob")}
    assert {path.name for path in _files(media / "blobs")} <= known
    assert db.execute("SELECT COUNT(*) FROM drive_upload").fetchone() == (2,)
    db.close()
    assert _files(media / "tmp"), "the half-written bytes are only in tmp/"

    # restarted, the server resumes the upload after its last complete piece
    server.start()
    status, headers, _body = server.request("HEAD", location, auth)
    assert status == 200 and headers["Upload-Offset"] == str(8 * MIB)
    offset = 8 * MIB
    while offset < len(resumable):
        status, headers, _body = _patch(
            server, auth, location, offset, resumable[offset : offset + 8 * MIB]
        )
        assert status == 204
        offset = int(headers["Upload-Offset"])
    node_id = int(headers["Entente-Node"])
    status, _headers, body = server.request("GET", f"/documents/telecharger/{node_id}/", auth)
    assert status == 200 and hashlib.sha256(body).digest() == hashlib.sha256(resumable).digest()
    server.kill()

    # the maintenance, past the abandoned upload's lifetime, leaves nothing behind
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=25)).isoformat()
    summary = server.manage("drive_maintenance", "--grace-minutes", "0", "--as-of", later)
    assert "1 envoi abandonné effacé" in summary
    assert _files(media / "tmp") == []
    assert _files(media / "uploads") == []
    db = sqlite3.connect(data / "entente.sqlite3")
    assert db.execute("SELECT COUNT(*) FROM drive_upload").fetchone() == (0,)
    names = [row[0] for row in db.execute("SELECT name FROM drive_node WHERE kind = 'file'")]
    assert names == ["coupé.bin"]
    known = {row[0] for row in db.execute("SELECT sha256 FROM drive_blob")}
    db.close()
    assert (
        {path.name for path in _files(media / "blobs")}
        == known
        == {hashlib.sha256(resumable).hexdigest()}
    )
    # run again: nothing left to do
    again = server.manage("drive_maintenance", "--grace-minutes", "0", "--as-of", later)
    counts = re.findall(r"^  - (\d+) ", again, flags=re.MULTILINE)
    from dataclasses import fields

    from entente.drive.maintenance import Summary

    assert len(counts) == len(fields(Summary)) and set(counts) == {"0"}, again

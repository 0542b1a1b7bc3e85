"""Antivirus: a real ClamAV ``clamd`` (started here on a unix socket, with a one-signature
database made for the test: no download) scans new content; the EICAR test file is put in
quarantine and cannot be downloaded; clean files are marked clean; with clamd down, uploads
still work and files stay "not scanned"."""

from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from entente.audit.models import AuditEvent, EventKind
from entente.drive import antivirus
from entente.drive.models import Node, ScanStatus
from entente.drive.tests.factories import make_file, make_folder, root_of

pytestmark = pytest.mark.django_db

#: the EICAR test file, built from parts so that this source file is not itself flagged
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-" + b"TEST-FILE!$H+H*"
SIGNATURE = "Entente-Test-EICAR"


def _ping(path: str) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            sock.connect(path)
            sock.sendall(b"zPING\0")
            return sock.recv(64).startswith(b"PONG")
    except OSError:
        return False


@pytest.fixture(scope="session")
def clamd_socket():
    """A clamd of our own (Debian's ``clamav-daemon``, installed by ``make install-test``)
    with a database holding only the EICAR test signature (MD5 hash signature, ``.hdb``), in
    a private folder (a short path: unix socket paths are limited to 107 bytes)."""
    binary = shutil.which("clamd") or "/usr/sbin/clamd"
    if not shutil.which(binary):
        pytest.fail("clamd est introuvable : installez clamav-daemon (make install-test).")
    home = Path(tempfile.mkdtemp(prefix="entente-clamd-"))
    database = home / "db"
    database.mkdir()
    (database / "entente-test.hdb").write_text(
        f"{hashlib.md5(EICAR).hexdigest()}:{len(EICAR)}:{SIGNATURE}\n"  # noqa: S324
    )
    sock = home / "clamd.sock"
    config = home / "clamd.conf"
    config.write_text(
        "\n".join(
            [
                "Foreground yes",
                f"LocalSocket {sock}",
                f"DatabaseDirectory {database}",
                f"TemporaryDirectory {home}",
                f"PidFile {home / 'clamd.pid'}",
                f"LogFile {home / 'clamd.log'}",
                "StreamMaxLength 10M",
                "",
            ]
        )
    )
    log = (home / "output.log").open("wb")
    process = subprocess.Popen([binary, "-c", str(config)], stdout=log, stderr=log)  # noqa: S603
    try:
        deadline = time.monotonic() + 90
        while not _ping(str(sock)):
            if process.poll() is not None or time.monotonic() > deadline:
                output = (home / "output.log").read_text(errors="replace")
                pytest.fail(f"clamd n'a pas démarré :\n{output}")
            time.sleep(0.2)
        yield str(sock)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def clamd(clamd_socket, monkeypatch):
    monkeypatch.setenv("CLAMD_SOCKET", clamd_socket)
    monkeypatch.delenv("CLAMD_HOST", raising=False)
    return clamd_socket


def upload(client, folder, name, content):
    return client.put(
        f"/api/v1/drive/nodes/{folder.pk}/files/{name}/",
        data=content,
        content_type="application/octet-stream",
    )


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- the protocol ------------------------------------------------------------------------------


def test_clamd_finds_eicar_and_passes_clean_content(clamd):
    found = antivirus.scan_stream([EICAR], clamd)
    assert found.infected and found.signature.startswith(SIGNATURE)
    clean = antivirus.scan_stream([b"bonjour\n" * 100_000], clamd)  # several INSTREAM chunks
    assert clean == antivirus.Verdict(infected=False)


def test_content_past_clamds_limit_stays_unscanned(clamd, agent):
    """clamd refuses streams longer than its StreamMaxLength (10 MB here): not a verdict."""
    with pytest.raises(antivirus.ClamdError):
        antivirus.scan_stream((b"\0" * 1024 * 1024 for _ in range(12)), clamd)


def test_replies_are_parsed():
    assert antivirus.parse_reply(b"stream: OK\0") == antivirus.Verdict(False)
    assert antivirus.parse_reply(b"stream: Eicar-Signature FOUND\0") == antivirus.Verdict(
        True, "Eicar-Signature"
    )
    with pytest.raises(antivirus.ClamdError):
        antivirus.parse_reply(b"INSTREAM size limit exceeded. ERROR\0")


def test_configuration_comes_from_the_environment(monkeypatch, settings):
    for name in ("CLAMD_SOCKET", "CLAMD_HOST", "CLAMD_PORT"):
        monkeypatch.delenv(name, raising=False)
    assert antivirus.clamd_address() is None
    monkeypatch.setenv("CLAMD_HOST", "clamav.interne")
    assert antivirus.clamd_address() == ("clamav.interne", 3310)
    monkeypatch.setenv("CLAMD_PORT", "3311")
    assert antivirus.clamd_address() == ("clamav.interne", 3311)
    monkeypatch.setenv("CLAMD_SOCKET", "/run/clamav/clamd.ctl")
    assert antivirus.clamd_address() == "/run/clamav/clamd.ctl"


# --- through an upload -------------------------------------------------------------------------


def test_eicar_uploaded_is_quarantined_and_cannot_be_downloaded(
    clamd, agent, django_capture_on_commit_callbacks
):
    folder = make_folder(agent, root_of(agent), "Pièces jointes")
    client = api(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, folder, "facture.pdf", EICAR)
    assert response.status_code == 201
    node = Node.objects.get(pk=response.json()["id"])
    assert node.scan_status == ScanStatus.INFECTED
    event = AuditEvent.objects.get(kind=EventKind.DRIVE_QUARANTINED)
    assert event.target_id == str(node.pk)
    assert event.organisation_id == agent.organisation_id
    assert event.data["signature"].startswith(SIGNATURE)
    refused = client.get(f"/api/v1/drive/nodes/{node.pk}/content/")
    assert refused.status_code == 403
    assert refused.json()["code"] == "quarantined"
    version = node.current_version
    refused = client.get(f"/api/v1/drive/versions/{version.pk}/content/")
    assert refused.json()["code"] == "quarantined"
    assert client.get(f"/api/v1/drive/nodes/{node.pk}/").json()["scan_status"] == "infected"


def test_copies_of_infected_content_are_quarantined_too(clamd, agent):
    root = root_of(agent)
    first = make_file(agent, root, "a.txt", EICAR)
    second = make_file(agent, make_folder(agent, root, "Copie"), "b.txt", EICAR)
    assert antivirus.scan_node(Node.objects.get(pk=first.pk)) is False
    assert Node.objects.get(pk=second.pk).scan_status == ScanStatus.INFECTED
    assert AuditEvent.objects.filter(kind=EventKind.DRIVE_QUARANTINED).count() == 2
    # scanning again records nothing new
    assert antivirus.scan_node(Node.objects.get(pk=first.pk)) is False
    assert AuditEvent.objects.filter(kind=EventKind.DRIVE_QUARANTINED).count() == 2


def test_a_clean_file_is_marked_clean_and_downloads(
    clamd, agent, django_capture_on_commit_callbacks
):
    client = api(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, root_of(agent), "compte-rendu.txt", b"Rien a signaler.\n")
    node = Node.objects.get(pk=response.json()["id"])
    assert node.scan_status == ScanStatus.CLEAN
    download = client.get(f"/api/v1/drive/nodes/{node.pk}/content/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"Rien a signaler.\n"
    assert not AuditEvent.objects.filter(kind=EventKind.DRIVE_QUARANTINED).exists()


def test_a_new_clean_version_is_scanned_again(clamd, agent, django_capture_on_commit_callbacks):
    client = api(agent)
    root = root_of(agent)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, root, "outil.txt", EICAR)
    node = Node.objects.get(name="outil.txt")
    assert node.scan_status == ScanStatus.INFECTED
    with django_capture_on_commit_callbacks(execute=True):
        assert upload(client, root, "outil.txt", b"version saine").status_code == 200
    node.refresh_from_db()
    assert node.scan_status == ScanStatus.CLEAN
    assert client.get(f"/api/v1/drive/nodes/{node.pk}/content/").status_code == 200


def test_with_clamd_down_uploads_still_work_unscanned(
    tmp_path, monkeypatch, agent, django_capture_on_commit_callbacks, caplog
):
    monkeypatch.setenv("CLAMD_SOCKET", str(tmp_path / "absent.sock"))
    client = api(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, root_of(agent), "note.txt", b"bonjour")
    assert response.status_code == 201
    node = Node.objects.get(pk=response.json()["id"])
    assert node.scan_status == ScanStatus.NOT_SCANNED
    assert "Antivirus indisponible" in caplog.text
    assert client.get(f"/api/v1/drive/nodes/{node.pk}/content/").status_code == 200


def test_a_clamd_that_hangs_up_leaves_the_file_unscanned(tmp_path, monkeypatch, agent):
    path = str(tmp_path / "mute.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    monkeypatch.setenv("CLAMD_SOCKET", path)
    monkeypatch.setenv("CLAMD_TIMEOUT", "1")
    node = make_file(agent, root_of(agent), "note.txt", b"bonjour")
    try:
        assert antivirus.scan_node(Node.objects.get(pk=node.pk)) is True
    finally:
        server.close()
    assert Node.objects.get(pk=node.pk).scan_status == ScanStatus.NOT_SCANNED


def test_without_configuration_nothing_is_scanned(monkeypatch, agent):
    for name in ("CLAMD_SOCKET", "CLAMD_HOST"):
        monkeypatch.delenv(name, raising=False)
    node = make_file(agent, root_of(agent), "a.txt", EICAR)
    assert antivirus.scan_node(Node.objects.get(pk=node.pk)) is True
    assert Node.objects.get(pk=node.pk).scan_status == ScanStatus.NOT_SCANNED


def test_files_sent_while_clamd_was_away_are_scanned_by_the_maintenance(
    clamd_socket, agent, monkeypatch
):
    from entente.drive import maintenance

    for name in ("CLAMD_SOCKET", "CLAMD_HOST", "CLAMD_PORT"):
        monkeypatch.delenv(name, raising=False)
    root = root_of(agent)
    bad = make_file(agent, root, "rapport.txt", EICAR)
    good = make_file(agent, root, "note.txt", b"bonjour\n")
    assert maintenance.queue_unscanned() == 0, "no antivirus configured: nothing to hand over"
    assert Node.objects.get(pk=bad.pk).scan_status == ScanStatus.NOT_SCANNED
    monkeypatch.setenv("CLAMD_SOCKET", clamd_socket)  # clamd is back
    assert maintenance.run().scans_queued == 2  # the task backend of the tests runs them now
    assert Node.objects.get(pk=bad.pk).scan_status == ScanStatus.INFECTED
    assert Node.objects.get(pk=good.pk).scan_status == ScanStatus.CLEAN
    assert maintenance.queue_unscanned() == 0

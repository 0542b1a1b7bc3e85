"""Hostile file names are made safe (no path traversal, no control characters, no disguised
extension, nothing Windows refuses, 255 characters at most), through the services and the
API alike."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from entente.drive.models import Node
from entente.drive.names import clean_name, name_key, numbered, split_relative_path
from entente.drive.tests.factories import make_folder, root_of

pytestmark = pytest.mark.django_db

RLO = "\u202e"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", ".._.._etc_passwd"),
        ("..\\..\\windows\\system.ini", ".._.._windows_system.ini"),
        ("rap\x00port.pdf", "rapport.pdf"),
        ("ligne\r\nsuivante.txt", "lignesuivante.txt"),
        (f"facture{RLO}fdp.exe", "facturefdp.exe"),
        ("\u2066cache\u2069.txt", "cache.txt"),
        ("CON.txt", "_CON.txt"),
        ("nul", "_nul"),
        ("com1.log", "_com1.log"),
        ("rapport...", "rapport"),
        ("rapport. . ", "rapport"),
        ("  espaces  ", "espaces"),
        ('a<b>c:d"e|f?g*h.txt', "a_b_c_d_e_f_g_h.txt"),
        ("Cafe\u0301.txt", "Café.txt"),  # composed (NFC): one name, whatever the client sent
    ],
)
def test_hostile_names_are_cleaned(raw, expected):
    assert clean_name(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", ".", "..", "../", "..\\", "\x00", RLO, ". . ."])
def test_names_with_nothing_usable_are_refused(raw):
    with pytest.raises(ValidationError):
        clean_name(raw)


def test_long_names_are_cut_to_255_characters_keeping_the_extension():
    cleaned = clean_name("a" * 300 + ".pdf")
    assert len(cleaned) == 255
    assert cleaned.endswith("a.pdf")
    assert len(clean_name("b" * 300)) == 255


def test_names_differing_only_by_case_or_accents_are_the_same_for_a_folder():
    assert name_key("Compte-Rendu.TXT") == name_key("compte-rendu.txt")
    assert name_key("Élus.pdf") == name_key("elus.pdf")


def test_relative_paths_of_a_folder_upload():
    assert split_relative_path("Rapport/annexes/a.pdf") == ["Rapport", "annexes", "a.pdf"]
    assert split_relative_path("Rapport\\b.pdf") == ["Rapport", "b.pdf"]
    assert split_relative_path("/Rapport//c.pdf") == ["Rapport", "c.pdf"]
    for hostile in ("Rapport/../../etc/passwd", "./a.pdf", "", "a/" * 40 + "b"):
        with pytest.raises(ValidationError):
            split_relative_path(hostile)


def test_numbered_names():
    assert numbered("Rapport.pdf", 2) == "Rapport (2).pdf"
    assert numbered("Rapport", 3) == "Rapport (3)"
    assert numbered(".profile", 2) == ".profile (2)"


# --- through the API ---------------------------------------------------------------------------


@pytest.fixture
def api(agent):
    client = APIClient()
    client.force_authenticate(agent)
    return client


def test_an_upload_with_a_hostile_name_lands_in_the_folder_under_a_safe_name(api, agent):
    folder = make_folder(agent, root_of(agent), "Dépôt")
    response = api.post(
        f"/api/v1/drive/nodes/{folder.pk}/files/?name=../../etc/passwd",
        data=b"root:x:0:0",
        content_type="application/octet-stream",
    )
    assert response.status_code == 201
    node = Node.objects.get(pk=response.json()["id"])
    assert node.name == ".._.._etc_passwd"
    assert node.parent_id == folder.pk
    response = api.put(
        f"/api/v1/drive/nodes/{folder.pk}/files/facture%E2%80%AEfdp.exe/",
        data=b"MZ",
        content_type="application/octet-stream",
    )
    assert response.json()["name"] == "facturefdp.exe"


def test_an_unusable_name_is_a_json_error_and_nothing_is_written(api, agent):
    folder = root_of(agent)
    response = api.post(
        f"/api/v1/drive/nodes/{folder.pk}/files/?name=..",
        data=b"x",
        content_type="application/octet-stream",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_name"
    assert not Node.objects.filter(parent=folder).exists()


def test_folder_and_rename_names_are_cleaned_too(api, agent):
    root = root_of(agent)
    created = api.post(
        "/api/v1/drive/nodes/", {"parent": root.pk, "name": "CON"}, format="json"
    ).json()
    assert created["name"] == "_CON"
    renamed = api.patch(
        f"/api/v1/drive/nodes/{created['id']}/", {"name": "x" * 300 + "\x1b"}, format="json"
    )
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "x" * 255
    with_nul = api.patch(f"/api/v1/drive/nodes/{created['id']}/", {"name": "a\x00b"}, format="json")
    assert with_nul.status_code == 400 and "name" in with_nul.json()["errors"]
    refused = api.patch(f"/api/v1/drive/nodes/{created['id']}/", {"name": "../"}, format="json")
    assert refused.status_code == 400
    assert "name" in refused.json()["errors"]

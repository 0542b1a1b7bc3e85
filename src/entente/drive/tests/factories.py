"""Helpers to build drives and files in tests (through the real services)."""

from __future__ import annotations

from entente.drive import services


def make_file(actor, parent, name: str = "note.txt", content: bytes = b"bonjour\n"):
    return services.upload_file(actor, parent, name, [content], len(content))


def make_folder(actor, parent, name: str = "Dossier"):
    return services.create_folder(actor, parent, name)


def root_of(user):
    return services.personal_drive(user).root

"""Collect the viewsets each domain app exposes in its ``api.py``."""

from __future__ import annotations

from importlib import import_module

from rest_framework.routers import DefaultRouter

API_MODULES = [
    "entente.organisations.api",
    "entente.accounts.api",
    "entente.accounts.api_app_passwords",
    "entente.calendars.api",
    "entente.drive.api",
    "entente.spaces.api",
    "entente.spaces.discussion.api",
    "entente.spaces.tasks.api",
    "entente.spaces.notes.api",
    "entente.directory.api",
    "entente.notifications.api",
    "entente.search.api",
]


def register_all(router: DefaultRouter) -> None:
    for module_name in API_MODULES:
        import_module(module_name).register(router)

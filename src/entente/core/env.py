"""Read the platform's configuration from environment variables, with safe defaults."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

TRUE_WORDS = {"1", "true", "yes", "on", "oui"}


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in TRUE_WORDS


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or default


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def data_dir() -> Path:
    """Where local state lives (SQLite file, uploaded files, generated secret key)."""
    path = Path(os.environ.get("ENTENTE_DATA_DIR", "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(var: Path) -> str:
    """Return SECRET_KEY from the environment, or one generated once into var/ (never committed)."""
    from_env = os.environ.get("SECRET_KEY", "").strip()
    if from_env:
        return from_env
    key_file = var / "secret_key"
    if not key_file.exists():
        tmp = key_file.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(64))
        os.replace(tmp, key_file)
    return key_file.read_text().strip()


def storage_from_url(url: str, var: Path) -> dict:
    """Translate STORAGE_URL into a Django STORAGES "default" entry.

    ``s3://KEY:SECRET@bucket/prefix?endpoint_url=https://…&region_name=…`` selects
    S3-compatible object storage; anything empty keeps files under ``var/media``.
    """
    if not url:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(var / "media")},
        }
    parsed = urlparse(url)
    if parsed.scheme not in {"s3", "s3+http", "s3+https"}:
        raise ValueError(
            f"STORAGE_URL: schéma non pris en charge « {parsed.scheme} » (attendu : s3)"
        )
    query = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    options: dict[str, object] = {
        "bucket_name": parsed.hostname or "",
        "location": parsed.path.lstrip("/"),
        "file_overwrite": False,
        "default_acl": None,
        "querystring_auth": True,
    }
    if parsed.username:
        options["access_key"] = unquote(parsed.username)
    if parsed.password:
        options["secret_key"] = unquote(parsed.password)
    for key in ("endpoint_url", "region_name", "addressing_style", "signature_version"):
        if key in query:
            options[key] = query[key]
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}

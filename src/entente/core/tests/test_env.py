"""Configuration from the environment: storage URLs, secret key, booleans."""

import os
import stat

import pytest

from entente.core.env import env_bool, env_list, secret_key, storage_from_url


def test_no_storage_url_keeps_files_on_local_disk(tmp_path):
    config = storage_from_url("", tmp_path)
    assert config["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert config["OPTIONS"]["location"] == str(tmp_path / "media")


def test_s3_storage_url_is_translated_for_django_storages(tmp_path):
    config = storage_from_url(
        "s3://AKIA%2Fkey:se%40cret@entente-files/prod?endpoint_url=https://s3.example.test&region_name=fr-par",
        tmp_path,
    )
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    options = config["OPTIONS"]
    assert options["bucket_name"] == "entente-files"
    assert options["location"] == "prod"
    assert options["access_key"] == "AKIA/key"
    assert options["secret_key"] == "se@cret"
    assert options["endpoint_url"] == "https://s3.example.test"
    assert options["region_name"] == "fr-par"
    assert options["file_overwrite"] is False


def test_unknown_storage_scheme_is_refused_with_a_clear_message(tmp_path):
    with pytest.raises(ValueError, match="STORAGE_URL"):
        storage_from_url("ftp://files.example.test/", tmp_path)


def test_secret_key_is_generated_once_private_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = secret_key(tmp_path)
    assert len(first) >= 50
    assert secret_key(tmp_path) == first
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert secret_key(tmp_path) == "from-the-environment"


def test_booleans_and_lists(monkeypatch):
    monkeypatch.setenv("X_FLAG", "Oui")
    assert env_bool("X_FLAG")
    monkeypatch.setenv("X_FLAG", "0")
    assert not env_bool("X_FLAG", True)
    monkeypatch.setenv("X_FLAG", "")
    assert env_bool("X_FLAG", True)
    monkeypatch.setenv("X_LIST", " a.example , ,b.example")
    assert env_list("X_LIST", []) == ["a.example", "b.example"]
    monkeypatch.delenv("X_LIST")
    assert env_list("X_LIST", ["d"]) == ["d"]


def test_production_settings_pass_the_deploy_checks(tmp_path):
    """`entente check --deploy` is clean with DEBUG off and nothing else set."""
    import subprocess
    import sys

    env = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "ENTENTE_TESTING", "DATABASE_URL"}
    }
    env.update(ENTENTE_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="entente.settings")
    result = subprocess.run(
        [sys.executable, "-m", "entente", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout

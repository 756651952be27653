import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from config.settings.base import database_from_env, env_bool

ROOT = Path(__file__).resolve().parents[2]
SECRET = "k9$Vw!x2-Qa7#Lm4^Zt8&Rp1*Yd6@Hs3%Fb5+Nc0=Je2_Tg7(Ku4)Oi9" * 2


def _manage(*args, **env):
    """Run manage.py in a fresh interpreter, with only the given settings environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check_without_warnings(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="credence.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage(
        "check",
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        DJANGO_ALLOWED_HOSTS="credence.example.org",
    )

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _manage(
        "check", DJANGO_SETTINGS_MODULE="config.settings.prod", DJANGO_SECRET_KEY=SECRET
    )

    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS is not set" in result.stderr


def test_database_url_names_a_sqlite_file(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/credence.sqlite3")

    config = database_from_env()

    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == f"{tmp_path}/credence.sqlite3"


def test_database_url_names_a_postgresql_database(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/credence")

    config = database_from_env()

    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["USER"], config["HOST"], config["PORT"], config["NAME"]) == (
        "postgres",
        "127.0.0.1",
        5432,
        "credence",
    )


def test_without_database_url_the_embedded_sqlite_file_is_used(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)

    config = database_from_env()

    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert str(config["NAME"]).endswith("credence.sqlite3")


def test_a_malformed_database_url_is_reported(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mongo://somewhere/db")

    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        database_from_env()


def test_an_ambiguous_boolean_setting_is_reported(monkeypatch):
    monkeypatch.setenv("DJANGO_DEBUG", "maybe")

    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG='maybe'"):
        env_bool("DJANGO_DEBUG", False)


@pytest.mark.django_db
def test_migrations_are_in_step_with_the_models():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def _prod_setting(expression: str, **env) -> str:
    result = _manage(
        "shell",
        "-c",
        f"from django.conf import settings; print({expression})",
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="credence.example.org",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_uses_redis_from_redis_url_for_the_shared_cache(tmp_path):
    db = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    with_redis = _prod_setting(
        "settings.CACHES['default'], settings.CREDENCE_PAGE_CACHE_SECONDS",
        REDIS_URL="redis://127.0.0.1:6379/3",
        DATABASE_URL=db,
    )
    without = _prod_setting("settings.CREDENCE_PAGE_CACHE_SECONDS", DATABASE_URL=db)

    assert "core.redis_cache.RedisCache" in with_redis
    assert "redis://127.0.0.1:6379/3" in with_redis and with_redis.endswith(" 600")
    assert without.endswith("\n0")  # per-process memory could not be made fresh everywhere


def test_production_static_files_get_hashed_compressed_names(tmp_path):
    static_root = tmp_path / "static"
    result = _manage(
        "collectstatic",
        "--noinput",
        "-v",
        "0",
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="credence.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        STATIC_ROOT=str(static_root),
    )

    assert result.returncode == 0, result.stderr
    hashed = [p.name for p in (static_root / "css").glob("site.*.css")]
    assert hashed and all(len(name.split(".")) == 3 for name in hashed)
    assert list((static_root / "css").glob("site.*.css.gz"))
    assert (static_root / "staticfiles.json").exists()


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///", "SQLITE:///?timeout=5"])
def test_an_sqlite_url_without_a_path_is_refused_by_name(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL=.* names no SQLite file"):
        database_from_env()


def test_start_up_stops_on_an_sqlite_url_without_a_path():
    result = _manage(
        "check", DJANGO_SETTINGS_MODULE="config.settings.dev", DATABASE_URL="sqlite://"
    )
    assert result.returncode != 0
    assert "DATABASE_URL='sqlite://' names no SQLite file" in result.stderr


def test_a_command_logs_each_django_line_once_and_prints_no_axes_banner():
    result = _manage(
        "shell",
        "-c",
        "import logging; logging.getLogger('django.request').warning('marker-7f3a')",
        DJANGO_SETTINGS_MODULE="config.settings.dev",
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("marker-7f3a") == 1
    assert "AXES: BEGIN" not in result.stderr + result.stdout


def test_the_demo_database_starts_without_warnings(tmp_path):
    result = _manage(
        "check", "--database", "default", DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stderr + result.stdout


def test_the_makefile_takes_any_python_from_3_11():
    makefile = (ROOT / "Makefile").read_text()
    pyproject = (ROOT / "pyproject.toml").read_text()

    assert "sys.version_info[:2] >= (3, 11)" in makefile
    assert 'requires-python = ">=3.11"' in pyproject

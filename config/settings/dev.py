"""Local development and the `make run` demo: the embedded SQLite database, DEBUG on."""

import secrets

from .base import *  # noqa: F403
from .base import SECRET_KEY, VAR_DIR, env_bool, env_list

DEBUG = env_bool("DJANGO_DEBUG", True)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])


def _local_secret_key() -> str:
    """Return this checkout's own generated key, so none is ever committed."""
    path = VAR_DIR / "secret-key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = SECRET_KEY or _local_secret_key()

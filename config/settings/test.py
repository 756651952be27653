"""Settings for the test suite: fast hashing, local-memory cache, throwaway key."""

from django.core.management.utils import get_random_secret_key

from .base import *  # noqa: F403

SECRET_KEY = get_random_secret_key()
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tasks run at once, in the test's own transaction.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "snapshots"],
    }
}
# Tests fetch from their own server on loopback; every other network stays refused.
CREDENCE_FETCH_ALLOW_NETWORKS = ["127.0.0.1/32"]
CREDENCE_FETCH_CONNECT_TIMEOUT = 2.0
CREDENCE_FETCH_READ_TIMEOUT = 2.0
# Nothing is collected for tests (the finders serve static files): no STATIC_ROOT to serve.
STATIC_ROOT = None

"""gunicorn settings for production (`make serve-prod`; any host: gunicorn -c this file).

Every value can be set from the environment, as the platform's process manager likes.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Two workers per core plus one, each with four threads (gunicorn's gthread worker). With one
# thread, a reader's cached page (a few ms) waited behind an editor's admin form (~110 ms
# of CPU) in the same worker: `make loadtest` measured readers' p50 at 4.0x the read-only
# run while two editors worked, and 1.3x with four threads (editors' forms slower under
# that load: the core is shared fairly). Django and Credence's caches are thread-safe.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so that a slow leak never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
wsgi_app = "config.wsgi:application"

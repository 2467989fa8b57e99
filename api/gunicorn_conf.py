"""How the API is served, by `make run`, the benchmark and the Docker image alike:
`gunicorn -c python:api.gunicorn_conf api.wsgi`. Settings come from the environment."""

import os

bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
# One process per core; threads so that a worker waiting on Elasticsearch serves another
# request, and keep-alive connections (sync workers close every connection after one
# answer, then wait for the client to close its side). Measured: docs/PERFORMANCE.md.
workers = int(os.environ.get("WEB_WORKERS", os.cpu_count() or 2))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
keepalive = 5
# No control socket in $HOME/.gunicorn: several servers (the bench's) run side by side.
control_socket_disable = True
loglevel = os.environ.get("WEB_LOG_LEVEL", "warning")
accesslog = os.environ.get("WEB_ACCESS_LOG") or None

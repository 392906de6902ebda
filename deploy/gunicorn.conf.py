"""Gunicorn settings for one Rabta web instance (docs/deployment.md explains each choice).

    gunicorn -c deploy/gunicorn.conf.py app:app

Values come from the environment (the systemd unit's EnvironmentFile), so one file serves
every instance: rabta-web@8001 and rabta-web@8002 differ only in GUNICORN_BIND.
Command-line options still override anything here.
"""

import multiprocessing
import os

_instance = os.environ.get("RABTA_INSTANCE", "web")

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
# 2 x cores + 1 is the starting point; measure (`make bench`) and adjust. Every worker thread
# may hold one database connection: see "Connections" in docs/deployment.md.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"  # threads overlap database waits, and keep-alive to nginx works
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# Imported once in the master, then forked: less memory per worker. create_app opens no
# connection, so nothing is shared across the fork. A code change needs a restart (we do one).
preload_app = True
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))  # a worker silent this long is killed
graceful_timeout = 30  # in-flight requests finish during a restart
keepalive = 5  # longer than nginx's upstream keepalive_timeout (4 s), so gunicorn never closes first
# A fresh worker now and then caps any slow growth of memory (target: RSS under 200 MB).
max_requests = 2000
max_requests_jitter = 200
worker_tmp_dir = "/dev/shm"  # noqa: S108  (heartbeats on tmpfs: a slow disk never looks like a hung worker)
proc_name = f"rabta-{_instance}"
# Two instances on one host must not share the default control socket (~/.gunicorn/gunicorn.ctl).
control_socket_disable = True

# nginx on this host sets X-Forwarded-Proto; only it is believed (gunicorn's own https detection).
# The app's addresses come from PROXY_FIX_X_FOR (werkzeug ProxyFix), set in the env file.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# No access log: the app writes one structured line per request, with its request id and user.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()

if os.environ.get("LOG_FORMAT", "json") == "json":
    # Gunicorn's own lines (boot, worker timeouts) as JSON too, so the journal holds JSON only.
    # The root logger gets no handler here: the app installs its own (crm/logging_setup.py).
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "crm.logging_setup.JsonFormatter"}},
        "handlers": {
            "json_stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
        },
        "root": {"level": "INFO", "handlers": []},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["json_stderr"], "propagate": False},
            # A log config turns gunicorn's access log on; the app's request line replaces it.
            "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
        },
    }

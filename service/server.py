"""`hakam serve`: the app under gunicorn, on the embedded Redis when REDIS_URL is unset.

The app (and with it the model) is built once in the gunicorn master and shared by the forked
workers, so a start costs one model load and the workers share its memory. Each worker runs
its own webhook deliverer thread; the outbox in Redis hands every delivery to one of them.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile

from .config import Config

log = logging.getLogger("hakam")


def _configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr,
        format="%(asctime)s [%(process)d] [%(levelname)s] %(name)s: %(message)s")


def _metrics_dir() -> str:
    """A fresh folder for prometheus-client's per-process files; must be set before it loads."""
    folder = tempfile.mkdtemp(prefix="hakam-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    return folder


def serve(config: Config, host: str = "127.0.0.1", port: int = 8000, workers: int = 2) -> None:
    _configure_logging()
    embedded = None
    if not config.redis_url:
        from . import embedded as embedded_redis

        embedded = embedded_redis.start(config.data_dir)
        how = "started" if embedded.owned else "already running, reused"
        log.info("embedded Redis %s at %s, AOF persistence in %s (set REDIS_URL to use "
                 "your own Redis)", how, embedded.url, embedded.data_dir)
        config = config.with_(redis_url=embedded.url)
    metrics_dir = _metrics_dir()
    try:
        _run_gunicorn(config, host, port, workers)
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)
        if embedded is not None and embedded.owned:
            log.info("stopping the embedded Redis (its AOF is flushed first)")
            embedded.stop()


def server_options(host: str, port: int, workers: int) -> dict:
    """How `hakam serve` runs gunicorn, minus Hakam's own hooks. bench/throughput.py serves its
    bare baseline with exactly these, so the two differ only in the app."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "sync",
        "timeout": 30,
        "graceful_timeout": 20,
        "keepalive": 5,
        "preload_app": True,
        # The request line without its query string, and no client address: nothing a
        # reader typed can reach the log through it.
        "accesslog": "-",
        "access_log_format": '"%(m)s %(U)s" %(s)s %(B)s %(M)sms',
        "errorlog": "-",
    }


def run_wsgi(app, options: dict) -> None:
    """Serve a WSGI app under gunicorn with these settings (blocks until shutdown)."""
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return app

    Server().run()


def _one_blas_thread() -> None:
    # Workers are processes, one per core or so; a BLAS thread pool per worker would only
    # make them fight over the same cores (scoring's matrix products are tiny anyway).
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)


def _run_gunicorn(config: Config, host: str, port: int, workers: int) -> None:
    from prometheus_client import multiprocess

    from . import create_app
    from .webhooks import Deliverer

    # Built before forking: a wrong Redis or a broken model stops the start with one message.
    app = create_app(config, start_workers=False)
    store = app.extensions["hakam.store"]

    def post_fork(_server, _worker) -> None:
        _one_blas_thread()
        deliverer = Deliverer(store, timeout=config.webhook_timeout,
                              max_attempts=config.webhook_max_attempts)
        deliverer.start()
        app.extensions["hakam.deliverer"] = deliverer

    def child_exit(_server, worker) -> None:
        multiprocess.mark_process_dead(worker.pid)

    run_wsgi(app, {**server_options(host, port, workers), "post_fork": post_fork,
                   "child_exit": child_exit, "proc_name": "hakam"})

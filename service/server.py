"""`hakam serve`: the app under gunicorn, on the embedded Redis when REDIS_URL is unset.

The app (and with it the model) is built once in the gunicorn master and shared by the forked
workers, so a start costs one model load and the workers share its memory. Each worker runs
its own webhook deliverer thread; the outbox in Redis hands every delivery to one of them.

What the master sets up for all workers (the metrics folder, the embedded Redis) is released by
the master alone, when it exits: workers come and go (a signal, a reload, a timeout,
--max-requests) while the others keep using both. Workers are `worker.JsonErrorsWorker`, so
even what gunicorn refuses before the app sees it is answered in JSON.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable

from .config import Config

log = logging.getLogger("hakam")


def _configure_logging() -> None:
    from .redaction import guard

    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr,
        format="%(asctime)s [%(process)d] [%(levelname)s] %(name)s: %(message)s")
    guard(logging.getLogger().handlers)


def _metrics_dir() -> str:
    """A fresh folder for prometheus-client's per-process files; must be set before it loads."""
    folder = tempfile.mkdtemp(prefix="hakam-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    return folder


class _MasterResources:
    """What the gunicorn master set up for the whole service and must release when it, and
    only it, exits: the metrics folder every worker writes to and the embedded Redis.

    Forked workers inherit this object and leave through the same Python frames as the master
    (a worker exits by SystemExit: SIGTERM, a reload, a timeout, --max-requests), so `release`
    does nothing in any process but the one that made it: a worker leaving must never delete
    the folder its siblings write to or stop the Redis they use."""

    def __init__(self, supervisor, metrics_dir: str) -> None:
        self.supervisor = supervisor  # embedded.Supervisor, None with the user's own Redis
        self.metrics_dir = metrics_dir
        self.pid = os.getpid()
        self.released = False

    def watch(self) -> None:
        """One turn of the master's loop: start the embedded Redis again if it died."""
        if self.supervisor is not None and os.getpid() == self.pid and not self.released:
            self.supervisor.check()

    def release(self) -> None:
        if os.getpid() != self.pid or self.released:
            return
        self.released = True
        shutil.rmtree(self.metrics_dir, ignore_errors=True)
        embedded = self.supervisor.server if self.supervisor is not None else None
        if embedded is not None and embedded.owned:
            log.info("stopping the embedded Redis (its AOF is flushed first)")
            embedded.stop()


def serve(config: Config, host: str = "127.0.0.1", port: int = 8000, workers: int = 2,
          max_requests: int = 0) -> None:
    _configure_logging()
    supervisor = None
    if not config.redis_url:
        from . import embedded as embedded_redis

        embedded = embedded_redis.start(config.data_dir)
        how = "started" if embedded.owned else "already running, reused"
        log.info("embedded Redis %s at %s, AOF persistence in %s (set REDIS_URL to use "
                 "your own Redis)", how, embedded.url, embedded.data_dir)
        config = config.with_(redis_url=embedded.url)
        supervisor = embedded_redis.Supervisor(embedded)
    resources = _MasterResources(supervisor, _metrics_dir())
    try:
        _run_gunicorn(config, host, port, workers, max_requests, resources)
    finally:
        resources.release()  # the master's own way out when gunicorn never ran (a bad config)


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
        # The request line without its query string (where Perspective's clients put the site
        # key), and no client address or Host (where old Akismet clients put it): nothing a
        # reader typed and no key can reach the log through it. The logger redacts keys from
        # whatever it writes besides (hakam.service.redaction).
        "accesslog": "-",
        "access_log_format": '"%(m)s %(U)s" %(s)s %(B)s %(M)sms',
        "errorlog": "-",
        "logger_class": "hakam.service.redaction.RedactingGunicornLogger",
        # gunicorn 25.1's control socket sits at one path per user ($HOME/.gunicorn), so a
        # second `hakam serve` on the machine would take over the first one's; nothing of
        # Hakam's uses it.
        "control_socket_disable": True,
    }


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT)


def run_wsgi(app, options: dict, watch: Callable[[], None] | None = None) -> None:
    """Serve a WSGI app under gunicorn with these settings (blocks until shutdown); `watch`,
    if given, runs in the master at every turn of its loop (about once a second, and at once
    when a child process exits)."""
    from gunicorn.app.base import BaseApplication
    from gunicorn.arbiter import Arbiter

    class Master(Arbiter):
        def spawn_worker(self):
            # Until a new worker installs its own handlers it runs the master's, which only
            # queue a signal for the master's loop: a worker told to stop while booting (a
            # reload, or a shutdown a moment after a start) ignored it and held the master for
            # the graceful timeout. The stop signals are held back across the fork; the child
            # takes them with their default action (it has taken no request yet), the master
            # as before.
            held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
            master = os.getpid()
            try:
                return super().spawn_worker()
            finally:
                if os.getpid() == master:
                    signal.pthread_sigmask(signal.SIG_SETMASK, held)

        # gunicorn has no hook for the master's loop; these two run at each turn of it
        def reap_workers(self) -> None:
            if watch is not None:
                watch()  # first, so that a child of ours that exited is seen with its status
            super().reap_workers()

        def manage_workers(self) -> None:
            if watch is not None:
                watch()
            super().manage_workers()

    given_post_fork = options.get("post_fork")

    def post_fork(server, worker) -> None:
        for signum in _STOP_SIGNALS:
            signal.signal(signum, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)  # a pending one stops it now
        if given_post_fork is not None:
            given_post_fork(server, worker)

    options = {**options, "post_fork": post_fork}

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                if key == "control_socket_disable" and key not in self.cfg.settings:
                    continue  # a gunicorn older than 25.1 has no control socket
                self.cfg.set(key, value)

        def load(self):
            return app

        def run(self) -> None:
            try:
                Master(self).run()
            except RuntimeError as error:
                print(f"\nError: {error}\n", file=sys.stderr)
                sys.stderr.flush()
                sys.exit(1)

    Server().run()


def _one_blas_thread() -> None:
    # Workers are processes, one per core or so; a BLAS thread pool per worker would only
    # make them fight over the same cores (scoring's matrix products are tiny anyway).
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)


def _run_gunicorn(config: Config, host: str, port: int, workers: int, max_requests: int,
                  resources: _MasterResources) -> None:
    from prometheus_client import multiprocess

    from . import background, create_app

    # Built before forking: a wrong Redis or a broken model stops the start with one message.
    app = create_app(config, start_workers=False)

    def post_fork(_server, _worker) -> None:
        _one_blas_thread()
        background.start(app)  # the very work create_app starts outside gunicorn

    def child_exit(_server, worker) -> None:
        multiprocess.mark_process_dead(worker.pid)

    recycling = {"max_requests": max_requests,
                 # workers started together would otherwise all recycle together
                 "max_requests_jitter": max_requests // 10} if max_requests else {}
    run_wsgi(app, {**server_options(host, port, workers), **recycling,
                   "worker_class": "hakam.service.worker.JsonErrorsWorker",
                   "post_fork": post_fork, "child_exit": child_exit,
                   "on_exit": lambda _arbiter: resources.release(), "proc_name": "hakam"},
             watch=resources.watch)

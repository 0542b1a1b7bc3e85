"""`entente serve`: the development server with DEBUG, gunicorn otherwise."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Sert Entente : serveur de développement si DEBUG, gunicorn sinon."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3"))
        )

    def handle(self, *args, bind: str, workers: int, **options) -> None:
        if settings.DEBUG:
            # One command for a trial: the background tasks (invitation e-mails…) run beside
            # the development server and stop with it.
            task_worker = subprocess.Popen(  # noqa: S603 — our own interpreter and command
                [sys.executable, "-m", "entente", "db_worker", "--no-reload"]
            )
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop the worker too
            self.stdout.write(f"Entente est servi sur http://{bind}/ (Ctrl+C pour arrêter)")
            try:
                call_command("runserver", bind, use_reloader=False)
            finally:
                task_worker.terminate()
                task_worker.wait(timeout=10)
            return
        call_command("collectstatic", interactive=False, verbosity=0)
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
        os.execv(  # noqa: S606 — replaces this process with gunicorn, arguments are ours
            gunicorn,
            [
                gunicorn,
                "entente.wsgi:application",
                "--bind",
                bind,
                "--workers",
                str(workers),
                # threads, not sync workers: a long upload or download (a 2 GiB file over a
                # slow line) keeps its thread while the worker keeps answering its heartbeat
                "--worker-class",
                "gthread",
                "--threads",
                os.environ.get("WEB_THREADS", "8"),
                "--access-logfile",
                "-",
                "--forwarded-allow-ips",
                os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
            ],
        )

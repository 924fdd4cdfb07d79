"""Shared harness for the benchmarks under bench/ (the convention is docs/benchmarks.md).

A benchmark script calls `run(name, body)`. The harness then

1. creates a throw-away database: an SQLite file in a temporary directory, or, when DATABASE_URL points
   at PostgreSQL, a database named samvirke_bench_<random> on that server (dropped at the end);
2. points Django at it and migrates it; `body(h)` then builds its data set (bulk_create in batches);
3. `h.start_server()` starts the ASGI server as in production (uvicorn, 2 worker processes,
   127.0.0.1 only, DEBUG off) and waits until it answers;
4. `h.sign_in(...)` signs a user in through the real login and one-time-code forms (httpx, cookie jar);
5. `h.measure(...)` times URLs over HTTP (warm-up rounds, then measured rounds, interleaved so that a
   figure and its baseline share the same machine noise) and `h.count_queries(...)` counts the SQL
   queries of one request in-process with Django's test client;
6. stops the server and removes the database, also when something fails;
7. prints the one JSON line of the convention last. Exit status: 0 whether or not targets hold,
   1 when a correctness check failed, 2 when the benchmark could not run.

Nothing here imports Django models at module level: settings are read only once the database exists.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent
SETTINGS_MODULE = "samvirke.config.settings"
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "postgis"}


class CheckFailed(Exception):
    """A result differed from what it must be: the benchmark fails loudly (exit status 1)."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


_STARTED = time.monotonic()


def progress(message: str) -> None:
    print(f"[{time.monotonic() - _STARTED:7.1f} s] {message}", flush=True)


@contextlib.contextmanager
def timed(label: str, into: dict | None = None, key: str | None = None):
    """Print how long a step took; optionally store the seconds in `into[key]`."""
    progress(f"{label} …")
    start = time.perf_counter()
    yield
    seconds = time.perf_counter() - start
    if into is not None and key:
        into[key] = round(seconds, 2)
    progress(f"{label}: {seconds:.2f} s")


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Target:
    """One URL to time: a client (with its cookies), a path, extra headers and an optional response check."""

    client: object  # httpx.Client
    path: str
    headers: dict = field(default_factory=dict)
    check: Callable | None = None  # called with the httpx response; raise CheckFailed if it is wrong


class Harness:
    def __init__(self, name: str, *, workers: int = 2):
        self.name = name
        self.workers = workers
        self.tmpdir: Path | None = None
        self.engine = "sqlite"
        self.database_url = ""
        self._pg: dict | None = None  # connection parameters of the server's own database, for CREATE/DROP
        self.db_name: str | None = None
        self.server: subprocess.Popen | None = None
        self._server_log = None
        self.base_url = ""
        self._clients: list = []

    # -- database -----------------------------------------------------------------------------------------

    def open(self) -> Harness:
        self.tmpdir = Path(tempfile.mkdtemp(prefix=f"samvirke-bench-{self.name}-"))
        self._create_database()
        self._setup_django()
        return self

    def _create_database(self) -> None:
        source = os.environ.get("DATABASE_URL", "")
        parts = urlsplit(source)
        if parts.scheme in POSTGRES_SCHEMES:
            import psycopg
            from psycopg import sql

            self.engine = "postgresql"
            self._pg = {
                "host": parts.hostname or "127.0.0.1",
                "port": parts.port or 5432,
                "user": unquote(parts.username or ""),
                "password": unquote(parts.password or ""),
                "dbname": parts.path.lstrip("/") or "postgres",
            }
            self.db_name = f"samvirke_bench_{secrets.token_hex(4)}"
            # CREATE and DROP run from the URL's database, or the server's maintenance database if that
            # one does not exist (yet).
            for dbname in dict.fromkeys([self._pg["dbname"], "postgres", "template1"]):
                try:
                    conn = psycopg.connect(**{**self._pg, "dbname": dbname}, autocommit=True)
                except psycopg.OperationalError:
                    if dbname == "template1":
                        raise
                    continue
                self._pg["dbname"] = dbname
                break
            with conn:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.db_name)))
            self.database_url = parts._replace(path="/" + self.db_name).geturl()
            progress(f"database: PostgreSQL {self.db_name} on {self._pg['host']}:{self._pg['port']}")
        elif not source or parts.scheme == "sqlite":
            path = self.tmpdir / "bench.sqlite3"
            self.database_url = f"sqlite:///{path}"
            progress(f"database: SQLite {path}")
        else:
            raise RuntimeError(f"DATABASE_URL scheme {parts.scheme!r} is not supported by the benchmarks")

    def _base_env(self) -> dict:
        return {
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "DATABASE_URL": self.database_url,
            "SAMVIRKE_ENV": "development",  # no production start-up checks, but ...
            "DEBUG": "False",  # ... behave like production otherwise
            "SAMVIRKE_DEMO": "False",
            "SAMVIRKE_TESTING": "False",
            "LOG_LEVEL": "WARNING",
        }

    def _setup_django(self) -> None:
        os.environ.update(self._base_env())
        # The in-process test client (query counts) sends Host: testserver.
        os.environ["ALLOWED_HOSTS"] = "127.0.0.1,testserver"
        import django
        from django.core.management import call_command

        django.setup()
        with timed("migrate"):
            call_command("migrate", verbosity=0, interactive=False)

    def _drop_database(self) -> None:
        if self._pg is None or self.db_name is None:
            return
        import psycopg
        from psycopg import sql

        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        with psycopg.connect(**self._pg, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.db_name))
            )
        progress(f"dropped database {self.db_name}")
        self.db_name = None

    def settle(self) -> None:
        """Bring a freshly bulk-loaded database to the state a running one is in.

        PostgreSQL: VACUUM ANALYZE, which autovacuum would do within a minute of the load (planner
        statistics, visibility map). SQLite: checkpoint the write-ahead log. No ANALYZE on SQLite, because
        nothing runs it on a real installation either.
        """
        from django.db import connection

        with timed("settle database"):
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE")
            elif connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # -- server ---------------------------------------------------------------------------------------------

    def start_server(self, timeout: float = 90) -> str:
        import httpx
        from django.db import connections

        connections.close_all()  # let the workers have the database
        port = free_port()
        env = dict(os.environ, **self._base_env(), ALLOWED_HOSTS="127.0.0.1")
        uvicorn = Path(sys.executable).with_name("uvicorn")
        cmd = [str(uvicorn)] if uvicorn.exists() else [sys.executable, "-m", "uvicorn"]
        cmd += ["samvirke.config.asgi:application", "--workers", str(self.workers)]
        cmd += ["--host", "127.0.0.1", "--port", str(port)]
        self._server_log = open(self.tmpdir / "server.log", "wb")  # noqa: SIM115 - closed in stop_server
        self.server = subprocess.Popen(
            cmd,
            cwd=PROJECT_DIR,
            env=env,
            stdout=self._server_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.base_url = f"http://127.0.0.1:{port}"
        progress(f"server: {' '.join(cmd[-7:])} (pid {self.server.pid})")
        deadline = time.monotonic() + timeout
        answered = 0
        while answered < 2 * self.workers:
            if self.server.poll() is not None:
                raise RuntimeError(
                    f"the server exited with status {self.server.returncode}:\n{self.server_log_tail()}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the server did not answer within {timeout:.0f} s:\n{self.server_log_tail()}"
                )
            try:
                response = httpx.get(f"{self.base_url}/healthz", timeout=5)
                answered = answered + 1 if response.status_code == 200 and response.text == "ok" else 0
            except httpx.TransportError:
                answered = 0
                time.sleep(0.2)
        progress(f"server answers on {self.base_url}")
        return self.base_url

    def server_log_tail(self, lines: int = 40) -> str:
        try:
            text = (self.tmpdir / "server.log").read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop_server(self) -> None:
        if self.server is None:
            return
        pid = self.server.pid
        if self.server.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)
            try:
                self.server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
                self.server.wait()
        # Worker processes share the server's process group; make sure none outlives it.
        for _ in range(50):
            try:
                os.killpg(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        if self._server_log is not None:
            self._server_log.close()
            self._server_log = None
        self.server = None
        progress("server stopped")

    # -- clients ----------------------------------------------------------------------------------------

    def client(self):
        import httpx

        client = httpx.Client(base_url=self.base_url, timeout=60, follow_redirects=False)
        self._clients.append(client)
        return client

    def sign_in(self, username: str, password: str, totp_key_hex: str):
        """Sign in through the real login form and the real one-time-code form; return the httpx client."""
        from django_otp.oath import totp

        client = self.client()
        response = client.get("/accounts/login/")
        check(response.status_code == 200, f"login page answered {response.status_code}")
        response = client.post(
            "/accounts/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": _csrf(response.text)},
        )
        check(response.status_code == 302, f"login refused for {username}: {response.status_code}")
        response = client.get("/accounts/mfa/verify/")
        check(response.status_code == 200, f"one-time-code page answered {response.status_code}")
        code = f"{totp(bytes.fromhex(totp_key_hex), step=30, digits=6):06d}"
        response = client.post(
            "/accounts/mfa/verify/", data={"code": code, "csrfmiddlewaretoken": _csrf(response.text)}
        )
        check(response.status_code == 302, f"one-time code refused for {username}: {response.status_code}")
        progress(f"signed in as {username} (password + one-time code)")
        return client

    def session_cookies(self, client) -> dict:
        from django.conf import settings

        value = client.cookies.get(settings.SESSION_COOKIE_NAME)
        check(bool(value), "no session cookie after signing in")
        return {settings.SESSION_COOKIE_NAME: value}

    # -- measuring --------------------------------------------------------------------------------------

    def measure(self, targets: dict[str, Target], *, warmup: int = 10, rounds: int = 100) -> dict[str, dict]:
        """Time every target over HTTP, interleaved round by round: {name: {p50_ms, p95_ms, mean_ms}}."""
        times: dict[str, list[float]] = {name: [] for name in targets}
        progress(f"measuring {', '.join(targets)}: {warmup} warm-up + {rounds} measured rounds")
        for round_no in range(warmup + rounds):
            for name, target in targets.items():
                start = time.perf_counter()
                response = target.client.get(target.path, headers=target.headers)
                elapsed = (time.perf_counter() - start) * 1000
                if response.status_code != 200:
                    raise CheckFailed(f"{name}: GET {target.path} answered {response.status_code}")
                if target.check is not None and round_no in (0, warmup + rounds - 1):
                    target.check(response)
                if round_no >= warmup:
                    times[name].append(elapsed)
        result = {}
        for name, values in times.items():
            result[name] = {
                "p50_ms": round(percentile(values, 50), 1),
                "p95_ms": round(percentile(values, 95), 1),
                "mean_ms": round(statistics.fmean(values), 1),
            }
            progress(
                f"  {name}: p50 {result[name]['p50_ms']} ms, p95 {result[name]['p95_ms']} ms, "
                f"mean {result[name]['mean_ms']} ms"
            )
        return result

    def count_queries(self, path: str, *, cookies: dict | None = None, headers: dict | None = None) -> int:
        """SQL queries of one GET, counted in-process (Django test client), after one warm-up request."""
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        client = Client(headers=headers or {})
        for key, value in (cookies or {}).items():
            client.cookies[key] = value
        client.get(path)  # fill per-process caches (content types, translations)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        check(response.status_code == 200, f"GET {path} in-process answered {response.status_code}")
        progress(f"  {path}: {len(ctx.captured_queries)} queries")
        return len(ctx.captured_queries)

    # -- cleaning up ----------------------------------------------------------------------------------------

    def close(self) -> None:
        for client in self._clients:
            with contextlib.suppress(Exception):
                client.close()
        self._clients.clear()
        try:
            self.stop_server()
        finally:
            try:
                self._drop_database()
            finally:
                if self.tmpdir is not None:
                    shutil.rmtree(self.tmpdir, ignore_errors=True)
                    self.tmpdir = None


def _csrf(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    check(match is not None, "no CSRF token in the form")
    return match.group(1)


def _holds(value: float, target: str) -> bool:
    op, _, number = target.partition(" ")
    limit = float(number)
    return value <= limit if op == "<=" else value >= limit if op == ">=" else False


def _on_sigterm(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def run(name: str, body: Callable[[Harness], tuple[dict, dict, dict]]) -> None:
    """Run `body(h)`, which returns (size, metrics, targets); clean up; print the JSON line last; exit."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    signal.signal(signal.SIGTERM, _on_sigterm)
    harness = Harness(name)
    try:
        try:
            harness.open()
            size, metrics, targets = body(harness)
        except BaseException:
            if harness.server is not None:
                print(f"server log (last lines):\n{harness.server_log_tail()}", file=sys.stderr, flush=True)
            raise
        finally:
            harness.close()
    except CheckFailed as error:
        print(f"CHECK FAILED: {error}", file=sys.stderr, flush=True)
        sys.exit(1)
    except BaseException:
        traceback.print_exc()
        print(f"the {name} benchmark could not run", file=sys.stderr, flush=True)
        sys.exit(2)
    missing = [key for key in targets if key not in metrics]
    if missing:
        print(f"targets without a metric: {missing}", file=sys.stderr)
        sys.exit(2)
    ok = all(_holds(metrics[key], target) for key, target in targets.items())
    print(
        json.dumps({"bench": name, "size": size, "metrics": metrics, "targets": targets, "ok": ok}),
        flush=True,
    )
    sys.exit(0)

"""What bench/availability.py and bench/backfill.py share: databases, Django, lockstep, the
longest-transaction watcher and the machine's load.

Databases are named `bench_<what>_<pid>` and dropped at the end, even on failure. A populated
database is built once as a template and cloned (`CREATE DATABASE … TEMPLATE`, a file copy) for
each run, so every run starts from the same bytes.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PROJECT = HERE / "django"
PYTHON = ROOT / ".venv" / "bin" / "python"
ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


def dsn(database: str) -> str:
    return f"host=127.0.0.1 port=5432 user=postgres dbname={database}"


def url(database: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{database}"


def loadavg() -> str:
    """The 1-, 5- and 15-minute load averages, as the kernel reports them."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def admin() -> psycopg.Connection:
    return psycopg.connect(ADMIN_DSN, autocommit=True)


def drop(database: str) -> None:
    with admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def clone(template: str, database: str) -> None:
    with admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
        # Flush what the previous run dirtied now, not during the next measurement.
        conn.execute("CHECKPOINT")


def manage(database: str, *args: str, env: dict[str, str] | None = None) -> float:
    """Runs `manage.py ARGS` of the benchmark project on `database`; returns its wall time."""
    environ = {**os.environ, "LOCKSTEP_BENCH_DB": database, **(env or {})}
    started = time.monotonic()
    subprocess.run([str(PYTHON), "manage.py", *args], cwd=PROJECT, env=environ, check=True,
                   stdout=subprocess.DEVNULL)
    return time.monotonic() - started


def build_template(name: str, migrate_to: tuple[str, str], orders: int,
                   customers: int = 10_000) -> None:
    """A database at migration `migrate_to` with `customers` and `orders` rows, vacuumed."""
    with admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    manage(name, "migrate", *migrate_to)
    with psycopg.connect(dsn(name), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO load_customer (name, created) "
            "SELECT 'customer ' || g, now() - g * interval '1 minute' "
            "FROM generate_series(1, %s) g", (customers,))
        conn.execute(
            "INSERT INTO load_order (amount, note, placed) "
            "SELECT (g::bigint * 7919) %% 1000, 'order ' || g, "
            "       timestamptz '2024-01-01' + (g::bigint * 7919 %% 1000000) * interval '1 second' "
            "FROM generate_series(1, %s) g", (orders,))
        conn.execute("VACUUM (ANALYZE) load_order")
        conn.execute("VACUUM (ANALYZE) load_customer")


@contextmanager
def databases(*names: str):
    """Drops the named databases on the way out, whatever happened."""
    try:
        yield
    finally:
        for name in names:
            drop(name)


# --- lockstep -------------------------------------------------------------------------------

def lockstep_has(lockstep: Path, subcommand: str) -> bool:
    """Whether this lockstep binary has the subcommand (plan, apply, review land separately)."""
    result = subprocess.run([str(lockstep), subcommand, "--help"], capture_output=True)
    return result.returncode == 0


def lockstep_plan(lockstep: Path, paths: list[Path], out: Path) -> str:
    """`lockstep plan PATHS -o OUT`; returns the `sha256:` digest it prints."""
    result = subprocess.run([str(lockstep), "plan", *map(str, paths), "-o", str(out)],
                            capture_output=True, text=True, check=True)
    found = re.search(r"sha256:[0-9a-f]{64}", result.stdout + result.stderr)
    if not found:
        raise RuntimeError(f"lockstep plan printed no digest: {result.stdout!r} {result.stderr!r}")
    return found.group(0)


def lockstep_apply(lockstep: Path, plan: Path, digest: str, database: str) -> float:
    """`lockstep apply PLAN --approve DIGEST --database-url …`; returns its wall time."""
    started = time.monotonic()
    result = subprocess.run(
        [str(lockstep), "apply", str(plan), "--approve", digest, "--database-url", url(database)],
        capture_output=True, text=True)
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        raise RuntimeError(f"lockstep apply failed ({result.returncode}):\n"
                           f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return elapsed


# --- the longest transaction ------------------------------------------------------------------

class TransactionWatcher:
    """Samples `pg_stat_activity` of one database and keeps the longest transaction it saw.

    A transaction is a (pid, xact_start); its length is the server's clock at the last sample
    that saw it minus xact_start, so the figure is short of the truth by less than one interval.
    Connections named in `ignore` (application_name) are left out, and so is the watcher.
    """

    def __init__(self, database: str, interval: float = 0.01,
                 ignore: tuple[str, ...] = ("lockstep-bench-load",)):
        self.database, self.interval, self.ignore = database, interval, ignore
        self.longest = 0.0
        self.transactions: dict[tuple[int, object], float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._ready = threading.Event()
        self.error: BaseException | None = None

    def __enter__(self) -> TransactionWatcher:
        self._thread.start()
        self._ready.wait()
        if self.error:
            raise self.error
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            conn = psycopg.connect(ADMIN_DSN, autocommit=True)
        except BaseException as exc:  # reported to the caller by __enter__
            self.error = exc
            self._ready.set()
            return
        self._ready.set()
        with conn:
            while not self._stop.is_set():
                rows = conn.execute(
                    "SELECT pid, xact_start, extract(epoch FROM clock_timestamp() - xact_start) "
                    "FROM pg_stat_activity WHERE datname = %s AND xact_start IS NOT NULL "
                    "AND pid <> pg_backend_pid() AND NOT (application_name = ANY(%s))",
                    (self.database, list(self.ignore))).fetchall()
                for pid, start, seconds in rows:
                    key = (pid, start)
                    self.transactions[key] = max(self.transactions.get(key, 0.0), float(seconds))
                    self.longest = max(self.longest, float(seconds))
                self._stop.wait(self.interval)

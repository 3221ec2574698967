"""A steady write load on the benchmark project's tables, logging every write.

Threads of two kinds, each on its own autocommit connection, paced to a fixed rate:
- `update`: `UPDATE load_order SET amount = amount + 1 WHERE id = <random id>` (a row of the
  big table, by primary key: what most application writes look like);
- `insert`: `INSERT INTO load_customer …` (the table a new foreign key points at).
They are separate threads so that a lock on one table never hides what happens on the other.

Each write is logged as (kind, start, latency, error): start on `time.monotonic()`, so the caller
can cut the log at the migration's start and end. A write fails when the server refuses it;
with `statement_timeout_ms` (default 5 s, the budget of a web request) a write that waits longer
for a lock fails too, as it would in an application.

Usable as a module (`Load`, by bench/availability.py) or alone:
    .venv/bin/python bench/load.py --dsn "host=127.0.0.1 user=postgres dbname=bench_x" --seconds 10
prints a summary (`summarize`) as JSON.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import threading
import time
from dataclasses import dataclass, field

import psycopg


@dataclass(frozen=True)
class Write:
    kind: str  # "update" or "insert"
    start: float  # time.monotonic() when the statement was sent
    latency: float  # seconds until the server answered (success or error)
    error: str | None


@dataclass
class Load:
    dsn: str
    max_order_id: int
    update_threads: int = 3
    insert_threads: int = 1
    rate_per_thread: float = 100.0  # writes per second each thread aims at
    statement_timeout_ms: int = 5000
    seed: int = 9
    log: list[Write] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        kinds = ["update"] * self.update_threads + ["insert"] * self.insert_threads
        ready = threading.Barrier(len(kinds) + 1)
        for number, kind in enumerate(kinds):
            thread = threading.Thread(target=self._run, args=(kind, number, ready), daemon=True)
            thread.start()
            self._threads.append(thread)
        ready.wait()  # every connection is open: writes start together

    def stop(self) -> list[Write]:
        self._stop.set()
        for thread in self._threads:
            thread.join()
        with self._lock:
            return sorted(self.log, key=lambda w: w.start)

    def _run(self, kind: str, number: int, ready: threading.Barrier) -> None:
        rng = random.Random(self.seed * 1000 + number)
        conn = psycopg.connect(self.dsn, autocommit=True)
        conn.execute(f"SET statement_timeout = {int(self.statement_timeout_ms)}")
        conn.execute("SET application_name = 'lockstep-bench-load'")
        ready.wait()
        interval = 1.0 / self.rate_per_thread
        next_at = time.monotonic()
        local: list[Write] = []
        try:
            while not self._stop.is_set():
                start = time.monotonic()
                error = None
                try:
                    if kind == "update":
                        conn.execute(
                            "UPDATE load_order SET amount = amount + 1 WHERE id = %s",
                            (rng.randint(1, self.max_order_id),),
                        )
                    else:
                        conn.execute(
                            "INSERT INTO load_customer (name, created) VALUES (%s, now())",
                            (f"load {number} {start:.6f}",),
                        )
                except psycopg.Error as exc:  # the write failed: logged, the load goes on
                    error = type(exc).__name__ + ": " + str(exc).splitlines()[0]
                    if conn.broken:
                        conn = psycopg.connect(self.dsn, autocommit=True)
                        conn.execute(f"SET statement_timeout = {int(self.statement_timeout_ms)}")
                local.append(Write(kind, start, time.monotonic() - start, error))
                # Paced, not bursting: after a stall the thread resumes its rate, it does not
                # replay the writes it missed (that would inflate the latency after the stall).
                next_at = max(next_at + interval, time.monotonic())
                delay = next_at - time.monotonic()
                if delay > 0:
                    self._stop.wait(delay)
        finally:
            conn.close()
            with self._lock:
                self.log.extend(local)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(p / 100 * len(ordered))))
    return ordered[rank - 1]


def longest_stall(log: list[Write], kind: str, since: float, until: float) -> float:
    """The longest time in [since, until] during which no write of `kind` succeeded.

    Counted between successful completions (a write that waits on a lock completes late; one
    that times out does not count as progress), with the window's edges as boundaries.
    """
    done = sorted(w.start + w.latency for w in log
                  if w.kind == kind and w.error is None and since <= w.start + w.latency <= until)
    marks = [since, *done, until]
    return max((b - a for a, b in zip(marks, marks[1:])), default=until - since)


def corrected(latencies: list[float], interval: float) -> list[float]:
    """Latencies as writes arriving at a steady rate would see them.

    A paced thread that waits L seconds on a lock does not send the writes due meanwhile, so
    the log holds one slow write where an application (whose requests keep arriving) would
    have had L / interval of them, waiting L - interval, L - 2 interval, … This adds those
    (HdrHistogram's correction for coordinated omission); without it a stall of seconds
    hardly moves the p99.
    """
    out = []
    for latency in latencies:
        out.append(latency)
        missed = latency - interval
        while missed > 0:
            out.append(missed)
            missed -= interval
    return out


def summarize(log: list[Write], since: float, until: float, interval: float = 0.01) -> dict:
    """Figures for the writes started in [since, until] (the migration's window).

    `interval` is each thread's pace (1 / writes per second), for the corrected p99.
    """
    window = [w for w in log if since <= w.start <= until]
    latencies = [w.latency for w in window]
    kinds = sorted({w.kind for w in log})
    return {
        "window_s": until - since,
        "writes": len(window),
        "failed": sum(1 for w in window if w.error is not None),
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(corrected(latencies, interval), 99) * 1000,
        "p99_sent_ms": percentile(latencies, 99) * 1000,
        "max_latency_ms": max(latencies, default=0.0) * 1000,
        "stall_ms": {k: longest_stall(log, k, since, until) * 1000 for k in kinds},
        "longest_stall_ms": max((longest_stall(log, k, since, until) for k in kinds),
                                default=0.0) * 1000,
        "errors": sorted({w.error for w in window if w.error})[:5],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--update-threads", type=int, default=3)
    parser.add_argument("--insert-threads", type=int, default=1)
    parser.add_argument("--rate", type=float, default=100.0, help="writes/s per thread")
    parser.add_argument("--statement-timeout-ms", type=int, default=5000)
    args = parser.parse_args()
    with psycopg.connect(args.dsn) as conn:
        max_id = conn.execute("SELECT coalesce(max(id), 0) FROM load_order").fetchone()[0]
    if max_id == 0:
        raise SystemExit("load_order is empty: nothing to update")
    load = Load(args.dsn, max_id, args.update_threads, args.insert_threads, args.rate,
                args.statement_timeout_ms)
    load.start()
    since = time.monotonic()
    time.sleep(args.seconds)
    until = time.monotonic()
    log = load.stop()
    summary = summarize(log, since, until, 1.0 / args.rate)
    summary["writes_per_s"] = summary["writes"] / summary["window_s"]
    summary["median_latency_ms"] = statistics.median(w.latency for w in log) * 1000
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()

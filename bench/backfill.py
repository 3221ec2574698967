"""Backfill throughput and the longest transaction: keyset batches against the alternatives.

The benchmark project (bench/django) at load.0002, so `load_order.status` is NULL on every row.
Filling it with 'new' three ways, each on a fresh clone of the same template:
- `keyset`: `lockstep apply` of the safe plan, whose backfill step updates keyset batches by
  primary key, each batch its own transaction;
- `offset`: the hand-written Django `RunPython` of bench/django/backfill (an OFFSET slice per
  batch, `.update()` of the slice's ids), applied by `manage.py migrate backfill 0001`;
- `update`: one `UPDATE load_order SET status = 'new' WHERE status IS NULL`, the physical floor.
For each: rows per second of the backfill itself (lockstep: its journal's time for the backfill
step; the OFFSET loop: wall time less Django's start-up measured in the same run; UPDATE: wall
time) and the longest transaction seen in the database (sampled every 10 ms, so short by less
than that): how long the rows of a batch stay locked against the application's writes. The
OFFSET loop's batch size is the plan's starting batch size (lockstep adapts its own to a target
time per batch, and the journal's batch figures are printed).

    .venv/bin/python bench/backfill.py --sizes 100000x3 1000000x1 --lockstep target/release/lockstep
(`ROWSxRUNS`: that many rows, that many runs of each method, the median reported).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdb  # noqa: E402

MIGRATIONS = benchdb.PROJECT / "load" / "migrations"
DEFAULT_BATCH = 1000


def nulls_left(database: str) -> int:
    with psycopg.connect(benchdb.dsn(database)) as conn:
        return conn.execute("SELECT count(*) FROM load_order WHERE status IS NULL").fetchone()[0]


def single_update(database: str) -> None:
    with psycopg.connect(benchdb.dsn(database), autocommit=True) as conn:
        conn.execute("UPDATE load_order SET status = 'new' WHERE status IS NULL")


def journal(database: str) -> dict:
    """The backfill step as lockstep's journal (schema `lockstep`) recorded it."""
    with psycopg.connect(benchdb.dsn(database)) as conn:
        step = conn.execute(
            "SELECT step_id, duration_ms, rows, batches FROM lockstep.steps "
            "WHERE kind = 'backfill' AND direction = 'forward'").fetchall()
        if len(step) != 1:
            raise RuntimeError(f"{database}: expected one backfill step in the journal: {step}")
        step_id, duration_ms, rows, batches = step[0]
        longest, sizes = conn.execute(
            "SELECT max(duration_ms), array_agg(rows ORDER BY batch) FROM lockstep.batches "
            "WHERE step_id = %s", (step_id,)).fetchone()
    return {"step_s": duration_ms / 1000, "rows": rows, "batches": batches,
            "longest_batch_s": longest / 1000, "largest_batch": max(sizes)}


def measure(apply, template: str, database: str, inspect=None) -> dict:
    benchdb.clone(template, database)
    with benchdb.TransactionWatcher(database) as watcher:
        started = time.monotonic()
        apply(database)
        seconds = time.monotonic() - started
    left = nulls_left(database)
    extra = inspect(database) if inspect else {}
    benchdb.drop(database)
    if left:
        raise RuntimeError(f"{database}: {left} rows still NULL after the backfill")
    return {"seconds": seconds, "longest_tx_s": watcher.longest,
            "transactions": len(watcher.transactions), **extra}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["100000x3", "1000000x1"],
                        help="ROWSxRUNS")
    parser.add_argument("--lockstep", type=Path, required=True)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    pid = os.getpid()
    template, work = f"bench_backfill_tpl_{pid}", f"bench_backfill_{pid}"
    have_apply = benchdb.lockstep_has(args.lockstep, "apply") and \
        benchdb.lockstep_has(args.lockstep, "plan")
    batch = DEFAULT_BATCH
    methods = {}
    with tempfile.TemporaryDirectory() as tmp:
        if have_apply:
            plan = Path(tmp) / "plan.json"
            digest = benchdb.lockstep_plan(args.lockstep, [MIGRATIONS], plan)
            steps = [s for p in json.loads(plan.read_text())["phases"] for s in p["steps"]]
            backfills = [s["backfill"] for s in steps if s.get("backfill")]
            if not backfills:
                raise RuntimeError("the plan of bench/django/load has no backfill step")
            batch = backfills[0]["batch_size"]
            methods["keyset"] = lambda db: benchdb.lockstep_apply(args.lockstep, plan, digest, db)
        env = {"LOCKSTEP_BENCH_BATCH_SIZE": str(batch)}
        methods["offset"] = lambda db: benchdb.manage(db, "migrate", "backfill", "0001", env=env)
        methods["update"] = single_update

        load_before = benchdb.loadavg()
        results: dict[int, dict[str, list[dict]]] = {}
        django_startup: list[float] = []
        sizes = [tuple(int(n) for n in size.split("x")) for size in args.sizes]
        for rows, runs in sizes:
            results[rows] = {m: [] for m in methods}
            with benchdb.databases(template, work):
                benchdb.build_template(template, ("load", "0002"), rows)
                benchdb.clone(template, work)
                # What `manage.py migrate` costs before the RunPython starts (start-up, graph).
                django_startup.append(benchdb.manage(work, "migrate", "backfill", "0001", "--plan"))
                for _ in range(runs):
                    for method, apply in methods.items():
                        inspect = journal if method == "keyset" else None
                        results[rows][method].append(measure(apply, template, work, inspect))
        load_after = benchdb.loadavg()

    startup = statistics.median(django_startup)
    print(f"  OFFSET loop's batch: {batch:,} rows (the plan's starting batch; lockstep then sizes "
          f"batches to ~200 ms each); load average (1, 5, 15 min): {load_before} before, "
          f"{load_after} after")
    labels = {"keyset": "keyset (lockstep apply)", "offset": "OFFSET loop (RunPython)",
              "update": "one UPDATE (floor)"}

    def backfill_seconds(method: str, run: dict) -> float:
        # The backfill itself: lockstep's journal times its backfill step (the plan's other
        # steps — the NOT NULL check, VALIDATE — are not part of it); Django's start-up,
        # measured apart, is taken off the OFFSET loop's wall time.
        if method == "keyset":
            return run["step_s"]
        if method == "offset":
            return max(run["seconds"] - startup, 1e-3)
        return run["seconds"]

    for (rows, runs), by_method in zip(sizes, results.values()):
        print(f"  {rows:,} rows, median of {runs} run(s) {'rows/s':>8} {'backfill':>9} "
              f"{'longest tx':>11} {'tx seen':>8}  wall time of the command")
        medians = {}
        for method in ("keyset", "offset", "update"):
            measured = by_method.get(method)
            if not measured:
                print(f"    {labels[method]:25} skipped: this lockstep has no `plan`/`apply` yet")
                continue
            seconds = statistics.median(backfill_seconds(method, r) for r in measured)
            medians[method] = seconds
            wall = statistics.median(r["seconds"] for r in measured)
            longest = statistics.median(r["longest_tx_s"] for r in measured)
            seen = statistics.median(r["transactions"] for r in measured)
            note = {
                "keyset": lambda: f"{wall:.2f} s (whole plan); journal: "
                f"{statistics.median(r['batches'] for r in measured):.0f} batches, longest "
                f"{statistics.median(r['longest_batch_s'] for r in measured) * 1000:.0f} ms, "
                f"largest {statistics.median(r['largest_batch'] for r in measured):,.0f} rows",
                "offset": lambda: f"{wall:.2f} s (with Django's start-up, {startup:.2f} s)",
                "update": lambda: f"{wall:.2f} s",
            }[method]()
            print(f"    {labels[method]:25} {rows / seconds:10,.0f} {seconds:7.2f} s"
                  f" {longest * 1000:8.0f} ms {seen:8.0f}  {note}")
        floor, offset = medians["update"], medians["offset"]
        line = f"    ratio to the floor (time): OFFSET loop {offset / floor:.1f}x"
        if "keyset" in medians:
            keyset = medians["keyset"]
            line += (f", keyset {keyset / floor:.1f}x; keyset backfills {offset / keyset:.1f}x "
                     f"as fast as the OFFSET loop")
        print(line)
    if args.json:
        args.json.write_text(json.dumps({"loadavg": [load_before, load_after], "batch": batch,
                                         "results": {str(k): v for k, v in results.items()}},
                                        indent=2))


if __name__ == "__main__":
    main()

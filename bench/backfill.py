"""Backfill throughput and the longest transaction: keyset batches against the alternatives.

The benchmark project (bench/django) at load.0002, so `load_order.status` is NULL on every row.
Filling it with 'new' three ways, each on a fresh clone of the same template:
- `keyset`: `lockstep apply` of the safe plan, whose backfill step updates keyset batches by
  primary key, each batch its own transaction;
- `offset`: the hand-written Django `RunPython` of bench/django/backfill (an OFFSET slice per
  batch, `.update()` of the slice's ids), applied by `manage.py migrate backfill 0001`;
- `update`: one `UPDATE load_order SET status = 'new' WHERE status IS NULL`, the physical floor.
For each: rows per second (wall time, process start-up included) and the longest transaction
seen in the database (sampled every 10 ms, so short by less than that): how long the rows of a
batch stay locked against the application's writes. Both batched methods use the same batch size.

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


def measure(apply, template: str, database: str) -> dict:
    benchdb.clone(template, database)
    with benchdb.TransactionWatcher(database) as watcher:
        started = time.monotonic()
        apply(database)
        seconds = time.monotonic() - started
    left = nulls_left(database)
    benchdb.drop(database)
    if left:
        raise RuntimeError(f"{database}: {left} rows still NULL after the backfill")
    return {"seconds": seconds, "longest_tx_s": watcher.longest,
            "transactions": len(watcher.transactions)}


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
                        results[rows][method].append(measure(apply, template, work))
        load_after = benchdb.loadavg()

    startup = statistics.median(django_startup)
    print(f"  batch size {batch:,} for both batched methods; Django start-up (migrate --plan) "
          f"{startup:.2f} s is inside the OFFSET loop's time (rows/s without it in brackets)")
    print(f"  load average (1, 5, 15 min): {load_before} before, {load_after} after")
    labels = {"keyset": "keyset (lockstep apply)", "offset": "OFFSET loop (RunPython)",
              "update": "one UPDATE (floor)"}
    for (rows, runs), by_method in zip(sizes, results.values()):
        print(f"  {rows:,} rows, median of {runs} {'':3} {'rows/s':>10} {'time':>9} {'longest tx':>11}"
              f" {'tx seen':>8}")
        for method in ("keyset", "offset", "update"):
            runs = by_method.get(method)
            if not runs:
                print(f"    {labels[method]:25} skipped: this lockstep has no `plan`/`apply` yet")
                continue
            seconds = statistics.median(r["seconds"] for r in runs)
            longest = statistics.median(r["longest_tx_s"] for r in runs)
            seen = statistics.median(r["transactions"] for r in runs)
            net = f" ({rows / max(seconds - startup, 1e-3):,.0f}/s)" if method == "offset" else ""
            print(f"    {labels[method]:25} {rows / seconds:10,.0f} {seconds:7.2f} s"
                  f" {longest * 1000:8.0f} ms {seen:8.0f}{net}")
        floor = statistics.median(r["seconds"] for r in by_method["update"])
        offset = statistics.median(r["seconds"] for r in by_method["offset"])
        line = f"    ratio to the floor (time): OFFSET loop {offset / floor:.1f}x"
        if by_method.get("keyset"):
            keyset = statistics.median(r["seconds"] for r in by_method["keyset"])
            line += f", keyset {keyset / floor:.1f}x; keyset is {offset / keyset:.1f}x the OFFSET loop's speed"
        print(line)
    if args.json:
        args.json.write_text(json.dumps({"loadavg": [load_before, load_after], "batch": batch,
                                         "results": {str(k): v for k, v in results.items()}},
                                        indent=2))


if __name__ == "__main__":
    main()

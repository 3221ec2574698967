"""Write availability while a risky migration runs: Django's `migrate` against `lockstep apply`.

The benchmark project (bench/django) at 0001 with ROWS orders; under a steady write load
(bench/load.py) the migrations 0002 (foreign key, nullable column, index) and 0003 (the column
NOT NULL with a default: Django's UPDATE backfill + SET NOT NULL in one transaction) are applied
to a fresh clone, once with `manage.py migrate load 0003` and once with `lockstep apply` of the
safe plan of the same files. Runs alternate between the two so both see the same machine.

For each: the longest write stall (longest time with no successful write of one kind: order
updates or customer inserts), p99 write latency (corrected for coordinated omission, see
load.corrected), failed writes (server errors, or waits past the
load's 5 s statement_timeout), all during the migration; and the migration's wall time. The
same load's p99 in the second before the migration is the baseline. Both results are checked to
be the same schema facts (index valid, foreign key validated, status NOT NULL, no NULL left).

    .venv/bin/python bench/availability.py --rows 1000000 --runs 3 --lockstep target/release/lockstep
Prints a table; `--json FILE` also writes the raw figures.
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
from load import Load, corrected, percentile, summarize  # noqa: E402

MIGRATIONS = benchdb.PROJECT / "load" / "migrations"
WARMUP_S = 1.0
TAIL_S = 0.5


def check_result(database: str) -> None:
    """The migration did all it says, whoever applied it; raises otherwise."""
    with psycopg.connect(benchdb.dsn(database)) as conn:
        facts = conn.execute("""
            SELECT
              (SELECT indisvalid FROM pg_index WHERE indexrelid = 'load_order_placed_idx'::regclass),
              (SELECT bool_and(convalidated) FROM pg_constraint
                WHERE conrelid = 'load_order'::regclass AND contype = 'f'),
              (SELECT attnotnull FROM pg_attribute
                WHERE attrelid = 'load_order'::regclass AND attname = 'status'),
              (SELECT count(*) FROM load_order WHERE status IS NULL),
              (SELECT count(*) FROM django_migrations WHERE app = 'load')
        """).fetchone()
    expected = (True, True, True, 0, 3)
    if facts != expected:
        raise RuntimeError(f"{database}: (index valid, FK validated, status NOT NULL, NULLs left,"
                           f" load migrations recorded) = {facts}, expected {expected}")


def one_run(method: str, template: str, database: str, max_id: int, apply) -> dict:
    benchdb.clone(template, database)
    load = Load(benchdb.dsn(database), max_id)
    load.start()
    time.sleep(WARMUP_S)
    since = time.monotonic()
    apply(database)
    until = time.monotonic()
    time.sleep(TAIL_S)
    log = load.stop()
    check_result(database)
    benchdb.drop(database)
    before = [w.latency for w in log if since - WARMUP_S <= w.start < since and w.error is None]
    summary = summarize(log, since, until, 1.0 / load.rate_per_thread)
    summary["method"] = method
    summary["migration_s"] = until - since
    summary["baseline_p99_ms"] = percentile(corrected(before, 1.0 / load.rate_per_thread), 99) * 1000
    summary["baseline_writes_per_s"] = len(before) / WARMUP_S
    return summary


def median_of(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lockstep", type=Path, required=True)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    pid = os.getpid()
    template, work = f"bench_avail_tpl_{pid}", f"bench_avail_{pid}"
    have_apply = benchdb.lockstep_has(args.lockstep, "apply") and \
        benchdb.lockstep_has(args.lockstep, "plan")
    load_before = benchdb.loadavg()
    results: dict[str, list[dict]] = {"django": [], "lockstep": []}
    with benchdb.databases(template, work), tempfile.TemporaryDirectory() as tmp:
        started = time.monotonic()
        benchdb.build_template(template, ("load", "0001"), args.rows)
        print(f"  {args.rows:,} orders, 10,000 customers: template built in "
              f"{time.monotonic() - started:.1f} s")
        methods = {"django": lambda db: benchdb.manage(db, "migrate", "load", "0003")}
        if have_apply:
            plan = Path(tmp) / "plan.json"
            # Planned once, before the deploy, as a reviewer would: not part of the timing.
            digest = benchdb.lockstep_plan(args.lockstep, [MIGRATIONS], plan)
            methods["lockstep"] = lambda db: benchdb.lockstep_apply(args.lockstep, plan, digest, db)
        for _ in range(args.runs):
            for method, apply in methods.items():
                results[method].append(one_run(method, template, work, args.rows, apply))
    load_after = benchdb.loadavg()

    print(f"  load: 3 update + 1 insert threads, 100 writes/s each, statement_timeout 5 s; "
          f"median of {args.runs} run(s) each")
    print(f"  load average (1, 5, 15 min): {load_before} before, {load_after} after")
    header = (f"  {'':22} {'longest stall':>14} {'p99 write':>11} {'failed':>7} "
              f"{'migration':>10} {'p99 before':>11}")
    print(header)
    for method, runs in results.items():
        if not runs:
            print(f"  {method:22} skipped: this lockstep has no `plan`/`apply` yet")
            continue
        label = "manage.py migrate" if method == "django" else "lockstep apply (safe)"
        print(f"  {label:22} {median_of(runs, 'longest_stall_ms'):11.0f} ms"
              f" {median_of(runs, 'p99_ms'):8.0f} ms {median_of(runs, 'failed'):7.0f}"
              f" {median_of(runs, 'migration_s'):8.2f} s {median_of(runs, 'baseline_p99_ms'):8.1f} ms")
        stalls = {k: statistics.median(r["stall_ms"][k] for r in runs) for k in runs[0]["stall_ms"]}
        print(f"  {'':22} stall by kind: " +
              ", ".join(f"{k} {v:.0f} ms" for k, v in sorted(stalls.items())) +
              f"; p99 of the writes as sent {median_of(runs, 'p99_sent_ms'):.0f} ms" +
              (f"; errors: {runs[-1]['errors']}" if runs[-1]["errors"] else ""))
    if results["lockstep"]:
        d, s = results["django"], results["lockstep"]
        print(f"  ratio (migrate / lockstep): longest stall "
              f"{median_of(d, 'longest_stall_ms') / max(median_of(s, 'longest_stall_ms'), 1e-3):.1f}x, "
              f"p99 {median_of(d, 'p99_ms') / max(median_of(s, 'p99_ms'), 1e-3):.1f}x, "
              f"migration time {median_of(s, 'migration_s') / median_of(d, 'migration_s'):.2f}x "
              f"as long with lockstep")
    if args.json:
        args.json.write_text(json.dumps({"rows": args.rows, "loadavg": [load_before, load_after],
                                         "runs": results}, indent=2))


if __name__ == "__main__":
    main()

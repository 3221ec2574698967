"""Analysis speed of `lockstep check`, each figure against a baseline in the same run.

1. The `.sql` corpus against squawk: the recorded `sqlmigrate` output of the fixture project and
   django.contrib (tests/django/oracle, the 61 forward `.sql` files), copied COPIES times into a
   temporary directory (each copy's app directories renamed, `auth_c7/0001_initial.sql`), linted
   by `lockstep check --format json` and by `squawk --reporter json` (the PyPI `squawk-cli`
   wheel's binary), each one process over the whole directory.
2. `lockstep check` over every django.contrib migration (.py) of the installed Django.
3. `lockstep check` over COPIES copies of the fixture project's migrations (`shop`, `catalog`,
   `ops`, apps renamed per copy so each copy is its own graph).
The baseline of 2 and 3 is what any Python-based linter pays before it knows anything: a Python
process that reads every file and `ast.parse`s it.

Every figure is the median wall time of RUNS process runs, start-up included; statements are
counted from lockstep's own JSON (the same count is used for squawk).

    .venv/bin/python bench/check_speed.py --lockstep target/release/lockstep \
        --squawk target/squawk-venv/bin/squawk --copies 50 --runs 5
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdb  # noqa: E402

ORACLE = benchdb.ROOT / "tests" / "django" / "oracle"
FIXTURE = benchdb.ROOT / "tests" / "django" / "project"
FIXTURE_APPS = ("shop", "catalog", "ops")
AST_BASELINE = (
    "import ast, pathlib, sys\n"
    "for root in sys.argv[1:]:\n"
    "    for path in sorted(pathlib.Path(root).rglob('*.py')):\n"
    "        ast.parse(path.read_text(), str(path))\n"
)


def timed(command: list[str], runs: int, ok=(0, 1)) -> float:
    """Median wall time of `runs` runs; fails on an exit status outside `ok`."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - started)
        if result.returncode not in ok:
            raise RuntimeError(f"{command[0]} exited {result.returncode}: {result.stderr[-1000:]!r}")
    return statistics.median(times)


def lockstep_counts(lockstep: Path, paths: list[Path]) -> tuple[int, int, int]:
    """(files, statements, findings) of one `lockstep check --format json` run."""
    result = subprocess.run([str(lockstep), "check", "--format", "json", "--fail-on", "never",
                             *map(str, paths)], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"lockstep check exited {result.returncode}: {result.stderr[-1000:]}")
    out = json.loads(result.stdout)
    statements = sum(len(op.get("statements", [])) for f in out["files"] for op in f["operations"])
    return len(out["files"]), statements, len(out.get("findings", []))


def sql_corpus(dest: Path, copies: int) -> int:
    files = sorted(p for p in ORACLE.rglob("*.sql") if p.name.count(".") == 1)
    for copy in range(copies):
        for path in files:
            target = dest / f"{path.parent.name}_c{copy}" / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return len(files) * copies


def django_corpus(dest: Path, copies: int) -> int:
    rename = re.compile(r"""(['"])(%s)(['".])""" % "|".join(FIXTURE_APPS))
    count = 0
    for copy in range(copies):
        for app in FIXTURE_APPS:
            for path in sorted((FIXTURE / app / "migrations").glob("0*.py")):
                text = rename.sub(lambda m: f"{m[1]}{m[2]}_c{copy}{m[3]}", path.read_text())
                target = dest / f"{app}_c{copy}" / "migrations" / path.name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text)
                count += 1
    return count


def contrib_migration_dirs() -> list[Path]:
    found = subprocess.run([str(benchdb.PYTHON), "-c",
                            "import django, pathlib; print(pathlib.Path(django.__file__).parent)"],
                           capture_output=True, text=True, check=True).stdout.strip()
    return sorted(p for p in (Path(found) / "contrib").glob("*/migrations") if any(p.glob("0*.py")))


def row(label: str, seconds: float, statements: int, files: int) -> None:
    print(f"  {label:34} {seconds * 1000:9.1f} ms {statements / seconds:11,.0f} statements/s"
          f" {files / seconds:9,.0f} files/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lockstep", type=Path, required=True)
    parser.add_argument("--squawk", type=Path, required=True)
    parser.add_argument("--copies", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    lockstep = [str(args.lockstep), "check", "--format", "json", "--fail-on", "never"]
    python = str(benchdb.PYTHON)

    with tempfile.TemporaryDirectory(prefix="bench_check_") as tmp:
        sql_dir, py_dir = Path(tmp) / "sql", Path(tmp) / "py"
        sql_files = sql_corpus(sql_dir, args.copies)
        py_files = django_corpus(py_dir, args.copies)
        contrib = contrib_migration_dirs()
        load_before = benchdb.loadavg()

        files, statements, findings = lockstep_counts(args.lockstep, [sql_dir])
        assert files == sql_files, (files, sql_files)
        version = subprocess.run([str(args.squawk), "--version"], capture_output=True,
                                 text=True).stdout.strip()
        squawk = [str(args.squawk), "--reporter", "json", "--pg-version", "16",
                  str(sql_dir / "**" / "*.sql")]
        violations = len(json.loads(subprocess.run(squawk, capture_output=True, text=True).stdout))
        ours, theirs = timed(lockstep + [str(sql_dir)], args.runs), timed(squawk, args.runs)
        print(f"  .sql corpus: {sql_files:,} files ({args.copies} copies of 61 sqlmigrate outputs),"
              f" {statements:,} statements; {findings:,} lockstep findings, {violations:,} squawk"
              f" violations")
        row("lockstep check --format json", ours, statements, sql_files)
        row(f"{version} --reporter json", theirs, statements, sql_files)
        print(f"  ratio: lockstep takes {ours / theirs:.2f}x squawk's time "
              f"({theirs / ours:.2f}x squawk's speed)")

        c_files, c_statements, _ = lockstep_counts(args.lockstep, contrib)
        g_files, g_statements, g_findings = lockstep_counts(args.lockstep, [py_dir])
        assert g_files == py_files, (g_files, py_files)
        for label, paths, n_files, n_statements in (
                (f"django.contrib: {c_files} migrations", contrib, c_files, c_statements),
                (f"generated: {g_files:,} migrations ({args.copies} renamed copies of the "
                 f"fixture project), {g_findings:,} findings", [py_dir], g_files, g_statements)):
            ours = timed(lockstep + list(map(str, paths)), args.runs)
            floor = timed([python, "-c", AST_BASELINE, *map(str, paths)], args.runs, ok=(0,))
            print(f"  {label}; {n_statements:,} statements")
            row("lockstep check --format json", ours, n_statements, n_files)
            row("python: read + ast.parse (floor)", floor, n_statements, n_files)
            print(f"  ratio: lockstep takes {ours / floor:.2f}x the time Python needs to parse them")
        if args.copies >= 4:
            # The same corpus at a quarter of the size, in the same run: linear work takes a
            # quarter of the time, so the ratio says how the analysis scales with a project.
            quarter_dir = Path(tmp) / "py_quarter"
            quarter_files = django_corpus(quarter_dir, args.copies // 4)
            quarter = timed(lockstep + [str(quarter_dir)], args.runs)
            whole = timed(lockstep + [str(py_dir)], args.runs)
            print(f"  scaling: {quarter_files:,} files {quarter * 1000:.0f} ms, {py_files:,} files "
                  f"{whole * 1000:.0f} ms: {whole / quarter:.1f}x the time for "
                  f"{py_files / quarter_files:.0f}x the files")
        print(f"  load average (1, 5, 15 min): {load_before} before, {benchdb.loadavg()} after; "
              f"median of {args.runs} run(s)")


if __name__ == "__main__":
    main()

"""Times Django's own `sqlmigrate` over every migration of the fixture project and
django.contrib, in one process: the baseline for `lockstep` in bench/run.

Prints JSON: {"passes": [seconds, ...], "migrations": N, "failed": M, "startup": seconds}.
Runs against an empty database (created and dropped here): sqlmigrate needs a connection,
and the few operations that introspect the schema may fail on it; they are counted and
left out of both sides' figures (bench/run only uses `migrations`).
"""

import io
import json
import os
import sys
import time
from pathlib import Path

started = time.perf_counter()
HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent / "tests" / "django" / "project"
passes = int(sys.argv[1]) if len(sys.argv) > 1 else 5
database = f"lockstep_bench_{os.getpid()}"

import psycopg  # noqa: E402

admin = psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True)
admin.execute(f'CREATE DATABASE "{database}"')
try:
    os.environ["LOCKSTEP_DJANGO_DB"] = database
    os.environ["DJANGO_SETTINGS_MODULE"] = "fixture.settings"
    sys.path.insert(0, str(PROJECT))
    import django
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    django.setup()
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    keys = [(m.app_label, m.name) for m, _ in plan]
    startup = time.perf_counter() - started
    times, failed = [], set()
    for _ in range(passes):
        t = time.perf_counter()
        for app, name in keys:
            try:
                call_command("sqlmigrate", app, name, stdout=io.StringIO(), stderr=io.StringIO(),
                             no_color=True)
            except Exception:  # noqa: BLE001 - counted, not hidden
                failed.add((app, name))
        times.append(time.perf_counter() - t)
    connection.close()
    print(json.dumps({"passes": times, "migrations": len(keys), "failed": len(failed),
                      "startup": startup}))
finally:
    admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')

"""Settings of the benchmark project: one app (`load`), nothing else.

Only `makemigrations` and `migrate` run here. The database name comes from LOCKSTEP_BENCH_DB
so that each benchmark run migrates its own fresh database (names start with `bench_`).
"""

import os

SECRET_KEY = "lockstep-bench-not-a-secret"  # a fixed dummy: this project never serves requests
DEBUG = False
INSTALLED_APPS = ["load", "backfill"]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("LOCKSTEP_BENCH_DB", "bench_django"),
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": "127.0.0.1",
        "PORT": "5432",
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"

"""Prints bench/run's first table: Lockstep's median time against sqlmigrate's (stdin)."""

import json
import statistics
import sys

django = json.load(sys.stdin)
ours, statements = float(sys.argv[1]), int(sys.argv[2])
base = statistics.median(django["passes"])
startup, failed, migrations = django["startup"], django["failed"], django["migrations"]
print(f"  statements in the corpus:    {statements}")
print(f"  lockstep (one process):      {ours * 1000:8.1f} ms  {statements / ours:9.0f} statements/s")
print(f"  sqlmigrate (warm, 1 process): {base * 1000:7.1f} ms  {statements / base:9.0f} statements/s"
      f"  (+{startup:.2f} s start-up; {failed} of {migrations} failed on an empty database)")
print(f"  ratio:                       {base / ours:8.1f}x sqlmigrate's speed")

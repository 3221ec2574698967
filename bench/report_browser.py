"""Prints bench/run's browser timings from bench/browser.mjs's JSON line (stdin)."""

import json
import sys

r = json.load(sys.stdin)
runs = r["runs"]
print(f"  page load to first analysis (example review): {r['first_analysis_ms']:.0f} ms, median of"
      f" {runs} {r['first_analysis_all']}")
print(f"  keystroke to updated findings ({r['files']} files): {r['keystroke_ms']:.0f} ms, median of"
      f" {runs} {r['keystroke_all']} (one analysis: {r['one_analysis_ms']:.0f} ms; the rest is the"
      f" reviewer's debounce and rendering)")

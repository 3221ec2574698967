#!/usr/bin/env python
"""Django's command-line utility for the benchmark project (bench/README.md, section 4)."""
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchproj.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Runs argv[1:] (stdout and stderr to /dev/null) and prints its wall time in
milliseconds (one decimal) on the monotonic clock; this script's own start-up
is not counted. Exits with the command's status."""
import subprocess
import sys
import time

start = time.monotonic_ns()
status = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
print(f"{(time.monotonic_ns() - start) / 1e6:.1f}")
sys.exit(status)

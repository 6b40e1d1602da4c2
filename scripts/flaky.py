"""``make flaky``: the browser tests and the tests that start servers of their own, run
``--runs`` times (5 by default) in two processes as ``make test`` runs them, while a CPU
hog keeps every core busy, as on a loaded CI machine. Prints every test that failed at
least once, and exits 1 if any did.

Each run is a fresh pytest process; a run's failures are read from its JUnit XML file.
"""

import argparse
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SELECTION = "browser or servers"


def _hog() -> None:
    while True:
        pass


def _failures(report: Path) -> list[str]:
    """The ids of the tests that failed or erred in a JUnit XML report."""
    if not report.exists():
        return ["(the run wrote no report)"]
    failed = []
    for case in ET.parse(report).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed.append(f"{case.get('classname')}::{case.get('name')}")
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=int(os.environ.get("FLAKY_RUNS", "5")))
    parser.add_argument("--hogs", type=int, default=os.cpu_count() or 2)
    arguments = parser.parse_args()
    hogs = [multiprocessing.Process(target=_hog, daemon=True) for _ in range(arguments.hogs)]
    for hog in hogs:
        hog.start()
    failed: Counter = Counter()
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="flaky-") as folder:
            for run in range(1, arguments.runs + 1):
                report = Path(folder) / f"run-{run}.xml"
                began = time.monotonic()
                outcome = subprocess.run(
                    [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
                    + ["--numprocesses=auto", "--maxprocesses=2", "--dist=loadfile"]
                    + ["-m", SELECTION, f"--junitxml={report}"],
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                this_run = _failures(report)
                if outcome.returncode not in (0, 1) and not this_run:
                    this_run = [f"(pytest exited with {outcome.returncode})"]
                failed.update(this_run)
                print(
                    f"run {run}/{arguments.runs}: {len(this_run)} failed "
                    f"in {time.monotonic() - began:.0f} s",
                    flush=True,
                )
    finally:
        for hog in hogs:
            hog.terminate()
    minutes = (time.monotonic() - started) / 60
    print(
        f"\n{arguments.runs} runs of the tests marked '{SELECTION}' with {arguments.hogs} "
        f"CPU hogs in {minutes:.0f} min: {len(failed)} tests failed at least once"
    )
    for test, count in sorted(failed.items()):
        print(f"  {count}/{arguments.runs}  {test}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Counts Catch2 test cases of one meson build's test run and prints
'tests: N passed, N failed, N skipped'. Reads meson's testlog.json for each binary's outcome and
the JUnit report each binary wrote. A test that is not a Catch2 binary (an example run as a test) counts as one case with
meson's verdict. A binary that skipped as a whole (exit 77: no GPU) counts all
its test cases as skipped (listed with --list-tests); one that died without a report counts its
listed cases as failed. Exits non-zero when anything failed."""
import json, os, subprocess, sys
import xml.etree.ElementTree as ET

build = sys.argv[1] if len(sys.argv) > 1 else "build"
log = os.path.join(build, "meson-logs", "testlog.json")
passed = failed = skipped = 0


def listed_cases(cmd):
    out = subprocess.run([cmd[0], "--list-tests", "--verbosity", "quiet"],
                         capture_output=True, text=True).stdout
    return [l for l in out.splitlines() if l.strip()]


def junit_path(cmd):
    for a in cmd:
        if a.startswith("JUnit::out="):
            return a[len("JUnit::out="):]
    return None


with open(log) as f:
    for line in f:
        t = json.loads(line)
        cmd, result = t["command"], t["result"]
        if result == "SKIP":
            skipped += len(listed_cases(cmd))
            continue
        path = junit_path(cmd)
        if not path:  # not a Catch2 binary (an example run as a test): one case, meson's verdict
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            else:
                failed += 1
            continue
        if not os.path.exists(path):
            failed += max(1, len(listed_cases(cmd)))
            continue
        cases = {}
        for tc in ET.parse(path).getroot().iter("testcase"):
            name = tc.get("name").split("/")[0]
            state = cases.setdefault(name, {"fail": False, "skip": True})
            if tc.find("failure") is not None or tc.find("error") is not None:
                state["fail"] = True
            if tc.find("skipped") is None:
                state["skip"] = False
        if result not in ("OK", "EXPECTEDFAIL") and not any(s["fail"] for s in cases.values()):
            failed += 1  # the binary failed outside any test case (crash, sanitizer)
        for s in cases.values():
            if s["fail"]:
                failed += 1
            elif s["skip"]:
                skipped += 1
            else:
                passed += 1

print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)

"""Judge a pip-audit run: known vulnerabilities fail CI; an unreachable service only warns.

Usage: audit_verdict.py REPORT.json STDERR.txt EXIT_CODE

pip-audit exits non-zero both when it finds vulnerabilities and when it cannot ask the
vulnerability service, and when the service answers "not found" for a package it exits 0 with
that package skipped. So the verdict reads the report, not only the exit code:
  - any vulnerability                        -> exit 1 (CI fails), listing each one
  - no report and a network error            -> warning, exit 0 (offline machine)
  - no report and any other error            -> exit 1 (a broken audit must not pass silently)
  - packages skipped (could not be audited)  -> warning naming them, exit 0
  - otherwise                                -> exit 0
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

NETWORK_SIGNS = (
    "ConnectionError",
    "NameResolutionError",
    "Max retries exceeded",
    "Temporary failure in name resolution",
    "Name or service not known",
    "timed out",
    "Network is unreachable",
    "Connection refused",
    "ProxyError",
    "SSLError",
    "ServiceError",
)
BANNER = "!" * 72


def warn(message: str) -> None:
    print(f"{BANNER}\n!!! WARNING (dependency audit): {message}\n{BANNER}", file=sys.stderr)


def verdict(report_path: Path, stderr: str, exit_code: int) -> int:
    try:
        report = json.loads(report_path.read_text())
    except (OSError, ValueError):
        report = None
    if report is None:
        if any(sign in stderr for sign in NETWORK_SIGNS):
            warn("the vulnerability service could not be reached; the dependencies were NOT audited.")
            return 0
        print(f"pip-audit failed (exit code {exit_code}) without a report:\n{stderr[-2000:]}", file=sys.stderr)
        return 1
    dependencies = report.get("dependencies", [])
    found = [(d["name"], d.get("version", "?"), v) for d in dependencies for v in d.get("vulns", [])]
    for name, version, vuln in found:
        fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
        print(f"VULNERABLE: {name} {version}: {vuln.get('id')} (fixed in: {fixes})", file=sys.stderr)
    if found:
        print(f"{len(found)} known vulnerabilit{'y' if len(found) == 1 else 'ies'} in the pinned dependencies.")
        return 1
    skipped = [d for d in dependencies if d.get("skip_reason")]
    if skipped:
        names = ", ".join(d["name"] for d in skipped[:8]) + (" ..." if len(skipped) > 8 else "")
        reason = skipped[0]["skip_reason"]
        warn(f"{len(skipped)} of {len(dependencies)} packages could not be audited ({names}): {reason}")
        return 0
    print(f"No known vulnerabilities in {len(dependencies)} pinned packages.")
    return 0


if __name__ == "__main__":
    sys.exit(verdict(Path(sys.argv[1]), Path(sys.argv[2]).read_text(errors="replace"), int(sys.argv[3])))

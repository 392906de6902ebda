"""The CI dependency audit's verdict (.ci/audit_verdict.py): vulnerabilities fail, an
unreachable vulnerability service warns and passes, a broken audit fails."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

VERDICT = Path(__file__).resolve().parents[2] / ".ci" / "audit_verdict.py"
CLEAN = {"dependencies": [{"name": "flask", "version": "3.1.3", "vulns": []}], "fixes": []}
VULNERABLE = {
    "dependencies": [
        {"name": "flask", "version": "0.12", "vulns": [{"id": "PYSEC-2018-66", "fix_versions": ["0.12.3"]}]},
        {"name": "jinja2", "version": "3.1.6", "vulns": []},
    ]
}
SKIPPED = {"dependencies": [{"name": "flask", "skip_reason": "Dependency not found on PyPI and could not be audited"}]}
OFFLINE = "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='pypi.org'): Max retries exceeded"


def judge(tmp_path: Path, report: dict | None, stderr: str = "", code: int = 0) -> subprocess.CompletedProcess[str]:
    report_path, stderr_path = tmp_path / "report.json", tmp_path / "stderr"
    if report is not None:
        report_path.write_text(json.dumps(report))
    stderr_path.write_text(stderr)
    command = [sys.executable, str(VERDICT), str(report_path), str(stderr_path), str(code)]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=30)


def test_known_vulnerabilities_fail_and_are_named(tmp_path: Path) -> None:
    result = judge(tmp_path, VULNERABLE, code=1)
    assert result.returncode == 1
    assert "flask 0.12: PYSEC-2018-66 (fixed in: 0.12.3)" in result.stderr


def test_a_clean_audit_passes(tmp_path: Path) -> None:
    result = judge(tmp_path, CLEAN)
    assert result.returncode == 0
    assert "No known vulnerabilities in 1 pinned packages" in result.stdout


@pytest.mark.parametrize(("report", "stderr", "code"), [(None, OFFLINE, 1), (SKIPPED, "", 0)])
def test_an_unreachable_service_warns_loudly_and_passes(tmp_path: Path, report: dict | None, stderr: str, code: int):
    result = judge(tmp_path, report, stderr, code)
    assert result.returncode == 0
    assert "WARNING (dependency audit)" in result.stderr


def test_an_audit_that_breaks_otherwise_fails(tmp_path: Path) -> None:
    result = judge(tmp_path, None, "ERROR: invalid requirement: 'flask=='", 1)
    assert result.returncode == 1
    assert "without a report" in result.stderr

"""CONVENTIONS.md rules 1-3, checked on the source of crm/ (AST, no imports of the code).

1. A model is constructed only in its own feature's services.py (the only write path).
2. Services never commit or roll back, and never read Flask's request state or flask_login.
3. Services take the session first and everything else as keyword-only arguments.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FLASK_REQUEST_STATE = frozenset({"request", "g", "session", "current_app"})
TRANSACTION_CONTROL = frozenset({"commit", "rollback"})

Files = dict[str, str]  # path relative to the project root (posix) -> source


def crm_sources() -> Files:
    return {
        path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8") for path in (ROOT / "crm").rglob("*.py")
    }


def feature_of(path: str) -> str:
    """`crm/engagements/services.py` -> `engagements` (`` for modules directly in crm/)."""
    parts = path.split("/")
    return parts[1] if len(parts) > 2 else ""


def is_services(path: str) -> bool:
    return path.endswith("/services.py")


def _base_names(node: ast.ClassDef) -> set[str]:
    return {base.id if isinstance(base, ast.Name) else getattr(base, "attr", "") for base in node.bases}


def model_classes(files: Files) -> dict[str, str]:
    """Model class name -> the feature defining it: subclasses of Base (or of another model)."""
    models: dict[str, str] = {}
    for path, source in files.items():
        if not path.endswith("models.py"):
            continue
        classes = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.ClassDef)]
        grown = True
        while grown:  # to a fixpoint: a model may subclass a model defined further down
            found = {c.name for c in classes if c.name not in models and _base_names(c) & ({"Base"} | set(models))}
            models.update(dict.fromkeys(found, feature_of(path)))
            grown = bool(found)
    return models


def construction_violations(files: Files) -> list[str]:
    """Rule 1: `Model(` appears only in crm/<the model's feature>/services.py."""
    models = model_classes(files)
    violations = []
    for path, source in sorted(files.items()):
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in models:
                home = models[node.func.id]
                if not (is_services(path) and feature_of(path) == home):
                    violations.append(
                        f"{path}:{node.lineno}: {node.func.id}( is constructed here; only crm/{home}/services.py may"
                    )
    return violations


def _import_problem(node: ast.Import | ast.ImportFrom) -> str:
    modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
    if any(module.split(".")[0] == "flask_login" for module in modules):
        return "imports flask_login; pass the actor explicitly"
    names = sorted({a.name for a in node.names} & FLASK_REQUEST_STATE) if modules == ["flask"] else []
    return f"imports {', '.join(names)} from flask; pass the session and actor explicitly" if names else ""


def _purity_problem(node: ast.AST) -> str:
    if isinstance(node, ast.Import | ast.ImportFrom):
        return _import_problem(node)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in TRANSACTION_CONTROL:
        return f"calls .{node.func.attr}(); the outer caller owns the transaction"
    flask_attribute = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "flask"
    if flask_attribute and node.attr in FLASK_REQUEST_STATE:
        return f"uses flask.{node.attr}; pass the session and actor explicitly"
    return ""


def purity_violations(path: str, source: str) -> list[str]:
    """Rule 2: no transaction control and no request state inside a service module."""
    problems = ((node.lineno, _purity_problem(node)) for node in ast.walk(ast.parse(source)) if hasattr(node, "lineno"))
    return [f"{path}:{line}: {problem}" for line, problem in sorted(problems) if problem]


def keyword_only_violations(path: str, source: str) -> list[str]:
    """Rule 3: a public `def f(session, ...)` takes everything after the session keyword-only."""
    violations = []
    for node in ast.parse(source).body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or node.name.startswith("_"):
            continue
        positional = [a.arg for a in node.args.posonlyargs + node.args.args]
        if positional[:1] != ["session"]:
            continue
        extra = positional[1:] + ([f"*{node.args.vararg.arg}"] if node.args.vararg else [])
        if extra:
            violations.append(
                f"{path}:{node.lineno}: {node.name}() takes {', '.join(extra)} positionally; put them after `*`"
            )
    return violations


def services_violations(files: Files) -> list[str]:
    found = []
    for path, source in sorted(files.items()):
        if is_services(path):
            found += purity_violations(path, source) + keyword_only_violations(path, source)
    return found


# The rules, on the real code.


def test_the_checker_sees_the_models():
    models = model_classes(crm_sources())
    assert {"User": "accounts", "Designation": "designations", "AuditEvent": "audit"}.items() <= models.items()


def test_models_are_constructed_only_in_their_features_services():
    violations = construction_violations(crm_sources())
    assert violations == [], "\n".join(violations)


def test_services_neither_commit_nor_read_request_state():
    files = crm_sources()
    violations = [v for p, s in sorted(files.items()) if is_services(p) for v in purity_violations(p, s)]
    assert violations == [], "\n".join(violations)


def test_services_take_keyword_only_arguments_after_the_session():
    files = crm_sources()
    violations = [v for p, s in sorted(files.items()) if is_services(p) for v in keyword_only_violations(p, s)]
    assert violations == [], "\n".join(violations)


# The checker itself: it must catch what it claims to catch.

ENGAGEMENT_MODEL = "from crm.db import Base\nclass Engagement(Base):\n    pass\nclass Minutes(Engagement):\n    pass\n"


def test_the_checker_catches_a_model_built_in_a_view():
    files = {
        "crm/engagements/models.py": ENGAGEMENT_MODEL,
        "crm/engagements/services.py": "def log(session, *, actor):\n    return Engagement(actor=actor)\n",
        "crm/engagements/views.py": "x = 1\ny = Minutes(text='')\n",
        "crm/threads/services.py": "def add(session, *, actor):\n    Engagement()\n",
    }
    assert construction_violations(files) == [
        "crm/engagements/views.py:2: Minutes( is constructed here; only crm/engagements/services.py may",
        "crm/threads/services.py:2: Engagement( is constructed here; only crm/engagements/services.py may",
    ]


def test_the_checker_catches_a_service_that_commits_or_reads_the_request():
    source = (
        "import flask_login\n"
        "from flask import current_app, g, url_for\n"
        "def log(session, *, actor):\n"
        "    session.commit()\n"
        "    session.rollback()\n"
    )
    assert purity_violations("crm/x/services.py", source) == [
        "crm/x/services.py:1: imports flask_login; pass the actor explicitly",
        "crm/x/services.py:2: imports current_app, g from flask; pass the session and actor explicitly",
        "crm/x/services.py:4: calls .commit(); the outer caller owns the transaction",
        "crm/x/services.py:5: calls .rollback(); the outer caller owns the transaction",
    ]


def test_the_checker_catches_request_state_by_other_spellings():
    source = "import flask\nfrom flask_login import current_user\ndef f(session):\n    return flask.request\n"
    assert [v.split(": ", 1)[0] for v in purity_violations("crm/x/services.py", source)] == [
        "crm/x/services.py:2",
        "crm/x/services.py:4",
    ]


def test_the_checker_catches_positional_arguments_after_the_session():
    source = (
        "def good(session, *, actor):\n    pass\n"
        "def bad(session, actor, kind=None):\n    pass\n"
        "def splat(session, *args):\n    pass\n"
        "def _private(session, actor):\n    pass\n"
        "def helper(value, other):\n    pass\n"
    )
    assert keyword_only_violations("crm/x/services.py", source) == [
        "crm/x/services.py:3: bad() takes actor, kind positionally; put them after `*`",
        "crm/x/services.py:5: splat() takes *args positionally; put them after `*`",
    ]


def test_the_checker_accepts_a_well_behaved_service():
    source = (
        "from flask import url_for\n"
        "def log(session, *, actor, subject):\n"
        "    session.flush()\n"
        "    return url_for('x')\n"
    )
    assert services_violations({"crm/x/services.py": source}) == []

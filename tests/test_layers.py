"""The layers of docs/decisions/0001 hold: imports and `{% url %}` tags flow one way.

core ← accounts ← registry ← citizens ← identity ← visits ← surveys ← monitoring; biometrics
is a pure library (no Django, no app). An app's code and templates may use the apps to its
left, never those to its right: a registry page that needs a queue link gets it through
`mpp.registry.links`, registered by the queue app. Tests may reach across (a readiness test in
core seeds queue rows to see the outbox lag); the rule is about what ships.
"""

import ast
import re
from pathlib import Path

import pytest

APPS = ["core", "accounts", "registry", "citizens", "identity", "visits", "surveys", "monitoring"]
MPP = Path(__file__).resolve().parent.parent / "mpp"
URL_TAG = re.compile(r"{%\s*url\s+['\"](\w+):")


def _imported_apps(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "mpp" and len(parts) > 1:
                found.append((node.lineno, parts[1]))
    return found


def _upward(app: str, target: str) -> bool:
    if target == app:
        return False
    if app == "biometrics":
        return True  # the pure library imports no app
    return target in APPS and APPS.index(target) > APPS.index(app)


def _violations(app: str) -> list[str]:
    found = []
    for path in sorted((MPP / app).rglob("*.py")):
        if "migrations" in path.parts or "tests" in path.parts:
            continue  # migrations name other apps only as strings; tests may reach across
        for line, target in _imported_apps(path):
            if _upward(app, target):
                found.append(f"{path.relative_to(MPP.parent)}:{line} imports mpp.{target}")
    for path in sorted((MPP / app).rglob("*.html")):
        for number, text in enumerate(path.read_text().splitlines(), 1):
            for match in URL_TAG.finditer(text):
                if _upward(app, match.group(1)):
                    rel = path.relative_to(MPP.parent)
                    found.append(f"{rel}:{number} links to {match.group(1)}:")
    return found


@pytest.mark.parametrize("app", APPS + ["biometrics"])
def test_an_app_uses_only_the_apps_below_it(app):
    assert _violations(app) == []


def test_the_biometrics_library_imports_no_django():
    for path in sorted((MPP / "biometrics").rglob("*.py")):
        if "tests" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [node.module] if isinstance(node, ast.ImportFrom) else []
                names += [a.name for a in node.names] if isinstance(node, ast.Import) else []
                assert not any((n or "").startswith("django") for n in names), path


def test_the_layer_check_sees_an_upward_import_and_an_upward_link(tmp_path, monkeypatch):
    # A check that cannot fail proves nothing: plant one of each and see both reported.
    app = tmp_path / "registry"
    (app / "templates").mkdir(parents=True)
    (app / "bad.py").write_text("from mpp.visits.models import Ticket\n")
    (app / "templates" / "bad.html").write_text("{% url 'surveys:mall_quality' 'x' %}\n")
    monkeypatch.setattr(f"{__name__}.MPP", tmp_path)
    assert [v.split(" ", 1)[1] for v in _violations("registry")] == [
        "imports mpp.visits",
        "links to surveys:",
    ]

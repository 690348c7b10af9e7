"""The house rules of the package: small modules, no import cycle, one stage per subpackage, thin scripts."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.conftest import REPO

PACKAGE = REPO / "hubreuse"
STAGES = ("collect", "parse", "matrices", "stats", "trends", "report")
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(path: Path) -> set[str]:
    """Package modules ``path`` imports, at any depth of the file (lazy imports inside functions count too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("hubreuse")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("hubreuse"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in MODULES else node.module)
    return {name for name in found if name in MODULES and name != "hubreuse"}


def test_no_module_is_over_400_lines() -> None:
    long = {name: n for name, path in MODULES.items() if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert not long, long


def test_the_package_has_no_import_cycle() -> None:
    graph = {name: imported_modules(path) - {name} for name, path in MODULES.items()}
    state: dict[str, str] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = "open"
        for target in sorted(graph[name]):
            if state.get(target) == "open":
                cycle = trail[trail.index(target):] + [target] if target in trail else [name, target]
                raise AssertionError(f"import cycle: {' -> '.join(cycle)}")
            if target not in state:
                visit(target, [*trail, target])
        state[name] = "done"

    for name in graph:
        if name not in state:
            visit(name, [name])


def test_each_stage_is_one_subpackage_and_one_rule_file_with_a_steps_module() -> None:
    for stage in STAGES:
        assert (PACKAGE / stage / "__init__.py").exists(), stage
        assert (PACKAGE / stage / "steps.py").exists(), stage
        assert (REPO / "rules" / f"{stage}.smk").exists(), stage
    assert {path.name for path in PACKAGE.iterdir() if path.suffix == ".py"} == {"__init__.py"}


def test_stages_import_only_the_core_and_earlier_stages() -> None:
    order = {stage: rank for rank, stage in enumerate(STAGES)}
    for name, path in MODULES.items():
        parts = name.split(".")
        if len(parts) < 3 or parts[1] not in order:
            continue
        for target in imported_modules(path):
            stage = target.split(".")[1]
            if stage in order:
                assert order[stage] <= order[parts[1]], f"{name} imports the later stage {target}"


def test_the_names_module_imports_nothing() -> None:
    tree = ast.parse((PACKAGE / "core" / "names.py").read_text(encoding="utf-8"))
    imports = [node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)]
    assert all(isinstance(node, ast.ImportFrom) and node.module == "__future__" for node in imports)


def test_each_rule_runs_the_script_and_step_of_its_own_name() -> None:
    """One name per step: rule ``x`` runs ``scripts/x.py``, which calls the step function ``x``."""
    rules = "\n".join(path.read_text(encoding="utf-8") for path in (REPO / "rules").glob("*.smk"))
    pairs = re.findall(r"^\s*rule (\w+):\n(?:.*\n)*?\s*script:\n\s*\"\.\./scripts/(\w+)\.py\"", rules, re.M)
    assert len(pairs) >= 15, pairs
    for rule, script in pairs:
        assert rule == script, (rule, script)
        text = (REPO / "scripts" / f"{script}.py").read_text(encoding="utf-8")
        steps = re.findall(r"^from hubreuse\.(\w+)\.steps import (\w+)$", text, re.M)
        assert steps and steps[0][1] == rule, (script, steps)

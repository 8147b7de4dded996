"""Every ready problem: stored form and metadata, solution passes, stub fails, mutants rejected,
nothing released with it can stand in for its answers (the leak check), and every chapter's
release/ equals a fresh nbgrader generation."""
from collections import defaultdict

import pytest

from conftest import LEAK_FINDINGS, ready_problems
from mlpapers.release import out_of_sync
from mlpapers.validate import validate

pytestmark = pytest.mark.notebooks


@pytest.fixture(scope="module")
def findings_of():
    """validate over every ready problem at once, as ``make validate`` runs it: one pool of two
    workers kept busy across problems; {notebook: its findings}."""
    found = defaultdict(list)
    for finding in validate(ready_problems(), jobs=2, check_sync=False):
        found[finding.notebook].append(finding)
    return found


@pytest.mark.parametrize("problem", ready_problems(), ids=lambda p: p.stem)
def test_problem_validates(problem, findings_of):
    findings = findings_of[problem.notebook]
    LEAK_FINDINGS.extend(f for f in findings if f.check.startswith("no leak"))
    bad = [f.line() for f in findings if not f.ok]
    assert not bad, "\n".join(bad)
    kinds = {f.check.split()[0] for f in findings}
    assert {"solution", "stub", "mutant"} <= kinds
    assert any(f.check.startswith("no leak: ") for f in findings), "the leak check tried no graded function"


@pytest.mark.parametrize("chapter", sorted({p.chapter for p in ready_problems()}))
def test_release_is_in_sync_with_solutions(chapter):
    assert out_of_sync([chapter]) == [], f"release/{chapter} is stale: run `make release`"

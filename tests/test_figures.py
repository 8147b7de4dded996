"""Every Background's figure is a committed image, shown before the task, current with the code."""
import pytest

from conftest import ready_problems
from mlpapers import figures, notebooks
from mlpapers.paths import SOLUTIONS
from mlpapers.release import images


def test_every_registered_figure_is_committed_and_current():
    stale = figures.stale()
    assert not stale, f"figures missing or stale: {stale}; run `make figures`"


@pytest.mark.parametrize("problem", ready_problems(), ids=lambda p: p.stem)
def test_the_background_shows_a_figure_made_by_the_course_code(problem):
    nb = notebooks.read(SOLUTIONS / problem.notebook)
    task = next((i for i, c in enumerate(nb.cells) if c.cell_type == "markdown"
                 and c.source.lstrip().startswith("## Task")), len(nb.cells))
    before = [c for c in nb.cells[:task] if c.cell_type == "markdown"]
    shown = [ref for ref in images(problem) if any(ref in c.source for c in before)]
    assert shown, f"{problem.notebook}: no image before '## Task'"
    registered = figures.registry()
    for ref in images(problem):
        assert f"{problem.chapter}/{ref}" in registered, f"{ref} is not made by a figures module (make figures)"


@pytest.mark.parametrize("problem", ready_problems(), ids=lambda p: p.stem)
def test_the_release_folder_holds_every_image_its_notebook_shows(problem):
    """What a student receives renders without running anything: the images sit beside the notebook."""
    from mlpapers.paths import RELEASE
    folder = RELEASE / problem.folder
    shown = images(problem)
    assert shown
    for ref in shown:
        image = folder / ref
        assert image.is_file() and image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{problem.folder}/{ref}"
        assert image.read_bytes() == (SOLUTIONS / problem.chapter / ref).read_bytes()

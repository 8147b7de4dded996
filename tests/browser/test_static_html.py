"""Static views stay readable: every widget's figure shows in the HTML of its executed notebook,
with the network cut off.

Each widget notebook's solution, executed the way ``make solutions`` does it (papermill,
``interactive=False``; the one run the papermill tests share, see conftest), is rendered to HTML
with nbconvert and opened in headless Chromium with every http(s) request refused. The Explore
cell's figure must be an embedded PNG that the browser decoded (``naturalWidth > 0``). A
screenshot of it goes to ``build/screenshots/static/``.
"""
from __future__ import annotations

import pytest

from labkit import SCREENSHOTS, chromium, widget_problems

pytestmark = pytest.mark.browser
PROBLEMS = widget_problems()


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.mark.parametrize("problem", PROBLEMS, ids=[p.stem for p in PROBLEMS])
def test_executed_notebook_html_shows_the_widget_figure_offline(problem, executed_solutions, browser, tmp_path):
    import nbformat
    from nbconvert import HTMLExporter

    out, reports = executed_solutions
    assert reports[problem.notebook].status == "passed", reports[problem.notebook].error
    nb = nbformat.read(str(out / problem.notebook), as_version=4)
    explore = [c for c in nb.cells if c.cell_type == "code" and ".show(" in c.source]
    assert explore and any("image/png" in o.get("data", {}) for o in explore[0].outputs), \
        "the executed Explore cell has no PNG output"
    html, _ = HTMLExporter().from_notebook_node(nb)
    page_path = tmp_path / f"{problem.stem}.html"
    page_path.write_text(html, encoding="utf-8")

    context = browser.new_context(viewport={"width": 1100, "height": 900}, offline=True)
    refused = []

    def no_network(route):
        if route.request.url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", no_network)
    page = context.new_page()
    try:
        page.goto(page_path.as_uri(), wait_until="load")
        cell = page.locator(".jp-CodeCell").filter(has_text=".show(").last
        img = cell.locator(".jp-OutputArea-output img").first
        img.wait_for(state="visible", timeout=15_000)
        assert img.get_attribute("src").startswith("data:image/png;base64,"), "figure is not embedded"
        assert img.evaluate("el => el.complete && el.naturalWidth > 0"), "the browser could not show the figure"
        readout = cell.locator("pre.mlpapers-readout")
        assert readout.count() == 1 and readout.inner_text().strip(), "the readout is missing from the HTML"
        shots = SCREENSHOTS / "static" / problem.chapter
        shots.mkdir(parents=True, exist_ok=True)
        cell.screenshot(path=str(shots / f"{problem.stem}.png"))
    finally:
        context.close()

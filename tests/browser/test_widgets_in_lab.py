"""Every chapter widget, in the student's JupyterLab, in a real browser.

For each release notebook whose Explore cell calls ``.show(`` (found at test time, so a new chapter
widget is covered as soon as it is released): JupyterLab is started the student's way
(``python -m mlpapers lab``, what ``make lab`` runs) on loopback, the student's copy of the notebook
with the solutions filled in is opened in headless Chromium and run, the widget's controls are
moved one by one, and the figure and the readout must change. Screenshots before and after go to
``build/screenshots/widgets/``; a console error or an uncaught exception in the page fails the test.
"""
from __future__ import annotations

import json
import sys
import time

import pytest

from labkit import (KERNEL_STATUS_JS, OPEN_NOTEBOOK_JS, RUN_ALL_JS, SCREENSHOTS, SHUTDOWN_JS, ConsoleLog,
                    chromium, make_course, running_lab, wait_for_app, widget_problems)
from mlpapers.submissions import solved_copy, write_submission

pytestmark = pytest.mark.browser

PROBLEMS = widget_problems()
CONTROLS = (".widget-slider, .widget-dropdown, .widget-toggle-buttons, .widget-checkbox, "
            ".widget-toggle-button")
SHOTS = SCREENSHOTS / "widgets"
CHANGE_TIMEOUT_S = 30
SETTLE_S = 0.3  # still, after the kernel is idle: the browser has drawn what arrived


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """One JupyterLab over a student workspace holding the solved copy of every widget notebook."""
    tmp = tmp_path_factory.mktemp("lab")
    root = make_course(tmp)
    for p in PROBLEMS:
        # Already there, so `lab`'s fill of notebooks/ must leave it (the student's work) alone.
        write_submission(solved_copy(p), root / "notebooks" / p.released)
    with running_lab([sys.executable, "-m", "mlpapers", "lab"], cwd=root, home=tmp) as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def _figure_and_readout(cell) -> tuple[str, str]:
    return (cell.locator(".jp-OutputArea-output img").first.get_attribute("src") or "",
            cell.locator("pre.mlpapers-readout").first.inner_text())


def _move(control) -> str:
    """Change one control the way a person would; return what was done."""
    cls = control.get_attribute("class") or ""
    if "widget-slider" in cls:
        handle = control.locator(".noUi-handle").first
        now, top = float(handle.get_attribute("aria-valuenow")), float(handle.get_attribute("aria-valuemax"))
        key = "ArrowLeft" if now >= top else "ArrowRight"
        handle.focus()
        handle.press(key)
        return f"slider {key}"
    if "widget-dropdown" in cls:
        select = control.locator("select")
        current = select.input_value()
        values = [o.get_attribute("value") for o in select.locator("option").all()]
        choice = next(v for v in values if v != current)
        select.select_option(choice)
        return f"dropdown -> {choice}"
    if "widget-toggle-buttons" in cls:
        button = control.locator("button:not(.mod-active)").first
        label = button.inner_text()
        button.click()
        return f"toggle -> {label}"
    if "widget-checkbox" in cls:
        control.locator("input[type=checkbox]").click()
        return "checkbox"
    control.click()
    return "toggle button"


def _wait_change(page, panel: str, cell, before: tuple[str, str]) -> tuple[str, str]:
    """Wait for the figure or readout to change, then for the redraw to settle.

    The figure and the readout arrive as two display updates, both sent while the kernel handles the
    control's message; the kernel's idle status comes after them on the same channel. So: wait for
    the kernel to be idle, then for the page to hold still for SETTLE_S."""
    deadline = time.monotonic() + CHANGE_TIMEOUT_S
    now = _figure_and_readout(cell)
    while now == before and time.monotonic() < deadline:
        time.sleep(0.1)
        now = _figure_and_readout(cell)
    while page.evaluate(KERNEL_STATUS_JS, panel) != "idle" and time.monotonic() < deadline:
        time.sleep(0.1)
    quiet_since = time.monotonic()
    while time.monotonic() - quiet_since < SETTLE_S and time.monotonic() < deadline:
        time.sleep(0.1)
        latest = _figure_and_readout(cell)
        if latest != now:
            now, quiet_since = latest, time.monotonic()
    return now


@pytest.mark.parametrize("problem", PROBLEMS, ids=[p.stem for p in PROBLEMS])
def test_widget_renders_and_reacts_in_jupyterlab(problem, lab, browser):
    start = time.perf_counter()
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    console = ConsoleLog(page)
    try:
        page.goto(f"{lab.url}/lab/workspaces/{problem.id}?reset&token={lab.token}")
        wait_for_app(page)
        panel = page.evaluate(OPEN_NOTEBOOK_JS, problem.released)
        run = page.evaluate(RUN_ALL_JS, panel)
        assert not run["errors"], f"cells raised in JupyterLab: {run['errors']}"
        assert all(c is not None for c in run["counts"]), f"not every code cell ran: {run['counts']}"

        controls_box = page.locator(".jp-Notebook .mlpapers-controls")
        controls_box.first.wait_for(state="visible", timeout=30_000)
        assert controls_box.count() == 1, "expected one widget in the notebook"
        cell = page.locator(".jp-CodeCell").filter(has=page.locator(".mlpapers-controls"))
        cell.scroll_into_view_if_needed()
        out_dir = SHOTS / problem.chapter
        out_dir.mkdir(parents=True, exist_ok=True)
        first = _figure_and_readout(cell)
        assert first[0].startswith("data:image/png"), "the widget shows no figure"
        assert first[1].strip(), "the widget shows no readout"
        cell.screenshot(path=str(out_dir / f"{problem.stem}_before.png"))

        controls = controls_box.locator(CONTROLS)
        assert controls.count() >= 1, "the widget has no control a person can move"
        moves, state = [], first
        for i in range(controls.count()):
            control = controls.nth(i)
            control.scroll_into_view_if_needed()
            what = _move(control)
            new = _wait_change(page, panel, cell, state)
            moves.append((what, new[0] != state[0], new[1] != state[1]))
            assert new != state, f"moving control {i} ({what}) changed neither the figure nor the readout"
            state = new
        cell.scroll_into_view_if_needed()
        cell.screenshot(path=str(out_dir / f"{problem.stem}_after.png"))
        assert state[0] != first[0], f"the figure never changed: {moves}"
        assert state[1] != first[1], f"the readout never changed: {moves}"
        assert not console.errors, "console errors in the page:\n" + "\n".join(console.errors)
    finally:
        try:
            page.evaluate(SHUTDOWN_JS, panel) if "panel" in locals() else None
        finally:
            context.close()
        _record(problem, time.perf_counter() - start)


def _record(problem, seconds: float) -> None:
    """Append this widget's time to build/screenshots/widgets/timings.jsonl (for the CI artifact)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    with (SHOTS / "timings.jsonl").open("a") as f:
        f.write(json.dumps({"notebook": problem.released, "seconds": round(seconds, 1),
                            "at": time.strftime("%Y-%m-%dT%H:%M:%S")}) + "\n")

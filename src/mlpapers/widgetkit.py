"""The one pattern every chapter widget follows: a pure plotting function plus thin controls.

A widget is an :class:`Explorer`: it owns a few ipywidgets controls, calls a pure plotting
function ``draw(**values) -> (Figure, readout_text)`` with their values, and shows the result as
an ordinary display output. The first figure is therefore a normal PNG output that GitHub, HTML
exports, papermill and nbgrader feedback all show; moving a control replaces that same output in
place (``update_display``). When the notebook runs unattended (papermill with
``interactive=False``, or nbgrader, which sets ``NBGRADER_EXECUTION``) only the static figure is
shown and no controls are created for the page.

Unit tests drive an explorer without a browser: set ``explorer.controls["bits"].value = 3`` and
inspect ``explorer.figure`` and ``explorer.readout``.
"""
from __future__ import annotations

import os
from typing import Any, Callable

import html
import io

import ipywidgets as widgets
import matplotlib.figure
import matplotlib.pyplot as plt
from IPython.display import HTML, Image, display

__all__ = ["Explorer", "running_unattended"]

Draw = Callable[..., "tuple[matplotlib.figure.Figure, str]"]


def running_unattended(interactive: bool = True) -> bool:
    """True when nobody can move a control: ``interactive`` is False or nbgrader is executing."""
    return (not interactive) or bool(os.environ.get("NBGRADER_EXECUTION"))


class Explorer:
    """Controls that redraw one figure through a pure ``draw`` function.

    Args:
        draw: ``draw(**values) -> (figure, readout)``; must not touch any widget.
        controls: name -> ipywidgets value widget; names are ``draw``'s keyword arguments.
        title: a short heading shown above the controls.
    """

    def __init__(self, draw: Draw, controls: dict[str, widgets.ValueWidget], title: str = ""):
        self.draw = draw
        self.controls = controls
        self.title = title
        self.figure = None
        self.readout = ""
        self.redraws = 0
        self._figure_handle = None
        self._readout_handle = None
        self.redraw()
        for control in controls.values():
            control.observe(lambda _change: self.redraw(), names="value")

    def values(self) -> dict[str, Any]:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def redraw(self) -> None:
        """Draw again with the current values and update the displayed output, if any."""
        old = self.figure
        self.figure, self.readout = self.draw(**self.values())
        plt.close(self.figure)  # keep the inline backend from showing a second copy
        if old is not None and old is not self.figure:
            plt.close(old)
        self.redraws += 1
        if self._figure_handle is not None:
            self._figure_handle.update(self.png())
            self._readout_handle.update(HTML(self._readout_html()))

    def png(self) -> Image:
        """The current figure as PNG bytes, whatever matplotlib backend the kernel uses."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=self.figure.dpi)
        return Image(data=buffer.getvalue(), format="png")

    def _readout_html(self) -> str:
        return f"<pre class='mlpapers-readout'>{html.escape(self.readout)}</pre>"

    def control_rows(self) -> list[widgets.Widget]:
        """The rows of the control box (one per control; subclasses may group them)."""
        return list(self.controls.values())

    def show(self, interactive: bool = True) -> None:
        """Display the static figure and readout; add the controls unless unattended."""
        self._figure_handle = display(self.png(), display_id=True)
        self._readout_handle = display(HTML(self._readout_html()), display_id=True)
        if not running_unattended(interactive):
            box = widgets.VBox([widgets.HTML(f"<b>{self.title}</b>")] + self.control_rows())
            box.add_class("mlpapers-controls")
            display(box)

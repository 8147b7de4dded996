"""JupyterLab's app settings for the course's servers: the course's defaults, no news prompt.

A first start of JupyterLab asks whether to fetch Jupyter news; a course opens on the course. The
defaults in ``../lab-settings/overrides.json`` replace JupyterLab's own (a user can still change them).
"""
from pathlib import Path

c = get_config()  # noqa: F821 (provided by traitlets when Jupyter loads this file)
c.LabApp.app_settings_dir = str(Path(__file__).resolve().parent.parent / "lab-settings")

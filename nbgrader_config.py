# Plain `nbgrader` commands and the formgrader read this file; the configuration lives in one place.
c = get_config()  # noqa: F821
load_subconfig("grader_config.py")  # noqa: F821

"""The course's one nbgrader configuration.

Every course command loads it (``--NbGrader.config_file=grader_config.py``), and so does a plain
``nbgrader`` command typed in the repository root, through ``nbgrader_config.py``.
Set ``COURSE_DB_URL`` to a SQLAlchemy URL (e.g. ``postgresql+psycopg2://user@host/db``) to share
one gradebook among several grading machines; the default is SQLite in ``grading/``.
"""
import os

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

ROOT = os.path.dirname(os.path.abspath(__file__))
# nbgrader opens the SQLite gradebook before it creates any folder.
os.makedirs(os.path.join(ROOT, "grading"), exist_ok=True)

c.CourseDirectory.course_id = "mlpapers"
c.CourseDirectory.root = ROOT
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "grading/submitted"
c.CourseDirectory.autograded_directory = "grading/autograded"
c.CourseDirectory.feedback_directory = "grading/feedback"
c.CourseDirectory.db_url = os.environ.get(
    "COURSE_DB_URL", "sqlite:///" + os.path.join(ROOT, "grading", "gradebook.db"))
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]

# What the student sees in place of a solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
# A student who deletes a locked test cell still gets it graded.
c.OverwriteCells.add_missing_cells = True
# Per-cell time limit while grading; a notebook's cells run in about a second each.
c.Execute.timeout = 60
c.ExecutePreprocessor.timeout = 60
c.Execute.execute_retries = 0
c.LimitOutput.max_lines = 1000
c.LimitOutput.max_traceback = 100

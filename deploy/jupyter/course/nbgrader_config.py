"""nbgrader settings shared by the students' servers and the instructor's commands.

Every course server has this folder on ``JUPYTER_CONFIG_PATH`` after its view (``../student`` or
``../instructor``); on the hub the instructor does the same in the shell that runs ``nbgrader
release_assignment`` / ``collect`` (see ../../jupyterhub/README.md).
The instructor's own settings (folders, gradebook, timeouts) stay in the repository's
``grader_config.py``, which nbgrader reads after this file.
"""
import os

c = get_config()  # noqa: F821

c.CourseDirectory.course_id = "mlpapers"
c.Exchange.root = os.environ.get("COURSE_EXCHANGE", "/srv/nbgrader/exchange")

# Trial hub only (COURSE_HUB_TRIAL=1): every server runs as the hub's Unix user, so the hub passes the
# student's hub name; on a real hub nbgrader takes the Unix account name, as it should.
if os.environ.get("COURSE_STUDENT_ID"):
    c.CourseDirectory.student_id = os.environ["COURSE_STUDENT_ID"]

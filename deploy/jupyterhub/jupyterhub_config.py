"""JupyterHub for the course: every student gets JupyterLab in the course environment, with
nbgrader's Assignments tab (fetch, submit) and Validate button; the instructor releases, collects
and grades from a clone of the course repository. See README.md in this folder for the recipe.

    COURSE_ENV=/opt/mlpapers/.venv COURSE_EXCHANGE=/srv/nbgrader/exchange \
        /opt/mlpapers/.venv/bin/jupyterhub -f deploy/jupyterhub/jupyterhub_config.py

Settings come from the environment, so one file serves the production hub and the test suite's
throwaway hub (``tests/test_jupyterhub.py``):

COURSE_ENV            the course virtual environment (``make setup``); default: the hub's own
COURSE_EXCHANGE       nbgrader exchange folder shared by all users; default /srv/nbgrader/exchange
COURSE_HUB_STATE      the hub's database, cookie secret, proxy pid; default /srv/jupyterhub
COURSE_HUB_URL        public address; default http://127.0.0.1:8000 (put TLS in front of it)
COURSE_HUB_API_URL    the hub's internal address; default http://127.0.0.1:8081
COURSE_PROXY_API_URL  configurable-http-proxy's REST API; default http://127.0.0.1:8001
COURSE_INSTRUCTORS    comma-separated hub admins (the instructors)
COURSE_STUDENT_GROUP  Unix group whose members may log in; default mlpapers
COURSE_HUB_TRIAL      "1": a one-machine trial (and the tests): any name with
                      COURSE_HUB_TRIAL_PASSWORD logs in, servers run as the hub's user with
                      homes under COURSE_HUB_STATE/home. Never for real students: no isolation.
"""
import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (provided by traitlets when JupyterHub loads this file)

HERE = Path(__file__).resolve().parent
VIEWS = HERE.parent / "jupyter"  # the course's views of JupyterLab (see its README.md)
COURSE_ENV = Path(os.environ.get("COURSE_ENV", sys.prefix))
EXCHANGE = os.environ.get("COURSE_EXCHANGE", "/srv/nbgrader/exchange")
STATE = Path(os.environ.get("COURSE_HUB_STATE", "/srv/jupyterhub"))
TRIAL = os.environ.get("COURSE_HUB_TRIAL") == "1"

# --- addresses and state ---------------------------------------------------------------------
c.JupyterHub.bind_url = os.environ.get("COURSE_HUB_URL", "http://127.0.0.1:8000")
c.JupyterHub.hub_bind_url = os.environ.get("COURSE_HUB_API_URL", "http://127.0.0.1:8081")
c.ConfigurableHTTPProxy.api_url = os.environ.get("COURSE_PROXY_API_URL", "http://127.0.0.1:8001")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops the students' servers

# --- who logs in -------------------------------------------------------------------------------
c.Authenticator.admin_users = {u.strip() for u in os.environ.get("COURSE_INSTRUCTORS", "").split(",") if u.strip()}
extra_env = {}
if TRIAL:
    c.JupyterHub.authenticator_class = "dummy"
    c.DummyAuthenticator.password = os.environ["COURSE_HUB_TRIAL_PASSWORD"]
    c.Authenticator.allow_all = True
    c.JupyterHub.spawner_class = "simple"
    c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "home" / "{username}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        c.Spawner.args = ["--allow-root"]  # containers and CI run the trial hub as root
    # Every server runs as one Unix user, so nbgrader must be told who submits (see nbgrader_config.py).
    extra_env = {"COURSE_STUDENT_ID": lambda spawner: spawner.user.name}
else:
    # One Unix account per student: nbgrader's exchange relies on Unix users and permissions.
    c.JupyterHub.authenticator_class = "pam"
    c.PAMAuthenticator.allowed_groups = {os.environ.get("COURSE_STUDENT_GROUP", "mlpapers")}
    c.JupyterHub.spawner_class = "localprocess"

# --- what a student's server is -----------------------------------------------------------------
c.Spawner.cmd = [str(COURSE_ENV / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 90
c.Spawner.environment = {
    **extra_env,
    # nbgrader runs `alembic` as a program, so the course environment's bin/ comes first.
    "PATH": os.pathsep.join([str(COURSE_ENV / "bin"), "/usr/local/bin", "/usr/bin", "/bin"]),
    # The student view of nbgrader (no formgrader, no course list), then the course id and exchange.
    "JUPYTER_CONFIG_PATH": os.pathsep.join([str(VIEWS / "student"), str(VIEWS / "course")]),
    "COURSE_EXCHANGE": EXCHANGE,
}

# JupyterHub for a lessonkit workshop: `jupyterhub -f deploy/jupyterhub/jupyterhub_config.py`
#
# Every learner's server runs `python -m lessonkit.singleuser`: their own copy of the
# course in ~/work (made on first start, never overwritten), opened on lesson 00.
# Their `q.check()` verdicts go to the `lessonkit` service (the instructor
# dashboard, /services/lessonkit/), which only the `instructor` role may open.
# tests/hub/ starts exactly this file on 127.0.0.1; docs/instructors.md explains it.
#
# Settings come from the environment, so the same file serves a laptop rehearsal,
# the test and a real room:
#
#   LESSONKIT_COURSE            course folder (holds notebooks/, exercises/) [the repo]
#   LESSONKIT_INSTRUCTORS       comma-separated hub names with the instructor role
#   LESSONKIT_LEARNERS          comma-separated hub names allowed in [anyone who logs in]
#   LESSONKIT_HUB_AUTHENTICATOR JupyterHub authenticator [pam]; `dummy` for rehearsals only
#   LESSONKIT_HUB_SPAWNER       JupyterHub spawner [localprocess]; `simple` for tests only
#   LESSONKIT_HUB_IP            address the proxy listens on [127.0.0.1]
#   LESSONKIT_HUB_PORT          its port [8000]; put TLS in front for a real room
#   LESSONKIT_HUB_STATE         folder for the hub's database, secrets, dashboard records [.]
#   LESSONKIT_HUB_HOMES         learners' homes with the `simple` spawner [STATE/homes]
#   LESSONKIT_HUB_API_PORT, LESSONKIT_PROXY_API_PORT, LESSONKIT_DASHBOARD_PORT
#                               internal ports, on 127.0.0.1 [8081, 8001, 10101]
#
# Install (hub and learners share this environment): from the course folder,
# `pip install -r locks/runtime.txt jupyterhub && pip install .`, and
# `npm install -g configurable-http-proxy`.
import os
import sys
from pathlib import Path

c = get_config()  # type: ignore[name-defined]  # noqa: F821 (JupyterHub provides it)

env = os.environ.get
HERE = Path(__file__).resolve().parent
COURSE = Path(env("LESSONKIT_COURSE") or HERE.parents[1])
STATE = Path(env("LESSONKIT_HUB_STATE") or ".").resolve()
INSTRUCTORS = {name for name in env("LESSONKIT_INSTRUCTORS", "").split(",") if name.strip()}
LEARNERS = {name for name in env("LESSONKIT_LEARNERS", "").split(",") if name.strip()}
LOOPBACK = "127.0.0.1"
HUB_API_PORT = int(env("LESSONKIT_HUB_API_PORT", "8081"))
PROXY_API_PORT = int(env("LESSONKIT_PROXY_API_PORT", "8001"))
DASHBOARD_PORT = int(env("LESSONKIT_DASHBOARD_PORT", "10101"))
SERVICE = "lessonkit"
STATE.mkdir(parents=True, exist_ok=True)

# --- where things listen: only the proxy faces learners -----------------------------
PUBLIC_IP, PUBLIC_PORT = env("LESSONKIT_HUB_IP", LOOPBACK), env("LESSONKIT_HUB_PORT", "8000")
c.JupyterHub.bind_url = f"http://{PUBLIC_IP}:{PUBLIC_PORT}"
c.JupyterHub.hub_bind_url = f"http://{LOOPBACK}:{HUB_API_PORT}"
c.ConfigurableHTTPProxy.api_url = f"http://{LOOPBACK}:{PROXY_API_PORT}"
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")

# --- who may log in ----------------------------------------------------------------
c.JupyterHub.authenticator_class = env("LESSONKIT_HUB_AUTHENTICATOR", "pam")
if LEARNERS:
    c.Authenticator.allowed_users = LEARNERS | INSTRUCTORS
else:
    c.Authenticator.allow_all = True
c.JupyterHub.load_roles = [
    {
        "name": "instructor",
        "description": "Opens the lessonkit dashboard and reads every learner's record",
        "scopes": [f"access:services!service={SERVICE}", "list:users", "read:users:activity"],
        "users": sorted(INSTRUCTORS),
    }
]

# --- each learner's server: their workspace, lesson 00 first ------------------------
c.JupyterHub.spawner_class = env("LESSONKIT_HUB_SPAWNER", "localprocess")
if c.JupyterHub.spawner_class == "simple":
    c.SimpleLocalProcessSpawner.home_dir_template = str(
        Path(env("LESSONKIT_HUB_HOMES") or STATE / "homes") / "{username}"
    )
c.Spawner.ip = LOOPBACK
c.Spawner.cmd = [sys.executable, "-m", "lessonkit.singleuser"]
c.Spawner.default_url = "/lab/tree/lessons/lesson-00-setup.ipynb"
c.Spawner.environment = {
    "LESSONKIT_COURSE": str(COURSE),
    # q.check() posts here with the server's own hub token (lessonkit.exchange)
    "LESSONKIT_EXCHANGE_URL": f"http://{LOOPBACK}:{DASHBOARD_PORT}/services/{SERVICE}/",
}
c.Spawner.http_timeout = 120  # a 2-core room server starting 30 servers is slow
c.Spawner.start_timeout = 120
c.Spawner.mem_limit = "1G"  # enforced by container spawners; documented for the others

# --- the instructor dashboard: a hub-managed service ------------------------------------
c.JupyterHub.services = [
    {
        "name": SERVICE,
        "url": f"http://{LOOPBACK}:{DASHBOARD_PORT}",
        # listens at once, loads lessonkit behind (the hub waits only ~10 s for a service)
        "command": [
            sys.executable,
            str(HERE / "dashboard_service.py"),
            "--data",
            str(STATE / "room"),
        ],
        "oauth_no_confirm": True,
        "display": True,
        "info": {"description": "lessonkit: the room, live"},
    }
]

# The Littlest JupyterHub: lessonkit's part of the hub config, as a TLJH "escape hatch" snippet.
#
# install.sh beside this file copies it to /opt/tljh/config/jupyterhub_config.d/lessonkit.py;
# TLJH loads it after its own settings (authenticator, proxy, ports stay TLJH's).
# Same workshop as ../jupyterhub_config.py (tests/hub/test_deploy.py checks they agree):
# every learner's server opens their own workspace on lesson 00, and their checks go to the
# `lessonkit` dashboard service, which only the `instructor` role may open.
c = get_config()  # type: ignore[name-defined]  # noqa: F821 (JupyterHub provides it)

USER_PYTHON = "/opt/tljh/user/bin/python"  # the learners' environment, where lessonkit is
COURSE = "/opt/lessonkit"
DASHBOARD = "http://127.0.0.1:10101"
ROOM = "/opt/tljh/state/lessonkit-room"  # the learners' records: root's, beside TLJH's state
INSTRUCTORS = ["teacher"]  # edit: the hub names of the instructors

c.Spawner.cmd = [USER_PYTHON, "-m", "lessonkit.singleuser"]
c.Spawner.default_url = "/lab/tree/lessons/lesson-00-setup.ipynb"
c.Spawner.environment = {
    "LESSONKIT_COURSE": COURSE,
    "LESSONKIT_EXCHANGE_URL": f"{DASHBOARD}/services/lessonkit/",
}
c.JupyterHub.load_roles = [
    {
        "name": "instructor",
        "description": "Opens the lessonkit dashboard and reads every learner's record",
        "scopes": ["access:services!service=lessonkit", "list:users", "read:users:activity"],
        "users": INSTRUCTORS,
    }
]
c.JupyterHub.services = [
    {
        "name": "lessonkit",
        "url": DASHBOARD,
        # listens at once, loads lessonkit behind (the hub waits only ~10 s for a service)
        "command": [
            USER_PYTHON,
            f"{COURSE}/deploy/jupyterhub/dashboard_service.py",
            "--data",
            ROOM,
        ],
        "oauth_no_confirm": True,
        "display": True,
        "info": {"description": "lessonkit: the room, live"},
    }
]

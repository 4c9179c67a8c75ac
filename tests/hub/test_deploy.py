"""The deployments that are not run here are linted: Zero to JupyterHub values, the TLJH recipe.

config.yaml is validated against the Zero to JupyterHub chart's own values schema
(tests/hub/z2jh-values.schema.json: the chart's values.schema.yaml with its
descriptions dropped, as the chart's tools/generate-json-schema.py ships it;
chart for JupyterHub 5.5, commit 48ea50e3), and all three configurations must
describe the same workshop: the learner's server command, first page,
environment, the dashboard service and the instructor role.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from traitlets.config import Config

from lessonkit.singleuser import FIRST_LESSON

HERE = Path(__file__).resolve().parent
DEPLOY = HERE.parents[1] / "deploy" / "jupyterhub"
VALUES = yaml.safe_load((DEPLOY / "z2jh" / "config.yaml").read_text())


def load_config(path: Path, env: dict[str, str] | None = None) -> Any:
    """Run a JupyterHub config file the way JupyterHub does, into a traitlets Config."""
    config = Config()
    saved = dict(os.environ)
    os.environ.update(env or {})
    try:
        exec(
            compile(path.read_text(), str(path), "exec"),
            {"get_config": lambda: config, "__file__": str(path)},
        )  # noqa: S102
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return config


@pytest.fixture(scope="module")
def hub_config(tmp_path_factory: pytest.TempPathFactory) -> Any:
    state = tmp_path_factory.mktemp("state")
    return load_config(DEPLOY / "jupyterhub_config.py", {"LESSONKIT_HUB_STATE": str(state)})


def _optional(schema: Any) -> Any:
    """The schema without ``required``: the chart's defaults fill what our overlay leaves out."""
    if isinstance(schema, dict):
        return {key: _optional(value) for key, value in schema.items() if key != "required"}
    if isinstance(schema, list):
        return [_optional(item) for item in schema]
    return schema


def test_the_helm_values_follow_the_charts_schema() -> None:
    schema = _optional(json.loads((HERE / "z2jh-values.schema.json").read_text()))
    jsonschema.Draft7Validator(schema).validate(VALUES)
    broken = {**VALUES, "singleuser": {**VALUES["singleuser"], "defaultURL": "/lab"}}
    with pytest.raises(jsonschema.ValidationError, match="defaultURL"):
        jsonschema.Draft7Validator(schema).validate(broken)


def test_the_workshop_config_listens_on_loopback_by_default(hub_config: Any) -> None:
    assert hub_config.JupyterHub.bind_url == "http://127.0.0.1:8000"
    assert hub_config.JupyterHub.hub_bind_url.startswith("http://127.0.0.1:")
    assert hub_config.Spawner.ip == "127.0.0.1"
    assert hub_config.JupyterHub.authenticator_class == "pam"  # dummy is never the default


def _module(command: list[str]) -> str:
    """What a command runs: the module after ``-m``, or the script's file name."""
    return command[command.index("-m") + 1] if "-m" in command else Path(command[1]).name


def test_every_deployment_describes_the_same_workshop(hub_config: Any) -> None:
    tljh = load_config(DEPLOY / "tljh" / "lessonkit.py")
    helm_hub, helm_user = VALUES["hub"], VALUES["singleuser"]
    configs = {"jupyterhub_config.py": hub_config, "tljh": tljh}
    for name, config in configs.items():
        assert _module(config.Spawner.cmd) == "lessonkit.singleuser", name
        assert config.Spawner.default_url == f"/lab/tree/{FIRST_LESSON}", name
        assert set(config.Spawner.environment) == set(helm_user["extraEnv"]), name
        [service] = config.JupyterHub.services
        assert _module(service["command"]) == "dashboard_service.py", name
        assert service["name"] == "lessonkit" and service["oauth_no_confirm"], name
        [role] = config.JupyterHub.load_roles
        assert role["scopes"] == helm_hub["loadRoles"]["instructor"]["scopes"], name
    assert _module(helm_user["cmd"]) == "lessonkit.singleuser"
    assert _module(helm_hub["services"]["lessonkit"]["command"]) == "lessonkit.dashboard"
    assert helm_user["defaultUrl"] == f"/lab/tree/{FIRST_LESSON}"
    exchange = helm_user["extraEnv"]["LESSONKIT_EXCHANGE_URL"]
    assert exchange.startswith(helm_hub["services"]["lessonkit"]["url"])


def test_the_tljh_script_parses_and_installs_the_snippet() -> None:
    script = DEPLOY / "tljh" / "install.sh"
    subprocess.run(["bash", "-n", str(script)], check=True)
    assert "deploy/jupyterhub/tljh/lessonkit.py" in script.read_text()
    assert os.access(script, os.X_OK)


def test_the_modules_the_deployments_run_have_a_command_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "lessonkit.dashboard", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--data" in done.stdout and "--host" in done.stdout


def _load_service_starter() -> Any:
    spec = importlib.util.spec_from_file_location(
        "dashboard_service", DEPLOY / "dashboard_service.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_service_starter_hands_over_to_the_dashboard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from starlette.testclient import TestClient

    monkeypatch.setenv("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101")
    monkeypatch.setenv("JUPYTERHUB_API_URL", "http://127.0.0.1:1/hub/api")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "secret")
    starter = _load_service_starter()
    broken = starter.Starting(["--no-such-option"])
    deadline = time.monotonic() + 60
    while broken.failed is None and time.monotonic() < deadline:
        time.sleep(0.05)
    reply = TestClient(broken).get("/")
    assert reply.status_code == 500 and "failed" in reply.json()["message"]
    loading = starter.Starting(["--data", str(tmp_path / "room")])
    while loading.app is None and time.monotonic() < deadline:
        time.sleep(0.05)
    reply = TestClient(loading).get("/services/lessonkit/progress/ada")
    assert reply.status_code == 403  # the dashboard itself answered: no token

"""The course on a real JupyterHub: three learners check an exercise, the instructor watches.

One hub (deploy/jupyterhub/jupyterhub_config.py, dummy login, SimpleLocalProcessSpawner,
everything on 127.0.0.1) and three learners, each with a server of their own. Through
the Jupyter server's REST and kernel API, ada answers exercise 01's first question
right, bob wrongly and cy checks without answering. The dashboard, opened by the
instructor in Debian's Chromium, shows the three states (screenshot:
test-artifacts/hub-dashboard.png); learners are refused each other's records,
notebooks and the dashboard.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import nbformat
import pytest

from .conftest import INSTRUCTOR, REPO, Hub
from .kernel import execute, start_kernel

pytestmark = [pytest.mark.slow, pytest.mark.hub, pytest.mark.timeout(600)]

ARTIFACTS = REPO / "test-artifacts"
EXERCISE = "ex01_collect_stream"
#: The student notebook's first two code cells: imports, `bind`, then offline mode on,
#: as every learner's kernel has it when they check.
_CODE = [
    "".join(cell.source)
    for cell in nbformat.read(REPO / "exercises" / "01_streaming.ipynb", 4).cells
    if cell.cell_type == "code"
]
SETUP = "\n".join(_CODE[:2]) + "\n"
RIGHT = "exec(q1.exercise.solution)\n"  # the model solution, as `q1.solution()` shows it
WRONG = (  # no streaming at all: the misconception the checker calls "did not stream"
    "def collect_stream(client, on_text, **params):\n"
    "    message = client.messages.create(**params)\n"
    "    on_text(''.join(b.text for b in message.content if b.type == 'text'))\n"
    "    return message\n"
)
ANSWERS = {"ada": RIGHT, "bob": WRONG, "cy": ""}
LEARNERS = tuple(ANSWERS)


@dataclass
class Room:
    hub: Hub
    tokens: dict[str, str]
    outputs: dict[str, str]


def _wait_for_server(hub: Hub, client: httpx.Client, name: str) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        server = client.get(f"/hub/api/users/{name}").json()["servers"].get("")
        if server and server["ready"]:
            return
        time.sleep(0.5)
    pytest.fail(f"{name}'s server did not start:\n{hub.log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def room(hub: Hub) -> Iterator[Room]:
    """Every learner's server started and their check run; the instructor exists."""
    with hub.api() as client:
        reply = client.post("/hub/api/users", json={"usernames": [*LEARNERS, INSTRUCTOR]})
        assert reply.status_code == 201, reply.text
        tokens = {
            name: client.post(f"/hub/api/users/{name}/tokens", json={"note": "test"}).json()[
                "token"
            ]
            for name in (*LEARNERS, INSTRUCTOR)
        }
        for name in LEARNERS:  # all three start at once, as in a room
            reply = client.post(f"/hub/api/users/{name}/server")
            assert reply.status_code in (201, 202), reply.text
        for name in LEARNERS:
            _wait_for_server(hub, client, name)
    outputs = {}
    for name, answer in ANSWERS.items():
        server = f"{hub.url}/user/{name}/"
        with hub.api(tokens[name]) as learner:
            kernel = start_kernel(learner, server)
        outputs[name] = execute(server, kernel, tokens[name], SETUP + answer + "q1.check()")
    yield Room(hub, tokens, outputs)


def test_each_learner_sees_their_verdict(room: Room) -> None:
    assert "Correct" in room.outputs["ada"], room.outputs["ada"]
    assert "Incorrect" in room.outputs["bob"] and "did not stream" in room.outputs["bob"]
    assert "Not attempted" in room.outputs["cy"], room.outputs["cy"]
    assert "could not send" not in "".join(room.outputs.values())


def test_the_instructor_reads_every_record(room: Room) -> None:
    with room.hub.api(room.tokens[INSTRUCTOR]) as instructor:
        states = {
            name: instructor.get(f"/services/lessonkit/progress/{name}").json()["exercises"][
                EXERCISE
            ]
            for name in LEARNERS
        }
        csv = instructor.get("/services/lessonkit/room.csv")
    assert {name: state["status"] for name, state in states.items()} == {
        "ada": "correct", "bob": "incorrect", "cy": "not attempted"
    }  # fmt: skip
    assert "did not stream" in states["bob"]["message"]
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert f"bob,{EXERCISE},incorrect,1," in csv.text


def test_a_learner_is_refused_anothers_progress_notebooks_and_the_dashboard(room: Room) -> None:
    with room.hub.api(room.tokens["bob"]) as bob:
        assert bob.get("/services/lessonkit/progress/ada").status_code == 403
        assert bob.get("/services/lessonkit/progress/bob").status_code == 200  # their own
        assert bob.get("/services/lessonkit/").status_code == 403
        assert bob.get("/services/lessonkit/room.csv").status_code == 403
        assert bob.get("/user/ada/api/contents/lessons").status_code == 403
        # a report names no learner: it is filed under the token's owner, whatever it says
        forged = {"exercise": "ex02_next_step", "status": "correct", "learner": "ada"}
        assert bob.post("/services/lessonkit/progress", json=forged).status_code == 200
    with room.hub.api(room.tokens[INSTRUCTOR]) as instructor:
        ada = instructor.get("/services/lessonkit/progress/ada").json()
        bob_now = instructor.get("/services/lessonkit/progress/bob").json()
    assert "ex02_next_step" not in ada["exercises"]
    assert bob_now["exercises"]["ex02_next_step"]["status"] == "correct"


def test_each_learner_works_in_their_own_workspace_opened_on_lesson_00(room: Room) -> None:
    with room.hub.api(room.tokens["cy"]) as cy:
        first = cy.get("/user/cy/", follow_redirects=False)
        lessons = cy.get("/user/cy/api/contents/lessons").json()
    opened = first.headers["location"].split("?")[0]
    assert opened.endswith("/user/cy/lab/tree/lessons/lesson-00-setup.ipynb"), opened
    names = {item["name"] for item in lessons["content"]}
    assert "lesson-00-setup.ipynb" in names and "lesson-07-capstone.ipynb" in names
    home = room.hub.state / "homes" / "cy" / "work"
    assert (home / "exercises" / "exercise-01-streaming.ipynb").is_file()
    assert not (home / "exercises" / "source").exists()  # no solutions in view


def test_the_dashboard_shows_the_three_states(room: Room) -> None:
    pytest.importorskip(
        "playwright.sync_api", reason="pip install playwright (never `playwright install`)"
    )
    from playwright.sync_api import sync_playwright

    from tests.browser.chromium import ARGS as CHROMIUM_ARGS
    from tests.browser.chromium import find_chromium

    chromium = find_chromium()
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 700})
            page.goto(f"{room.hub.url}/hub/login?next=/services/lessonkit/")
            page.fill("input[name=username]", INSTRUCTOR)
            page.fill("input[name=password]", "any")
            page.click("input[type=submit], button[type=submit]")
            page.wait_for_selector("table#room", timeout=60_000)
            cells = {
                name: page.get_attribute(
                    f'tr[data-learner="{name}"] td[data-exercise="{EXERCISE}"]', "class"
                )
                for name in LEARNERS
            }
            bob = page.inner_text(f'tr[data-learner="bob"] td[data-exercise="{EXERCISE}"]')
            mistakes = page.inner_text("#mistakes")
            page.screenshot(path=str(ARTIFACTS / "hub-dashboard.png"), full_page=True)
        finally:
            browser.close()
    assert cells == {"ada": "correct", "bob": "incorrect", "cy": "not-attempted"}
    assert "did not stream" in bob
    assert re.search(r"1 × did not stream", mistakes), mistakes


def test_nothing_listens_beyond_loopback(room: Room) -> None:
    addresses = listening_addresses(room.hub.process.pid)
    assert addresses, "found none of the hub's listening sockets"
    assert {address for address, _ in addresses} == {"127.0.0.1"}, addresses


def listening_addresses(root: int) -> set[tuple[str, int]]:
    """(address, port) of every TCP socket listening in process `root` or its descendants."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, todo = set(), [root]
    while todo:
        pid = todo.pop()
        tree.add(pid)
        todo.extend(children.get(pid, []))
    inodes = set()
    for pid in tree:
        for fd in Path(f"/proc/{pid}/fd").glob("*"):
            try:
                target = fd.readlink().as_posix()
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    found = set()
    for table, width in (("tcp", 8), ("tcp6", 32)):
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            parts = line.split()
            if parts[3] == "0A" and parts[9] in inodes:  # 0A: LISTEN
                address, port = parts[1].split(":")
                found.add((_address(address, width), int(port, 16)))
    return found


def _address(hexed: str, width: int) -> str:
    raw = bytes.fromhex(hexed)
    if width == 8:
        return ".".join(str(b) for b in reversed(raw))
    words = [raw[i : i + 4][::-1] for i in range(0, 16, 4)]
    joined = b"".join(words)
    if joined[:12] == b"\0" * 10 + b"\xff\xff":
        return ".".join(str(b) for b in joined[12:])
    return ":".join(joined[i : i + 2].hex() for i in range(0, 16, 2))

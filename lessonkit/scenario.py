"""Scenario files: scripting the fake API from *outside* a notebook under test.

A stranger's notebook cannot call ``api.reply(...)``: it does not know it runs
offline. Its CI can still pin answers with a file beside it, ``<name>.lessonkit.yaml``
(or ``.yml``/``.json``), read by the offline kernel and by ``pytest --lessonkit-offline``::

    replies:                      # first rule whose patterns match answers the request
      - match: "capital of France" # regex searched in the last user message (default: any)
        model: "haiku"             # regex searched in the model id (default: any)
        text: "Paris."             # anything api.reply() takes: text, stop_reason,
        times: 1                   #   tool_use, thinking...; times: requests (default: all)
    faults:                       # each fires once, on the first request matching it
      - match: "summarise"
        status: 529                # what api.fail_next() takes: times, retry_after...
        times: 2
    batches:                      # api.batch_outcome() for each custom_id matching the glob
      - custom_id: "row-*"
        outcome: errored

Every rule maps onto the fake's own scripting (``reply``, ``fail_next``,
``batch_outcome``), so a scenario can make the fake say nothing it could not say
from a lesson. A file that does not validate is reported with its path and the
offending entry; the kernel then answers every request with that report instead
of quietly running unscripted.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .fakeapi.app import FakeAPI
from .fakeapi.batches import PATH as BATCHES_PATH
from .fakeapi.faults import http_fault
from .fakeapi.http import ApiRequest, ApiResponse
from .fakeapi.messages import PATH as MESSAGES_PATH
from .fakeapi.replies import make_reply

__all__ = ["SUFFIXES", "Scenario", "ScenarioAPI", "ScenarioError", "beside", "load", "locate"]

#: File names tried beside a notebook ``x.ipynb``: ``x.lessonkit.yaml`` first.
SUFFIXES = (".lessonkit.yaml", ".lessonkit.yml", ".lessonkit.json")
#: Environment: an explicit scenario file, or the notebook whose neighbour to look for.
SCENARIO_ENV = "LESSONKIT_SCENARIO"
NOTEBOOK_ENVS = ("LESSONKIT_NOTEBOOK", "JPY_SESSION_NAME")  # the latter: set by Jupyter Server

_PATTERNS = {"match": {"type": "string"}, "model": {"type": "string"}}
_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "replies": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    **_PATTERNS,
                    "text": {"type": "string"},
                    "stop_reason": {"type": "string"},
                    "tool_use": {"type": ["object", "array"]},
                    "thinking": {"type": "string"},
                    "category": {"type": ["string", "null"]},
                    "explanation": {"type": "string"},
                    "server_tool": {"type": "object"},
                    "times": {"type": "integer", "minimum": 1},
                },
            },
        },
        "faults": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["status"],
                "properties": {
                    **_PATTERNS,
                    "status": {"type": "integer"},
                    "times": {"type": "integer", "minimum": 1},
                    "error_type": {"type": "string"},
                    "message": {"type": "string"},
                    "retry_after": {"type": ["number", "string"]},
                    "retry_after_ms": {"type": "number"},
                    "should_retry": {"type": "boolean"},
                },
            },
        },
        "batches": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["custom_id", "outcome"],
                "properties": {
                    "custom_id": {"type": "string", "minLength": 1},
                    "outcome": {"enum": ["succeeded", "errored", "canceled", "expired"]},
                    "text": {"type": "string"},
                    "stop_reason": {"type": "string"},
                    "tool_use": {"type": ["object", "array"]},
                    "error_type": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}


class ScenarioError(ValueError):
    """A scenario file that cannot be used, with the file and the entry at fault."""


@dataclass
class _Rule:
    """One reply or fault rule: its patterns, what it scripts, and how often it may still fire."""

    match: re.Pattern[str] | None
    model: re.Pattern[str] | None
    options: dict[str, Any]
    left: int | None  #: None: every matching request

    def fits(self, prompt: str, model: str) -> bool:
        if self.left == 0:
            return False
        return (self.match is None or self.match.search(prompt) is not None) and (
            self.model is None or self.model.search(model) is not None
        )

    def use(self) -> dict[str, Any]:
        if self.left is not None:
            self.left -= 1
        return self.options


@dataclass
class Scenario:
    """A parsed, validated scenario file."""

    source: str
    replies: list[_Rule] = field(default_factory=list)
    faults: list[_Rule] = field(default_factory=list)
    batches: list[dict[str, Any]] = field(default_factory=list)


def _pattern(value: str | None, where: str) -> re.Pattern[str] | None:
    if value is None:
        return None
    try:
        return re.compile(value)
    except re.error as err:
        raise ScenarioError(f"{where}: {value!r} is not a regular expression ({err})") from None


def _rules(entries: list[dict[str, Any]], kind: str, source: str) -> list[_Rule]:
    rules = []
    for n, entry in enumerate(entries):
        where = f"{source}: {kind}[{n}]"
        options = {k: v for k, v in entry.items() if k not in ("match", "model")}
        try:  # build it now, so a bad value is reported at load, not at the tenth request
            if kind == "replies":
                make_reply(**{k: v for k, v in options.items() if k != "times"})
            else:
                http_fault(**options)
        except (TypeError, ValueError) as err:
            raise ScenarioError(f"{where}: {err}") from None
        left = options.pop("times", None) if kind == "replies" else 1
        rules.append(
            _Rule(
                _pattern(entry.get("match"), where),
                _pattern(entry.get("model"), where),
                options,
                left,
            )
        )
    return rules


def parse(data: Any, source: str) -> Scenario:
    """Validate ``data`` (a scenario file's parsed content) and build its rules."""
    import jsonschema  # slow to import; only scenario users pay

    if data is None:
        data = {}
    errors = sorted(
        jsonschema.Draft202012Validator(_SCHEMA).iter_errors(data), key=lambda e: list(e.path)
    )
    if errors:
        first = errors[0]
        place = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first.path)
        raise ScenarioError(f"{source}: {place.lstrip('.') or 'top level'}: {first.message}")
    return Scenario(
        source,
        _rules(data.get("replies", []), "replies", source),
        _rules(data.get("faults", []), "faults", source),
        list(data.get("batches", [])),
    )


def load(path: Path) -> Scenario:
    """Read and validate a scenario file (YAML, or JSON for ``.json``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ScenarioError(f"{path}: cannot read the scenario file ({err.strerror})") from None
    try:
        if path.suffix == ".json":
            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except ValueError as err:  # json.JSONDecodeError and yaml.YAMLError (via its base) below
        raise ScenarioError(f"{path}: not valid JSON: {err}") from None
    except Exception as err:  # yaml.YAMLError: no common base with ValueError
        raise ScenarioError(f"{path}: not valid YAML: {err}") from None
    return parse(data, str(path))


def beside(notebook: Path) -> Path | None:
    """The scenario file next to ``notebook`` (``x.ipynb`` → ``x.lessonkit.yaml``), if any."""
    stem = notebook.name.removesuffix(".ipynb")
    for suffix in SUFFIXES:
        candidate = notebook.with_name(stem + suffix)
        if candidate.is_file():
            return candidate
    return None


def locate(environ: Mapping[str, str] = os.environ, cwd: Path | None = None) -> Path | None:
    """The scenario for this kernel: ``$LESSONKIT_SCENARIO``, else the one beside the notebook.

    The notebook is named by ``$LESSONKIT_NOTEBOOK`` (pytest ``--lessonkit-offline``)
    or ``$JPY_SESSION_NAME`` (JupyterLab), relative to ``cwd``.
    """
    if environ.get(SCENARIO_ENV):
        return Path(environ[SCENARIO_ENV])
    base = cwd or Path.cwd()
    for name in NOTEBOOK_ENVS:
        if environ.get(name):
            notebook = Path(environ[name])
            found = beside(notebook if notebook.is_absolute() else base / notebook)
            if found is not None:
                return found
    return None


def _prompt(body: Mapping[str, Any]) -> str:
    """The last user message's text, which ``match`` patterns search."""
    for message in reversed(body.get("messages") or []):
        if not isinstance(message, Mapping) or message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return content
        if isinstance(content, list):
            return " ".join(str(b.get("text", "")) for b in content if isinstance(b, Mapping))
        return ""
    return ""


class ScenarioAPI(FakeAPI):
    """A :class:`FakeAPI` that scripts itself from a :class:`Scenario` as requests arrive.

    ``problem`` (a scenario that failed to load) turns every request into a 500
    naming it: a CI run must not pass on answers nobody scripted.
    """

    def __init__(self, scenario: Scenario | None = None, *, problem: str | None = None) -> None:
        super().__init__()
        self.script = scenario
        self.problem = problem

    def handle(self, request: ApiRequest) -> ApiResponse:
        queued = len(self._state.replies)
        if self.problem is not None:
            message = f"lessonkit: the scenario file is invalid: {self.problem}"
            self.fail_next(500, message=message, should_retry=False)
        elif self.script is not None and request.method == "POST":
            self._script(request)
        response = super().handle(request)
        if response.status >= 400:  # a reply queued for a request that failed stays unused
            while len(self._state.replies) > queued:
                self._state.replies.pop()
        return response

    def _script(self, request: ApiRequest) -> None:
        assert self.script is not None
        try:
            body = request.json()
        except ValueError:
            return
        if not isinstance(body, dict):
            return
        if request.path == MESSAGES_PATH:
            prompt, model = _prompt(body), str(body.get("model", ""))
            fault = next((r for r in self.script.faults if r.fits(prompt, model)), None)
            if fault is not None:
                self.fail_next(**fault.use())
            rule = next((r for r in self.script.replies if r.fits(prompt, model)), None)
            if rule is not None and fault is None:
                self.reply(**rule.use())
        elif request.path == BATCHES_PATH:
            for item in body.get("requests") or []:
                custom_id = str(item.get("custom_id", "")) if isinstance(item, dict) else ""
                for entry in self.script.batches:
                    if fnmatch.fnmatchcase(custom_id, entry["custom_id"]):
                        details = {
                            k: v for k, v in entry.items() if k not in ("custom_id", "outcome")
                        }
                        self.batch_outcome(custom_id, entry["outcome"], **details)
                        break

"""Machine-readable contracts a request sets up, and the answers that honour them.

Code written against the live API parses what it asked for: the rest of a JSON
object it prefilled with ``{``, the text inside an XML tag it opened, a bare SQL
query, or a ``tool_use`` when it offered tools that fit the question. A generic
sentence breaks such code offline while it works live, so where a request sets
one of these up, the fake model keeps to it, deterministically:

* **prefill** (models that allow it) ending in ``{`` or an open ``<tag>``: the
  continuation closes it (valid JSON with the prefill; the tag closed);
* **bare SQL** ("only output the SQL query") over a ``CREATE TABLE`` in the prompt:
  a ``SELECT`` naming the columns and filter values the question mentions;
* **tags and JSON** the prompt asks for ("put it in <answer> tags", "give me a
  JSON dict", or an XML layout shown after "in this format:"): each tag,
  holding a JSON object where JSON is asked for, or a bare JSON object; also
  after a prefill that opens nothing ("Here is the JSON requested:");
* **a closed set of answers** the prompt lists ("select ... from these options:
  ['billing', 'technical']", "one of: a, b or c"): the answer tag of the layout
  (or, where the prompt asks for only the answer, the whole reply) holds one of
  them, the one the rest of the prompt mentions most (the first on a tie);
* **tools under** ``tool_choice: auto``: the offered tools whose names share
  the most words with the question, else the one whose description shares the
  most, after a sentence saying so, with inputs taken from the prompt's own
  values where the schema allows. Several tools are called in one turn when
  the question names several independent things and ``disable_parallel_tool_use``
  is not set; a question that orders them ("..., then ...") gets only the first
  call, as "Claude issues dependent calls across separate turns" (Anthropic,
  *Parallel tool use*, platform.claude.com/docs/en/agents-and-tools/tool-use/
  parallel-tool-use).

Stop sequences and ``max_tokens`` then apply to these answers as to any other
(:func:`lessonkit.fakeapi.generation._cut_text`). Free-text style requests
("three bullet points") stay out of scope: a scenario file scripts those.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from .facts import ModelFacts
from .replies import Reply, ToolCall
from .server_tools import server_tool_types

__all__ = ["last_user_text", "prefill", "reply_for"]

Example = Callable[[Any], Any]

_WORD = re.compile(r"[a-z][a-z0-9]+")
#: Words too common to show that a tool fits a question.
_STOP = frozenset(
    "the and for you your with what that this from are can get how have into its not "
    "our out use using was will about any all also given some than then them they when "
    "which who why would should could please tell give make set find show list tool tools "
    "current information data value values return returns specified provided based".split()
)
_ARITHMETIC = re.compile(
    r"\d[\d,.]*\s*(?:[-+*/x×^]|\*\*)\s*\d[\d,.]*(?:\s*(?:[-+*/×^]|\*\*)\s*\d[\d,.]*)*"
)
_MATHS_WORDS = ("calculat", "arithmetic", "math", "comput", "evaluat")


def _stems(text: str) -> set[str]:
    """Content words cut to five letters: "calculate" and "calculator" meet."""
    return {w[:5] for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2}


def last_user_text(body: Mapping[str, Any]) -> str:
    """The text of the request's last user turn: what the fake's answers are built from."""
    for message in reversed(body["messages"]):
        if message["role"] != "user":
            continue
        content = message["content"]
        if isinstance(content, str):
            return content
        return " ".join(
            str(b.get("text", ""))
            for b in content
            if isinstance(b, dict) and b.get("type") == "text"
        )
    return ""


def _answers_tool_results(body: Mapping[str, Any]) -> bool:
    content = body["messages"][-1]["content"]
    return (
        body["messages"][-1]["role"] == "user"
        and isinstance(content, list)
        and any(isinstance(b, dict) and b.get("type") == "tool_result" for b in content)
    )


# --- tools under auto ---------------------------------------------------------------------


def _fit(tool: Mapping[str, Any], prompt: str, words: set[str]) -> tuple[frozenset[str], int]:
    """How ``tool`` fits the prompt: the words its name shares with it, and how many its
    description shares. A tool that computes, offered a sum, fits by name.
    """
    name = str(tool.get("name", "")).replace("_", " ").replace("-", " ")
    about = f"{name} {tool.get('description', '')}"
    named = _stems(name) & words
    if _ARITHMETIC.search(prompt) and any(m in about.lower() for m in _MATHS_WORDS):
        named |= {"+"}
    return frozenset(named), len(_stems(about) & words)


def _chosen(tools: list[dict[str, Any]], prompt: str) -> list[dict[str, Any]]:
    """The tools a model would call: one per distinct thing the question names, in parallel;
    else the one whose description fits best; else none.
    """
    words = _stems(prompt)
    fits = [_fit(t, prompt, words) for t in tools]
    ranked = sorted(range(len(tools)), key=lambda i: (-len(fits[i][0]), -fits[i][1], i))
    covered: set[str] = set()
    chosen = []
    for i in ranked:
        named = fits[i][0]
        if named and not named <= covered:
            chosen.append(tools[i])
            covered |= named
    if chosen or not ranked or fits[ranked[0]][1] == 0:
        return chosen
    return [tools[ranked[0]]]


#: Words that order the asks: the later call needs the earlier one's result, so it waits a turn.
_SEQUENCED = re.compile(
    r"\b(?:and )?then\b|\bafter(?:wards| that)\b|\bonce you (?:have|know)\b"
    r"|\b(?:using|with|based on) (?:the|that|its) results?\b",
    re.IGNORECASE,
)


def _first_mention(tool: Mapping[str, Any], prompt: str) -> int:
    """Where the prompt first names ``tool`` (by a word of its name); its length if nowhere."""
    name = _stems(str(tool.get("name", "")).replace("_", " ").replace("-", " "))
    found = (m.start() for m in _WORD.finditer(prompt.lower()) if m.group(0)[:5] in name)
    return next(found, len(prompt))


def _value_for(name: str, schema: Mapping[str, Any], prompt: str, example: Any) -> Any:
    """A value for property ``name`` taken from the prompt, or ``example`` if none fits."""
    kind = schema.get("type")
    lowered = name.lower()
    if isinstance(schema.get("enum"), list):
        return next((v for v in schema["enum"] if str(v).lower() in prompt.lower()), example)
    if kind == "string":
        if any(m in lowered for m in ("expr", "calc", "formula", "math")) and (
            found := _ARITHMETIC.search(prompt)
        ):
            return found.group(0).strip()
        if any(m in lowered for m in ("location", "city", "place", "country", "where")):
            if found := re.search(r"\b(?:in|for|at|near)\s+((?:[A-Z][\w.'-]*,?\s?)+)", prompt):
                return found.group(1).strip(" ,")
        if lowered.endswith("id") or "number" in lowered:
            if found := re.search(r"\b([A-Z]*\d[\w-]*)\b", prompt):
                return found.group(1)
        if found := re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", prompt):
            return found.group(0) if "mail" in lowered else example
        if any(m in lowered for m in ("query", "question", "text", "prompt", "topic", "search")):
            return prompt.strip()[:200] or example
    if kind in ("integer", "number"):
        if found := re.search(r"-?\d+(?:\.\d+)?", prompt):
            number = float(found.group(0))
            return int(number) if kind == "integer" else number
    return example


def _tool_input(tool: Mapping[str, Any], prompt: str, example: Example) -> dict[str, Any]:
    schema = tool.get("input_schema") or {}
    made = example(schema)
    values: dict[str, Any] = dict(made) if isinstance(made, dict) else {}
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(properties, dict):
        return values
    for name in values:
        prop = properties.get(name)
        if isinstance(prop, dict):
            values[name] = _value_for(name, prop, prompt, values[name])
    return values


def _auto_tools(body: Mapping[str, Any], prompt: str, example: Example) -> Reply | None:
    choice = body.get("tool_choice") or {"type": "auto"}
    if choice.get("type") != "auto" or _answers_tool_results(body):
        return None
    tools = [
        t
        for t in body.get("tools") or []
        if isinstance(t, dict) and t.get("type") not in server_tool_types() and "name" in t
    ]
    if not tools:
        return None
    fitting = _chosen(tools, prompt)
    if not fitting:
        return None
    if _SEQUENCED.search(prompt):
        fitting = sorted(fitting, key=lambda t: _first_mention(t, prompt))[:1]
    elif choice.get("disable_parallel_tool_use"):
        fitting = fitting[:1]
    calls = tuple(ToolCall(t["name"], _tool_input(t, prompt, example)) for t in fitting)
    names = " and ".join(f"the {c.name} tool" for c in calls)
    return Reply(text=f"I'll use {names} to answer this.", tool_calls=calls)


# --- prefill: close what the assistant's turn opened ------------------------------------------

_OPEN_TAG = re.compile(r"<([A-Za-z][\w-]*)>\s*$")


def prefill(body: Mapping[str, Any], model: ModelFacts) -> str | None:
    """The text of a final ``assistant`` turn, on a model that allows prefill; else None."""
    last = body["messages"][-1]
    if last["role"] != "assistant" or not model.prefill:
        return None
    content = last["content"]
    if isinstance(content, str):
        return content
    texts = [b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text"]
    return "".join(texts) if texts else None


def _closing(prefill: str, summary: str) -> str | None:
    """The continuation that completes ``prefill``'s open JSON object or XML tag."""
    stripped = prefill.rstrip()
    if stripped.endswith("{"):
        return _json_object(summary)[1:]
    if found := _OPEN_TAG.search(stripped):
        return f"{summary}</{found.group(1)}>"
    return None


# --- bare SQL over a schema in the prompt --------------------------------------------------

_TABLE = re.compile(r"CREATE TABLE\s+[\"`]?(\w+)[\"`]?\s*\(([^)]*)\)", re.IGNORECASE)
_ONLY_SQL = re.compile(r"\bonly (?:output|return|respond with|give)\b[^.]*\bsql\b", re.IGNORECASE)


def _sql(prompt: str) -> str | None:
    table = _TABLE.search(prompt) if "(" in prompt else None  # most prompts hold no table
    if table is None or not _ONLY_SQL.search(prompt):
        return None
    columns = [c.split()[0].strip('"`,') for c in table.group(2).split("\n") if c.strip()]
    columns = [c for c in columns if c and c.upper() not in ("PRIMARY", "FOREIGN", "UNIQUE")]
    question = prompt[table.end() :]
    words = question.split()
    picked, where = [], []
    for column in columns:
        stem = column.lower()[:4]
        for i, word in enumerate(words):
            if not word.lower().startswith(stem):
                continue
            before = words[i - 1].strip(",.?") if i else ""
            if before[:1].isupper() and i > 1 and before.lower() not in ("the", "what", "which"):
                where.append(f"{column} = '{before}'")
            elif column not in picked:
                picked.append(column)
    shown = ", ".join(c for c in picked if not any(w.startswith(c + " ") for w in where)) or "*"
    query = f"SELECT {shown} FROM {table.group(1)}"
    return query + (f" WHERE {' AND '.join(where)};" if where else ";")


# --- answers the prompt asks to put in tags, or to give as JSON -------------------------------

#: ``in <answer> tags``, ``inside <answer></answer> tags``: a tag the answer should hold.
_TAG_ASK = re.compile(r"<([A-Za-z][\w-]*)>(?:\s*</\1>)?\s+tags?\b")
_JSON_ASK = re.compile(r"\bjson\b", re.IGNORECASE)


def _asks_json(prompt: str) -> bool:
    """Whether the prompt asks for JSON. A case-blind search costs more than the rest of the
    contracts on a plain prompt; one without "json" in any case (casefold: "ſ" too) has none.
    """
    return "json" in prompt.casefold() and _JSON_ASK.search(prompt) is not None


_TAG_TEXT = re.compile(r"\s*</?[A-Za-z][\w-]*>")


#: A prompt that ends by showing the answer's layout: ``…like the below: <x>[…]</x>``.
_SKELETON = re.compile(
    r"(?:format|like (?:the )?below|like this|as follows)[^<]{0,80}?"
    r"(<([A-Za-z][\w-]*)>.*\[[^\]]+\].*</\2>)\s*$",
    re.DOTALL | re.IGNORECASE,
)


#: An XML layout shown after a cue: ``in this XML format: <reasoning>why</reasoning>
#: <selection>the team</selection>``. Each element's text describes what goes in it.
_LAYOUT = re.compile(
    r"(?:format|like (?:the )?below|like this|as follows|structure|template)\b[^<]{0,80}?"
    r"((?:<([A-Za-z][\w-]*)>[^<]{0,300}</\2>\s*)+)",
    re.IGNORECASE,
)
_ELEMENT = re.compile(r"<([A-Za-z][\w-]*)>[^<]*</\1>")
#: Tags that hold the model's working, never the answer itself.
_WORKING = ("reason", "think", "explan", "analys", "scratch", "plan", "thought", "justif")

#: The set of allowed answers a prompt lists: ``from these options: ['a', 'b']``,
#: ``one of the following: a, b or c``, ``respond with "YES" or "NO"``.
_OPTIONS = re.compile(
    r"\b(?:options|choices|categories|labels|classes|one of(?: the following)?)\b"
    r"[^:\n.]{0,40}:\s*(\[[^\]\n]+\]|[^\n.]+)",
    re.IGNORECASE,
)
_QUOTED_PAIR = re.compile(
    r"""\b(?:with|answer|either)\s+(["'])(\w[\w -]*)\1\s+or\s+(["'])(\w[\w -]*)\3""",
    re.IGNORECASE,
)
_ONLY = re.compile(
    r"\b(?:only|just)\b[^.\n]{0,40}\b(?:name|label|category|option|answer|word)\b"
    r"|\b(?:name|label|category|option|answer|word) only\b",
    re.IGNORECASE,
)


def _options(prompt: str) -> list[str]:
    """The answers the prompt allows, in its order; empty if it lists none."""
    # Each pattern needs a character most prompts lack: skip its search without it.
    if ("'" in prompt or '"' in prompt) and (pair := _QUOTED_PAIR.search(prompt)):
        return [pair.group(2), pair.group(4)]
    found = _OPTIONS.search(prompt) if ":" in prompt else None
    if found is None:
        return []
    listed = found.group(1).strip()
    if listed.startswith("["):
        items = re.findall(r"""(["'])(.+?)\1""", listed)
        return [text for _, text in items]
    parts = re.split(r",\s*(?:or\s+|and\s+)?|\s+or\s+|\s*\|\s*|\s*/\s*", listed)
    options = [p.strip(" \"'`*") for p in parts]
    return options if len(options) > 1 and all(0 < len(o) <= 40 for o in options) else []


def _option(prompt: str, options: list[str]) -> str:
    """The option the rest of the prompt mentions most: deterministic, the first on a tie."""
    words = _stems(_OPTIONS.sub("", prompt))
    return max(options, key=lambda o: (len(_stems(o) & words), -options.index(o)))


def _tagged(prompt: str, summary: str) -> str | None:
    """Each tag the prompt asks for, then the layout it shows, filled in.

    Tags hold JSON where the prompt asks for JSON, else the answer; where the
    prompt lists the allowed answers, an answer tag holds one of them.
    """
    marked = "<" in prompt  # every tag and layout is written with one; most prompts have none
    skeleton = _SKELETON.search(prompt) if marked else None
    layout = None if skeleton or not marked else _LAYOUT.search(prompt)
    shown = skeleton.group(1) if skeleton else layout.group(1) if layout else ""
    asked = _TAG_ASK.findall(prompt) if marked else ()
    names = [n for n in dict.fromkeys(asked) if f"<{n}>" not in shown]
    options = _options(prompt)
    if not names and not shown:
        return _option(prompt, options) if options and _ONLY.search(prompt) else None
    inner = _json_object(summary) if _asks_json(prompt) else summary

    def filled(name: str) -> str:
        if any(w in name.lower() for w in _WORKING):
            return summary  # reasoning is prose, even where the answer is JSON
        return _option(prompt, options) if options else inner

    parts = [f"<{name}>\n{filled(name)}\n</{name}>" for name in names]
    if skeleton:
        parts.append(re.sub(r"\[[^\]]+\]", lambda _: summary, shown))
    elif layout:
        parts.extend(f"<{m[1]}>\n{filled(m[1])}\n</{m[1]}>" for m in _ELEMENT.finditer(shown))
    return "\n".join(parts)


def _json_object(summary: str) -> str:
    return json.dumps({"result": summary}, indent=2)


def reply_for(
    body: dict[str, Any],
    prompt: str,
    prefilled: str | None,
    example: Example,
    answer: Callable[[], str],
    *,
    tools: bool,
) -> Reply | None:
    """The reply a contract in ``body`` calls for, or ``None`` to answer as usual.

    The caller has ruled out a forced tool call and a JSON schema (the contract
    already) and passes what it knows of the request's shape: ``prompt`` (its
    :func:`last_user_text`), ``prefilled`` (its :func:`prefill`) and whether it
    offers ``tools``. ``example(schema)`` makes a value that satisfies a JSON
    schema, ``answer()`` the fake's usual words for the prompt (both the fake
    model's own).
    """
    if prefilled is not None and (closing := _closing(prefilled, answer())):
        return Reply(text=closing)
    if prefilled is None and tools and (called := _auto_tools(body, prompt, example)) is not None:
        return called
    said = answer()  # the prompt's topic, without its markup (rarely any: skip the regex)
    said = _TAG_TEXT.sub("", said) if "<" in said else said
    text = _sql(prompt) or _tagged(prompt, said)
    if text is None and not tools and _asks_json(prompt):
        text = _json_object(said)
    if text is None:
        return None
    return Reply(text=text if prefilled is None else f"\n{text}")  # a prefill opening nothing

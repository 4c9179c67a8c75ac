"""lessonkit.doctor: each check alone, on this machine and on broken set-ups we fake."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

import lessonkit
from lessonkit import doctor, models
from lessonkit.doctor import Check

SECRET = "sk-ant-" + "api03-NEVER-SHOWN-9876"  # split: no key-shaped literal in the repo


def shown(check: Check) -> str:
    return f"{check.name} {check.status} {check.detail} {check.fix}"


@pytest.mark.parametrize(
    "check",
    [
        doctor.check_python,
        doctor.check_anthropic,
        doctor.check_mocker,
        doctor.check_kernel,
        doctor.check_widgets,
        doctor.check_offline,
    ],
)
def test_this_machine_passes(check: object) -> None:
    result = check()  # type: ignore[operator]
    assert result.status == "pass", shown(result)


def test_wrong_sdk_major_fails_with_a_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(doctor, "_version", lambda dist: "3.0.0")
    result = doctor.check_anthropic()
    assert result.status == "fail" and "anthropic>=2.14,<3" in result.fix


def test_a_missing_httpcore2_class_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """respx skips a target it cannot find, so a renamed httpcore2 class would go unpatched."""
    import httpcore2._sync.connection_pool as pool

    monkeypatch.delattr(pool, "ConnectionPool")
    result = doctor.check_mocker()
    assert result.status == "fail"
    assert result.detail == "httpcore2 lacks httpcore2._sync.connection_pool.ConnectionPool"


def test_widgets_without_lab_extension_fail(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import jupyter_core.paths

    monkeypatch.setattr(jupyter_core.paths, "jupyter_path", lambda *parts: [str(tmp_path)])
    result = doctor.check_widgets()
    assert result.status == "fail" and "jupyterlab_widgets" in result.fix


def test_notebooks(tmp_path: Path) -> None:
    assert doctor.check_notebooks(tmp_path).status == "fail"  # no notebooks/ at all
    (tmp_path / "notebooks").mkdir()
    assert doctor.check_notebooks(tmp_path).status == "fail"  # empty
    (tmp_path / "notebooks" / "00_setup.ipynb").write_text("{}")
    passed = doctor.check_notebooks(tmp_path)
    assert passed.status == "pass" and passed.detail.startswith("1 in")


def test_course_root_is_found_from_a_subfolder(tmp_path: Path) -> None:
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "exercises" / "deep").mkdir(parents=True)
    assert doctor.find_course_root(tmp_path / "exercises" / "deep") == tmp_path.resolve()


def test_offline_check_does_not_disturb_an_active_session() -> None:
    with lessonkit.offline():
        assert doctor.check_offline().status == "warn"


def test_api_key_is_reported_without_showing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    result = doctor.check_api_key()
    assert result.detail.startswith("set")
    assert SECRET not in shown(result) and SECRET[-4:] not in shown(result)
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    assert doctor.check_api_key().detail.startswith("not set")


@pytest.mark.parametrize(
    ("live", "key", "status"),
    [(None, None, "pass"), ("1", None, "warn"), ("1", SECRET, "warn"), ("0", SECRET, "pass")],
)
def test_live_mode(
    monkeypatch: pytest.MonkeyPatch, live: str | None, key: str | None, status: str
) -> None:
    for name, value in (("LESSONKIT_LIVE", live), ("ANTHROPIC_API_KEY", key)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert doctor.check_live_mode().status == status


def test_a_crashing_check_is_a_failure_not_a_traceback() -> None:
    def check_boom() -> Check:
        raise OSError("disk on fire")

    (result,) = doctor.run_checks((check_boom,))
    assert (result.name, result.status) == ("boom", "fail")
    assert "disk on fire" in result.detail


def test_render_escapes_markup_and_shows_fixes() -> None:
    checks = [Check("a", "pass", "[bold]literal[/bold]"), Check("b", "fail", "broken", "do [x]")]
    out = io.StringIO()
    Console(file=out, width=200, color_system=None).print(doctor.render(checks))
    text = out.getvalue()
    assert "[bold]literal[/bold]" in text and "do [x]" in text and "FAIL" in text


def test_models_the_facts_table_lacks_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    assert doctor.check_models().status == "pass"
    monkeypatch.setattr(models, "KNOWN", ("claude-opus-9", *models.KNOWN))
    result = doctor.check_models()
    assert result.status == "warn" and "claude-opus-9" in result.detail, shown(result)
    assert "model_facts.json" in result.fix

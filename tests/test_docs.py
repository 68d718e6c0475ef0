from __future__ import annotations

import typer.main

from storyline.cli.app import app
from storyline.errors import DESCRIPTIONS
from storyline.titles import FLAGGED_TITLE_MARK
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _command_names(group: typer.Typer) -> list[str]:
    click_group = typer.main.get_command(group)
    names = []
    for name, command in click_group.commands.items():  # type: ignore[attr-defined]
        sub = getattr(command, "commands", None)
        names.extend(f"{name} {s}" for s in sub) if sub else names.append(name)
    return names


def test_docs_every_cli_command_is_in_the_readme():
    for name in _command_names(app):
        assert f"storyline {name}" in README, name


def test_docs_every_rejection_code_is_in_the_readme():
    for code in DESCRIPTIONS:
        assert f"| {code} |" in README, code


def test_docs_readme_first_screen_has_the_two_commands():
    first_screen = "\n".join(README.splitlines()[:20])
    assert "make run" in first_screen
    assert "make test" in first_screen


def _export_line(what: str) -> str:
    return next(x for x in README.splitlines() if x.startswith(f"storyline export --what {what} "))


def test_docs_the_export_lines_name_the_claim_and_speaker_fields_and_the_flagged_title():
    assert "wording_differs (" in _export_line("claims")
    assert "speaker_kind person|organisation|outlet|place" in _export_line("quotes")
    assert "speaker_kind (" in _export_line("quote_groups")
    assert FLAGGED_TITLE_MARK in _export_line("stories")

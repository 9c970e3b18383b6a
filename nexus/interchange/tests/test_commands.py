"""nexus_import and nexus_export from the command line."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from nexus.interchange.models import ImportSource
from nexus.interchange.tests.test_import import README
from nexus.knowledge.models import Entry, EntryStatus
from nexus.knowledge.tests.factories import make_entry

pytestmark = pytest.mark.django_db


def command(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_a_file_then_again(tmp_path: Path, owner: Any) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(README, encoding="utf-8")

    out, _ = command("nexus_import", str(readme), "--hub", "OWNER")
    assert out.splitlines()[0] == ("README.md: did create 5, update 0, leave 0 unchanged; coverage 100% of 12 lines")
    assert Entry.objects.filter(hub__owner=owner).count() == 5
    out, _ = command("nexus_import", str(readme), "--hub", "owner")
    assert out.startswith("README.md: did create 0, update 0, leave 5 unchanged")


def test_a_folder_imports_each_markdown_file_by_its_path_and_dry_run_writes_nothing(tmp_path: Path, owner: Any) -> None:
    (tmp_path / "week1").mkdir()
    (tmp_path / "README.md").write_text(README, encoding="utf-8")
    (tmp_path / "week1" / "notes.md").write_text("# Week one\n\n## Docker\n\nContainers.\n", encoding="utf-8")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG")

    out, _ = command("nexus_import", str(tmp_path), "--hub", "owner", "--dry-run")
    assert [line.split(":")[0] for line in out.splitlines() if not line.startswith(" ")] == [
        "README.md",
        "week1/notes.md",
    ]
    assert "would create" in out
    assert not Entry.objects.exists()

    command("nexus_import", str(tmp_path), "--hub", "owner", "--status", EntryStatus.DRAFT)
    assert sorted(ImportSource.objects.values_list("name", flat=True)) == ["README.md", "week1/notes.md"]
    assert set(Entry.objects.values_list("status", flat=True)) == {EntryStatus.DRAFT}


def test_a_bad_file_is_reported_and_the_others_still_import(tmp_path: Path, owner: Any) -> None:
    (tmp_path / "a.md").write_bytes(b"\x00\x01\x02\x03" * 100)
    (tmp_path / "b.md").write_text(README, encoding="utf-8")
    err = StringIO()

    with pytest.raises(CommandError, match=r"1 of 2 files could not be imported \(nothing of them was written\)"):
        call_command("nexus_import", str(tmp_path), "--hub", "owner", stdout=StringIO(), stderr=err)
    assert "a.md: not imported: This looks like a binary file" in err.getvalue()
    assert Entry.objects.filter(hub__owner=owner).count() == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.md", "--hub", "owner"], "missing.md: no such file or folder."),
        (["{tmp}", "--hub", "owner"], "No Markdown files (.md, .markdown) in"),
        (["{tmp}", "--hub", "nobody"], "No active user is called 'nobody'."),
    ],
)
def test_import_errors_are_clean(tmp_path: Path, owner: Any, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        command("nexus_import", *[arg.replace("{tmp}", str(tmp_path)) for arg in args])


def test_export_to_stdout_or_a_file(tmp_path: Path, owner: Any) -> None:
    make_entry(owner, title="Caching strategies", body="Cache-aside first.\n")
    make_entry(owner, title="Half-written", status=EntryStatus.DRAFT)

    out, _ = command("nexus_export", "--hub", "owner")
    assert out.startswith("# Olive Owner's Project Nexus\n")
    assert "### Half-written" in out  # the owner's whole hub
    public, _ = command("nexus_export", "--hub", "owner", "--public")
    assert "Half-written" not in public

    target = tmp_path / "README.md"
    out, _ = command("nexus_export", "--hub", "owner", "-o", str(target))
    assert out == f"Wrote {target} ({len(target.read_bytes()):,} bytes).\n"
    assert "### Caching strategies" in target.read_text(encoding="utf-8")


def test_export_errors_are_clean(tmp_path: Path, owner: Any) -> None:
    with pytest.raises(CommandError, match=r"'nobody' has no hub you can see\."):
        command("nexus_export", "--hub", "nobody")
    with pytest.raises(CommandError, match=r"'owner' has no hub you can see\."):
        command("nexus_export", "--hub", "owner")  # nothing written yet
    make_entry(owner, title="Caching strategies")
    with pytest.raises(CommandError, match="Cannot write"):
        command("nexus_export", "--hub", "owner", "-o", str(tmp_path / "no" / "such" / "dir" / "README.md"))

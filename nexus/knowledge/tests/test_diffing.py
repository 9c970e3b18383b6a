"""Diffs between revisions and three-way merges of proposals and stale writes."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nexus.knowledge.diffing import (
    DiffRow,
    DiffStats,
    MergeConflict,
    MergeResult,
    diff_side_by_side,
    diff_stats,
    diff_unified,
    merge_three_way,
)

NOTES = """\
# Celery notes

## Setup

Install celery and start a worker.

## Retries

Tasks retry three times.

## Monitoring

Use flower.
"""


def with_unix_newlines(text: str) -> str:
    # What every function compares and returns: CRLF and lone CR are line feeds.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def side_text(rows: list[DiffRow], side: str) -> str:
    """One side of the rows as plain text: markers removed, entities decoded."""
    pieces = [getattr(row, f"{side}_html") for row in rows if getattr(row, f"{side}_number") is not None]
    return html.unescape(re.sub(r"</?(?:del|ins)>", "", "".join(pieces)))


# --- Unified diff --------------------------------------------------------------------------


def test_unified_diff_of_a_small_edit() -> None:
    old = "# Title\nline 2\nline 3\n"
    new = "# Title\nline two\nline 3\nline 4\n"
    assert diff_unified(old, new, old_label="revision 1", new_label="revision 2") == (
        "--- revision 1\n+++ revision 2\n@@ -1,3 +1,4 @@\n # Title\n-line 2\n+line two\n line 3\n+line 4\n"
    )


def test_unified_diff_without_context_splits_hunks() -> None:
    old = "# Title\nline 2\nline 3\n"
    new = "# Title\nline two\nline 3\nline 4\n"
    assert diff_unified(old, new, old_label="a", new_label="b", context=0) == (
        "--- a\n+++ b\n@@ -2 +2 @@\n-line 2\n+line two\n@@ -3,0 +4 @@\n+line 4\n"
    )


def test_unified_diff_of_equal_texts_is_empty() -> None:
    assert diff_unified("same\n", "same\n", old_label="a", new_label="b") == ""
    assert diff_unified("", "", old_label="a", new_label="b") == ""


def test_unified_diff_marks_a_missing_final_newline() -> None:
    # Without the marker, "-b" and "+b" would run together on one line of the output.
    assert diff_unified("a\nb", "a\nb\n", old_label="a", new_label="b") == (
        "--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"
    )


def test_unified_diff_from_and_to_an_empty_text() -> None:
    assert diff_unified("", "one\n", old_label="a", new_label="b") == "--- a\n+++ b\n@@ -0,0 +1 @@\n+one\n"
    assert diff_unified("one\n", "", old_label="a", new_label="b") == "--- a\n+++ b\n@@ -1 +0,0 @@\n-one\n"


def test_negative_context_is_refused() -> None:
    with pytest.raises(ValueError, match="context must be zero or more lines"):
        diff_unified("a\n", "b\n", old_label="a", new_label="b", context=-1)


# --- Side by side --------------------------------------------------------------------------


def test_side_by_side_rows_of_every_kind() -> None:
    old = "# Title\nThe quick brown fox\n<script>alert(1)</script>\nsame\n"
    new = "# Title\nThe slow brown fox\nsame\nadded & more\n"
    assert diff_side_by_side(old, new) == [
        DiffRow("equal", 1, 1, "# Title\n", "# Title\n"),
        DiffRow("replace", 2, 2, "The <del>quick</del> brown fox\n", "The <ins>slow</ins> brown fox\n"),
        # Two old lines replaced by one: the second is a plain delete, its HTML shown as text.
        DiffRow("delete", 3, None, "&lt;script&gt;alert(1)&lt;/script&gt;\n", ""),
        DiffRow("equal", 4, 3, "same\n", "same\n"),
        DiffRow("insert", None, 4, "", "added &amp; more\n"),
    ]


def test_changed_words_inside_html_text_are_escaped() -> None:
    rows = diff_side_by_side("<script>alert(1)</script>\n", "<script>alert('2')</script>\n")
    assert rows == [
        DiffRow(
            "replace",
            1,
            1,
            "&lt;script&gt;alert(<del>1</del>)&lt;/script&gt;\n",
            "&lt;script&gt;alert(<ins>&#x27;2&#x27;</ins>)&lt;/script&gt;\n",
        )
    ]


def test_words_changed_across_a_space_are_one_change() -> None:
    rows = diff_side_by_side("the quick brown fox\n", "the slow red fox\n")
    assert rows == [DiffRow("replace", 1, 1, "the <del>quick brown</del> fox\n", "the <ins>slow red</ins> fox\n")]


def test_inserted_and_deleted_words() -> None:
    assert diff_side_by_side("start a worker\n", "start a celery worker now\n") == [
        DiffRow("replace", 1, 1, "start a worker\n", "start a <ins>celery </ins>worker<ins> now</ins>\n")
    ]
    assert diff_side_by_side("start a celery worker\n", "start a worker\n") == [
        DiffRow("replace", 1, 1, "start a <del>celery </del>worker\n", "start a worker\n")
    ]


def test_replaced_lines_pair_one_to_one_and_extra_new_lines_are_inserts() -> None:
    assert diff_side_by_side("one\n", "uno\ndos\n") == [
        DiffRow("replace", 1, 1, "<del>one</del>\n", "<ins>uno</ins>\n"),
        DiffRow("insert", None, 2, "", "dos\n"),
    ]


def test_side_by_side_of_empty_texts() -> None:
    assert diff_side_by_side("", "") == []
    assert diff_side_by_side("", "a\n") == [DiffRow("insert", None, 1, "", "a\n")]
    assert diff_side_by_side("a\n", "") == [DiffRow("delete", 1, None, "a\n", "")]


def test_a_missing_final_newline_is_a_replaced_last_line() -> None:
    # The newline sits outside the markup, so the row changes kind but marks no word.
    assert diff_side_by_side("a\nb", "a\nb\n") == [
        DiffRow("equal", 1, 1, "a\n", "a\n"),
        DiffRow("replace", 2, 2, "b", "b\n"),
    ]


def test_trailing_whitespace_changes_are_marked() -> None:
    assert diff_side_by_side("end  \n", "end\n") == [DiffRow("replace", 1, 1, "end<del>  </del>\n", "end\n")]


# --- Stats ---------------------------------------------------------------------------------


def test_stats_count_a_replaced_line_as_added_and_removed() -> None:
    old = "# Title\nThe quick brown fox\n<script>alert(1)</script>\nsame\n"
    new = "# Title\nThe slow brown fox\nsame\nadded & more\n"
    assert diff_stats(old, new) == DiffStats(added=2, removed=2)
    assert diff_stats(old, old) == DiffStats(added=0, removed=0)
    assert diff_stats("", "a\nb\n") == DiffStats(added=2, removed=0)


# --- Line endings --------------------------------------------------------------------------


def test_a_windows_saved_revision_equals_the_same_text() -> None:
    windows = NOTES.replace("\n", "\r\n")
    assert diff_unified(NOTES, windows, old_label="a", new_label="b") == ""
    assert diff_stats(NOTES, windows) == DiffStats(added=0, removed=0)
    assert {row.kind for row in diff_side_by_side(NOTES, windows)} == {"equal"}


def test_a_windows_saved_edit_shows_only_its_change() -> None:
    windows = NOTES.replace("three", "five").replace("\n", "\r\n")
    assert diff_stats(NOTES, windows) == DiffStats(added=1, removed=1)
    assert diff_unified(NOTES, windows, old_label="a", new_label="b", context=0) == (
        "--- a\n+++ b\n@@ -9 +9 @@\n-Tasks retry three times.\n+Tasks retry five times.\n"
    )


def test_a_lone_carriage_return_ends_a_line() -> None:
    # CommonMark counts a lone CR as a line ending, so the diff does too.
    assert diff_side_by_side("a\rb\r", "a\nb\n") == [
        DiffRow("equal", 1, 1, "a\n", "a\n"),
        DiffRow("equal", 2, 2, "b\n", "b\n"),
    ]


def test_form_feed_and_line_separator_do_not_split_a_line() -> None:
    # str.splitlines would split here (and on the "\x85" of mis-decoded text), giving line
    # numbers that disagree with the editor and the rendered Markdown.
    assert diff_side_by_side("a\x0cb\u2028c\x85d\n", "a\x0cb\u2028c\x85d\n") == [
        DiffRow("equal", 1, 1, "a\x0cb\u2028c\x85d\n", "a\x0cb\u2028c\x85d\n")
    ]


# --- Merging -------------------------------------------------------------------------------


def test_edits_in_different_sections_merge_cleanly() -> None:
    ours = NOTES.replace("Install celery and start a worker.", "Install celery, then start a worker with -l info.")
    theirs = NOTES.replace("Use flower.", "Use flower on port 5555.") + "\n## Pitfalls\n\nAcknowledge late.\n"
    assert merge_three_way(NOTES, ours, theirs) == MergeResult(
        text="""\
# Celery notes

## Setup

Install celery, then start a worker with -l info.

## Retries

Tasks retry three times.

## Monitoring

Use flower on port 5555.

## Pitfalls

Acknowledge late.
""",
        conflicts=[],
    )


def test_edits_of_the_same_line_conflict_and_keep_ours() -> None:
    # Ours also adds a line above, so the conflict starts one line later in the merged text;
    # theirs' edit of another section still merges.
    ours = NOTES.replace("start a worker.\n", "start a worker.\nUse a virtualenv.\n").replace("three", "five")
    theirs = NOTES.replace("three times", "forever").replace("Use flower.", "Use flower on port 5555.")
    result = merge_three_way(NOTES, ours, theirs)
    assert result.conflicts == [
        MergeConflict(
            start_line=10,
            base="Tasks retry three times.\n",
            ours="Tasks retry five times.\n",
            theirs="Tasks retry forever.\n",
        )
    ]
    assert not result.clean
    assert result.text == ours.replace("Use flower.", "Use flower on port 5555.")


def test_identical_edits_merge_cleanly() -> None:
    edited = NOTES.replace("three", "five")
    assert merge_three_way(NOTES, edited, edited) == MergeResult(text=edited, conflicts=[])


def test_edits_of_adjacent_lines_conflict() -> None:
    # merge3, like diff3 and git, needs an unchanged line between two changes to tell
    # them apart; Markdown's blank lines between paragraphs usually provide it.
    result = merge_three_way("- one\n- two\n", "- uno\n- two\n", "- one\n- dos\n")
    assert result == MergeResult(
        text="- uno\n- two\n",
        conflicts=[MergeConflict(start_line=1, base="- one\n- two\n", ours="- uno\n- two\n", theirs="- one\n- dos\n")],
    )


def test_deleting_what_the_other_side_edited_conflicts() -> None:
    ours = NOTES.replace("## Retries\n\nTasks retry three times.\n\n", "")
    theirs = NOTES.replace("three", "five")
    assert merge_three_way(NOTES, ours, theirs) == MergeResult(
        text=ours,
        # The whole deleted block conflicts: ours kept none of it, so nothing inside syncs.
        conflicts=[
            MergeConflict(
                start_line=7,
                base="## Retries\n\nTasks retry three times.\n\n",
                ours="",
                theirs="## Retries\n\nTasks retry five times.\n\n",
            )
        ],
    )


def test_a_windows_saved_edit_merges_with_a_unix_edit() -> None:
    ours = NOTES.replace("Use flower.", "Use flower on port 5555.")
    theirs = NOTES.replace("three", "five").replace("\n", "\r\n")
    assert merge_three_way(NOTES, ours, theirs) == MergeResult(text=ours.replace("three", "five"), conflicts=[])


def test_appending_to_a_text_without_final_newline_does_not_touch_its_last_line() -> None:
    # Browsers submit textareas without a final newline: appending must not conflict
    # with an edit elsewhere, and two appends conflict only on what they add.
    assert merge_three_way("a\nb", "A\nb", "a\nb\nc") == MergeResult(text="A\nb\nc", conflicts=[])
    assert merge_three_way("a\nb", "a\nb\nc", "a\nb\nd") == MergeResult(
        text="a\nb\nc", conflicts=[MergeConflict(start_line=3, base="", ours="c", theirs="d")]
    )


def test_the_final_newline_merges_like_a_line() -> None:
    # Only theirs dropped it: taken. Only ours added it: kept.
    assert merge_three_way("a\nb\n", "A\nb\n", "a\nb") == MergeResult(text="A\nb", conflicts=[])
    assert merge_three_way("a\nb", "a\nb\n", "a\nB") == MergeResult(text="a\nB\n", conflicts=[])


def test_a_conflict_at_the_end_keeps_ours_final_newline() -> None:
    assert merge_three_way("a\n", "b\n", "c") == MergeResult(
        text="b\n", conflicts=[MergeConflict(start_line=1, base="a\n", ours="b\n", theirs="c")]
    )


def test_merging_empty_texts() -> None:
    assert merge_three_way("", "", "") == MergeResult(text="", conflicts=[])
    assert merge_three_way("", "", "new") == MergeResult(text="new", conflicts=[])
    assert merge_three_way("gone\n", "gone\n", "") == MergeResult(text="", conflicts=[])
    assert merge_three_way("", "a\n", "b\n") == MergeResult(
        text="a\n", conflicts=[MergeConflict(start_line=1, base="", ours="a\n", theirs="b\n")]
    )


# --- Properties ----------------------------------------------------------------------------

# Few distinct lines make changes collide often; free text finds odd characters and endings.
markdown_lines = st.sampled_from(
    ["## Setup\n", "Install it.\n", "\n", "- one\n", "- two\n", "<b>&amp;</b>\n", "x", "\r\n", "tail\r", "é\x85\n"]
)
texts = st.one_of(st.lists(markdown_lines, max_size=12).map("".join), st.text(max_size=60))


@given(base=texts, ours=texts)
def test_merging_an_unchanged_theirs_gives_ours(base: str, ours: str) -> None:
    assert merge_three_way(base, ours, base) == MergeResult(text=with_unix_newlines(ours), conflicts=[])


@given(base=texts, theirs=texts)
def test_merging_into_an_unchanged_ours_gives_theirs(base: str, theirs: str) -> None:
    assert merge_three_way(base, base, theirs) == MergeResult(text=with_unix_newlines(theirs), conflicts=[])


@given(base=texts, edited=texts)
def test_merging_the_same_edit_twice_gives_it_once(base: str, edited: str) -> None:
    assert merge_three_way(base, edited, edited) == MergeResult(text=with_unix_newlines(edited), conflicts=[])


@given(base=texts, ours=texts, theirs=texts)
def test_a_conflict_region_of_the_merged_text_is_ours(base: str, ours: str, theirs: str) -> None:
    result = merge_three_way(base, ours, theirs)
    assert result.clean == (result.conflicts == [])
    for conflict in result.conflicts:
        assert conflict.ours != conflict.theirs
        lines_before = result.text.split("\n")[: conflict.start_line - 1]
        start = sum(len(line) + 1 for line in lines_before)
        assert result.text[start : start + len(conflict.ours)] == conflict.ours


@given(old=texts, new=texts)
def test_side_by_side_rows_reproduce_both_texts(old: str, new: str) -> None:
    rows = diff_side_by_side(old, new)
    assert side_text(rows, "old") == with_unix_newlines(old)
    assert side_text(rows, "new") == with_unix_newlines(new)
    old_numbers = [row.old_number for row in rows if row.old_number is not None]
    new_numbers = [row.new_number for row in rows if row.new_number is not None]
    assert old_numbers == list(range(1, len(old_numbers) + 1))
    assert new_numbers == list(range(1, len(new_numbers) + 1))
    # The stats count the same rows the page shows.
    assert diff_stats(old, new) == DiffStats(
        added=sum(row.kind in ("insert", "replace") for row in rows),
        removed=sum(row.kind in ("delete", "replace") for row in rows),
    )

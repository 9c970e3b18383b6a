"""The README reader on its own (no database): decoding, structure traps, the six families
of challenge/solution pairs, list items as entries, and coverage of every line.
Fixture text is ours, written in the shapes README-FORMATS.md describes."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from nexus.interchange.errors import ReadmeUnreadable
from nexus.interchange.readme.decoding import readme_decode
from nexus.interchange.readme.outline import heading_key, section_meaning
from nexus.interchange.readme.plan import readme_plan

SAMPLES = Path(__file__).resolve().parents[4] / "shared" / "samples" / "readmes"


def kinds_and_titles(text: str) -> list[tuple[str, str]]:
    return [(entry.kind, entry.title) for entry in readme_plan(text).entries]


def challenges(text: str) -> list[tuple[str, str, str]]:
    return [(e.title, e.problem, e.solution) for e in readme_plan(text).entries if e.kind == "challenge"]


# --- decoding ------------------------------------------------------------------------------


def test_utf8_with_bom_and_utf16_both_byte_orders_decode_and_say_so() -> None:
    text = "# Notes\n\nCafé – déjà vu 🚀\n"
    assert readme_decode(text.encode("utf-8")).text == text
    with_bom = readme_decode(codecs.BOM_UTF8 + text.encode("utf-8"))
    assert with_bom.text == text
    assert "byte-order mark" in with_bom.repairs[0]
    for encoding in ("utf-16-le", "utf-16-be"):
        assert readme_decode(text.encode(encoding)).text == text  # a shell redirect, no BOM
    assert readme_decode(text.encode("utf-16")).text == text  # with its BOM


def test_mojibake_from_windows_1252_and_mac_roman_is_repaired_and_reported() -> None:
    original = "# My hub 🚀\n\n- **Python** – the language I used most\n- **Redis** – caching\n"
    for codepage in ("cp1252", "mac_roman"):
        broken = original.encode("utf-8").decode(codepage, errors="ignore")
        decoded = readme_decode(broken.encode("utf-8"))
        assert decoded.text == original, codepage
        assert any("mojibake" in repair for repair in decoded.repairs)


def test_curly_quotes_and_ligatures_are_left_as_written() -> None:
    text = "It’s “fine” — ﬁne.\n"
    assert readme_decode(text.encode()).text == text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (bytes(range(256)) * 40, "binary"),
        (b"\x89PNG\r\n\x1a\n" + bytes(4000), "binary"),
    ],
)
def test_empty_and_binary_files_are_refused_with_a_reason(data: bytes, message: str) -> None:
    with pytest.raises(ReadmeUnreadable, match=message):
        readme_decode(data)


def test_windows_line_endings_become_newlines() -> None:
    assert readme_decode(b"# A\r\n\r\ntext\r\n").text == "# A\n\ntext\n"


# --- headings and structure ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("### 1. **Database Design**", "database design"),
        ("## 🧑‍💻 Challenges & Solutions:", "challenges and solutions"),
        ("##  ⚙️ CI/CD Workflow", "ci cd workflow"),
        ("## Key\u2011Technologies", "key-technologies"),
    ],
)
def test_heading_keys_drop_decoration_for_matching(heading: str, key: str) -> None:
    assert heading_key(heading.lstrip("# ")) == key


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Key Technologies Covered", "technology"),
        ("The Tech Stack I Got Comfortable With", "technology"),
        ("Important Backend Development Concepts", "concept"),
        ("Some Real Problems I Had to Solve", "challenge"),
        ("Best Practices & Takeaways", "best-practice"),
        ("What I'd Do Differently", "takeaway"),
        ("Looking Back", "takeaway"),
        ("Week-by-Week Highlights", "weekly-highlight"),
        ("Major Learnings", "learnings"),
        ("Table of Contents", "contents"),
    ],
)
def test_heading_texts_name_their_kind(heading: str, kind: str) -> None:
    meaning = section_meaning(heading)
    assert meaning is not None
    assert meaning.kind == kind


def test_comment_lines_inside_code_fences_are_never_headings() -> None:
    text = "# Hub\n\n## Setup\n\n```bash\n# install the tools\npip install django\n# run it\n```\n"
    plan = readme_plan(text)
    assert [e.title for e in plan.entries] == ["Setup"]
    assert "# install the tools" in plan.entries[0].body


def test_an_unclosed_fence_is_closed_at_the_end_with_a_warning() -> None:
    text = "# Hub\n\n## Notes\n\n```python\nprint('hi')\n## not a heading\n"
    plan = readme_plan(text)
    assert [e.title for e in plan.entries] == ["Notes"]
    assert any("never closed" in message for _, message in plan.warnings)
    assert plan.coverage.percent == 100.0


def test_setext_traps_merge_marker_and_rule_under_a_sentence_are_not_headings() -> None:
    text = "# Hub\n\n## Notes\n\nsome text left by a merge\n=======\n\nA whole sentence that goes on.\n---\n"
    plan = readme_plan(text)
    assert [e.title for e in plan.entries] == ["Notes"]
    assert "=======" in plan.entries[0].body


def test_hash_word_without_space_and_heading_in_a_list_item() -> None:
    text = "# Hub\n\n#NotAHeading here\n\n- ## Challenges and Solutions\n- **Slow feed:** added an index\n"
    plan = readme_plan(text)
    assert "#NotAHeading here" in plan.intro
    assert [(e.kind, e.title, e.solution) for e in plan.entries] == [("challenge", "Slow feed", "added an index")]


def test_unfenced_graphql_comments_are_not_headings() -> None:
    text = "# Hub\n\n## Queries\n\nquery {\n# fetch the first user\n  user(id: 1) { name }\n}\n"
    plan = readme_plan(text)
    assert [e.title for e in plan.entries] == ["Queries"]


def test_plain_text_title_lines_in_a_file_without_headings() -> None:
    text = (
        "My Project Nexus\n\nNotes from the backend program.\n\n"
        "Key Technologies\n\n- Django: the web framework\n- Celery: background jobs\n\n"
        "Challenges\n\nChallenge: slow pages\nSolution: cached the hub page\n"
    )
    plan = readme_plan(text)
    assert plan.title == "My Project Nexus"
    assert ("technology", "Django") in [(e.kind, e.title) for e in plan.entries]
    assert [(e.problem, e.solution) for e in plan.entries if e.kind == "challenge"] == [
        ("slow pages", "cached the hub page")
    ]


def test_emoji_bold_numbering_and_colons_are_matched_but_titles_keep_what_was_written() -> None:
    text = "# Hub\n\n## 👩🏽‍💻 **Key Technologies:**\n\n### 1. **Django**\n\nThe framework.\n"
    plan = readme_plan(text)
    assert [(e.kind, e.title) for e in plan.entries] == [("technology", "1. Django")]


def test_first_h1_and_its_text_become_the_hub_title_and_intro() -> None:
    text = '<div align="center">badges</div>\n\n# 🚀 Amara\'s Nexus\n\nWhat I learned.\n\n## Notes\n\nx\n'
    plan = readme_plan(text)
    assert plan.title == "🚀 Amara's Nexus"
    assert "badges" in plan.intro
    assert "What I learned." in plan.intro


def test_two_documents_pasted_one_after_the_other_keep_the_second() -> None:
    text = "# Nexus\n\n## Takeaways\n\nShip small.\n\n# Movie API\n\n## Setup\n\nmake run\n"
    plan = readme_plan(text)
    assert ("takeaway", "Takeaways") in [(e.kind, e.title) for e in plan.entries]
    assert "make run" in "".join(e.body for e in plan.entries)
    assert plan.coverage.percent == 100.0


# --- list items as entries ------------------------------------------------------------------


def test_technology_items_with_a_name_and_description_become_one_entry_each() -> None:
    text = (
        "# Hub\n\n## Key Technologies\n\nWhat I used:\n\n"
        "- **Django** – views, models and the admin\n- **Redis**: the cache\n- PostgreSQL - the database\n"
    )
    plan = readme_plan(text)
    technologies = [(e.title, e.body) for e in plan.entries if e.kind == "technology"]
    assert technologies == [
        ("Django", "views, models and the admin"),
        ("Redis", "the cache"),
        ("PostgreSQL", "the database"),
    ]
    assert [e.body for e in plan.entries if e.kind == "note"] == ["What I used:"]


def test_a_list_of_bare_names_stays_one_entry() -> None:
    assert kinds_and_titles("# Hub\n\n## Tech Stack\n\n- Python\n- Django\n- Docker\n") == [
        ("technology", "Tech Stack")
    ]


def test_weekly_items_carry_their_week_number() -> None:
    text = "# Hub\n\n## Timeline\n\n- **Week 1:** setup\n- **Week 2–3:** models and APIs\n"
    plan = readme_plan(text)
    assert [(e.kind, e.title, e.week) for e in plan.entries] == [
        ("weekly-highlight", "Week 1", 1),
        ("weekly-highlight", "Week 2–3", 2),
    ]


def test_check_mark_lines_without_list_markers_are_items() -> None:
    text = "# Hub\n\n## Best Practices\n\n✅ **Small commits** keep reviews quick.  \n✅ **Tests first** catch regressions.\n"
    assert kinds_and_titles(text) == [("best-practice", "Small commits"), ("best-practice", "Tests first")]


# --- the six families of challenge / solution pairs --------------------------------------------


def test_family_1_tables_with_two_and_three_columns() -> None:
    two = "# Hub\n\n## Challenges\n\n| Challenge | Solution |\n|---|---|\n| **Slow feed** | An index on created_at |\n"
    assert challenges(two) == [("Slow feed", "**Slow feed**", "An index on created_at")]
    three = (
        "# Hub\n\n## Challenges\n\n| 🧗 Challenge | Description | Solution Implemented |\n|---|---|---|\n"
        "| Token expiry | Users were logged out hourly | Refresh rotation |\n"
    )
    assert challenges(three) == [("Token expiry", "Users were logged out hourly", "Refresh rotation")]


def test_family_2_a_heading_per_challenge_with_labelled_paragraphs() -> None:
    text = (
        "# Hub\n\n## Challenges Faced\n\n### Challenge 1: Slow queries\n\n**Problem**: the feed took 3 s.\n\n"
        "**Solution**: `select_related` on the author.\n\n```python\nposts.select_related('author')\n```\n\n"
        "#### 2. **Flaky tests**\n\n**Issue:** random order.\n**Fix:** fixed seeds.\n"
    )
    found = challenges(text)
    assert [title for title, _, _ in found] == ["Challenge 1: Slow queries", "2. Flaky tests"]
    assert found[0][1] == "the feed took 3 s."
    assert "select_related" in found[0][2]
    assert "posts.select_related" in found[0][2]
    assert found[1][1:] == ("random order.", "fixed seeds.")


def test_family_3_bullets_with_inline_labels_hard_breaks_and_nesting() -> None:
    text = (
        "# Hub\n\n## Challenges & Solutions\n\n"
        "- **Challenge:** CORS errors from the frontend  \n  **Solution:** django-cors-headers with an allow list\n"
        "- *Problem*: migrations clashed\\\n  *Fix*: squashed them\n"
        "- **Issue**: emails blocked requests\n  - **Solution**: sent them from Celery\n"
        "1. **Rate limiting**\n   - Challenge: bots hammered login\n   - **Key Fix:** a throttle per IP\n"
    )
    assert challenges(text) == [
        ("CORS errors from the frontend", "CORS errors from the frontend", "django-cors-headers with an allow list"),
        ("migrations clashed", "migrations clashed", "squashed them"),
        ("emails blocked requests", "emails blocked requests", "sent them from Celery"),
        ("Rate limiting", "bots hammered login", "a throttle per IP"),
    ]


def test_family_4_plain_labelled_lines_one_or_two_lines_with_a_third_label() -> None:
    text = (
        "# Hub\n\n## Obstacles\n\nChallenge: Docker images were 2 GB\nSolution: a slim base image\nTools: dive\n\n"
        "Challenge:no space after the colon Solution: still read\n"
    )
    found = challenges(text)
    assert found[0][:2] == ("Docker images were 2 GB", "Docker images were 2 GB")
    assert found[0][2] == "a slim base image\nTools: dive"
    assert found[1][1:] == ("no space after the colon", "still read")


def test_family_5_title_and_solution_in_one_bullet() -> None:
    text = "# Hub\n\n## Challenges\n\n- **N+1 Query Issues:** Refactored ORM queries with select_related\n"
    assert challenges(text) == [("N+1 Query Issues", "", "Refactored ORM queries with select_related")]


def test_family_6_prose_and_challenges_without_solutions() -> None:
    text = (
        "# Hub\n\n## Challenges\n\n### Deploying\n\nThe app crashed on boot in production.\n\n"
        "To overcome this, I added a health check and read settings from the environment.\n\n"
        "### Async\n\nI never understood event loops.\n"
    )
    found = challenges(text)
    assert found[0] == (
        "Deploying",
        "The app crashed on boot in production.",
        "To overcome this, I added a health check and read settings from the environment.",
    )
    assert found[1] == ("Async", "I never understood event loops.", "")  # an open challenge


def test_a_separate_solution_bullet_joins_the_challenge_before_it() -> None:
    text = "# Hub\n\n## Challenges\n\n- **Challenge**: slow CI\n- **Solution**: cached pip\n"
    assert challenges(text) == [("slow CI", "slow CI", "cached pip")]


# --- coverage --------------------------------------------------------------------------------


def test_every_line_is_placed_once() -> None:
    text = (
        "[![ci](https://example.test/badge.svg)](https://example.test)\n\n# Hub\n\nIntro.\n\n---\n\n"
        "## Table of Contents\n\n- [Tech](#tech)\n\n## Major Learnings\n\n### Key Technologies\n\n"
        "- **Django** – the framework\n- **DRF** – the API layer\n\n### Concepts\n\nCaching, queues.\n\n"
        "## Challenges\n\n| Challenge | Solution |\n|---|---|\n| a | b |\n\n## Random\n\n<!-- a comment -->\n\n"
        "## Empty\n\n## Collaboration\n\nOn Discord.\n"
    )
    plan = readme_plan(text)
    assert plan.coverage.percent == 100.0, plan.coverage.unplaced
    assert plan.coverage.unplaced == []


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is not beside the project")
def test_the_real_samples_are_covered_whole_and_typed() -> None:
    for path in sorted(SAMPLES.glob("*.md")):
        decoded = readme_decode(path.read_bytes())
        plan = readme_plan(decoded.text)
        assert plan.coverage.percent == 100.0, (path.name, plan.coverage.unplaced)
        kinds = {entry.kind for entry in plan.entries}
        assert {"technology", "challenge"} <= kinds, path.name
        assert "Ã" not in decoded.text
        assert "â€" not in decoded.text
        assert "üõ" not in decoded.text


# --- bounded on hostile input -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "x" * 1_000_000,
        "".join(f"## Heading {n}\n" for n in range(10_000)),
        "".join("  " * depth + "- item\n" for depth in range(500)),
        "<div>\n" * 20_000,
        "`" * 100_000,
        "**" * 200_000,
    ],
    ids=["one-1MB-line", "10k-headings", "deep-lists", "html-only", "backticks", "emphasis"],
)
def test_pathological_files_are_planned_whole(text: str) -> None:
    # How long they take is measured by `make bench` (bench/readme.py), never asserted here.
    plan = readme_plan(text)
    assert plan.coverage.percent == 100.0 or plan.coverage.unplaced

"""{% url %} answers from its memo exactly what Django's reverse() answers: the same URL for
the same arguments, a different one under another script prefix or URLconf, the same
errors, and arguments that are equal but not alike (1 and True) kept apart."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix

from nexus.core.templatetags import url_memo

pytestmark = pytest.mark.urls("nexus.core.tests.url_memo_urls")


def render(source: str, **context: Any) -> str:
    return Template(source).render(Context(context))


def test_it_renders_what_reverse_answers_and_reverses_each_url_once(monkeypatch: pytest.MonkeyPatch) -> None:
    url_memo._reversed.cache_clear()
    calls: list[str] = []
    real_reverse = url_memo.reverse

    def counting_reverse(view_name: str, **kwargs: Any) -> str:
        calls.append(view_name)
        return real_reverse(view_name, **kwargs)

    monkeypatch.setattr(url_memo, "reverse", counting_reverse)
    source = "{% url 'home' %} {% url 'item' pk %} {% url 'word' word=w %} {% url 'members:detail' 'a b' %}"
    expected = " ".join(
        [reverse("home"), reverse("item", args=[7]), reverse("word", kwargs={"word": "x"}), "/members/a%20b/"]
    )
    assert render(source, pk=7, w="x") == expected
    assert render(source, pk=7, w="x") == expected
    assert calls == ["home", "item", "word", "members:detail"]  # the second render reversed nothing


def test_equal_arguments_of_different_types_are_different_urls() -> None:
    assert render("{% url 'word' flag %}|{% url 'word' one %}", flag=True, one=1) == "/words/True/|/words/1/"


def test_another_script_prefix_is_another_url() -> None:
    assert render("{% url 'home' %}") == "/"
    set_script_prefix("/nexus/")
    try:
        assert render("{% url 'item' 3 %}") == "/nexus/items/3/"
    finally:
        set_script_prefix("/")
    assert render("{% url 'item' 3 %}") == "/items/3/"


@override_settings(ROOT_URLCONF="nexus.core.tests.url_memo_urls")
def test_another_urlconf_is_another_scope() -> None:
    with_root = url_memo.reversal_scope()
    with override_settings(ROOT_URLCONF="nexus.urls"):
        assert url_memo.reversal_scope() != with_root


def test_unknown_names_fail_as_django_fails_and_as_var_swallows_it() -> None:
    with pytest.raises(NoReverseMatch):
        render("{% url 'nowhere' %}")
    with pytest.raises(NoReverseMatch):
        render("{% url 'item' 'not-a-number' %}")
    assert render("{% url 'nowhere' as link %}[{{ link }}]") == "[]"
    assert render("{% url 'item' 5 as link %}[{{ link }}]") == "[/items/5/]"


def test_unhashable_arguments_are_reversed_without_the_memo() -> None:
    assert render("{% url 'word' words %}", words=["a"]) == "/words/%5B&#x27;a&#x27;%5D/"


def test_output_is_escaped_unless_autoescape_is_off() -> None:
    source = "{% url 'word' w %}"
    assert render(source, w="<b>") == "/words/%3Cb%3E/"
    assert render("{% autoescape off %}" + source + "{% endautoescape %}", w="a&b") == "/words/a&b/"
    assert render(source, w="a&b") == "/words/a&amp;b/"

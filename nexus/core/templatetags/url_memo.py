"""The {% url %} tag with its reversals memoised for the life of the process.

A page reverses the same few dozen names on every request (the top bar alone has eleven),
and each of Django's reversals costs about 35 us: the regex substitution, the quoting and
two context-local lookups. On an entry page that was 40 % of the render. Installed as a
template builtin (settings TEMPLATES), this tag takes the place of Django's own in every
template, with the same syntax, output and errors; only a successful reversal is kept.
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.template import Context, Library, Node, defaulttags
from django.template.base import Parser, Token
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = Library()
_SCOPE_KEY = "nexus.url_memo.scope"


@functools.lru_cache(maxsize=8192)
def _reversed(
    view_name: str, args: tuple[Any, ...], kwargs: tuple[Any, ...], current_app: str | None, *scope: Any
) -> str:
    # `scope` (reversal_scope()) only keys the memo: the same reversal under another
    # URLconf, script prefix or language is another URL.
    return reverse(
        view_name,
        args=[value for _, value in args],
        kwargs={name: value for name, _, value in kwargs},
        current_app=current_app,
    )


def reverse_memoised(
    view_name: str, args: list[Any], kwargs: dict[str, Any], current_app: str | None, scope: tuple[Any, ...]
) -> str:
    """reverse(), answered from the memo when these arguments were reversed before in this
    scope. Each argument is keyed with its type: 1 and True are equal keys but different URLs."""
    try:
        key_args = tuple((type(value), value) for value in args)
        key_kwargs = tuple(sorted((name, type(value), value) for name, value in kwargs.items()))
        return _reversed(view_name, key_args, key_kwargs, current_app, *scope)
    except TypeError:  # an unhashable argument: reversed as it comes, not kept
        return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)


def reversal_scope() -> tuple[Any, ...]:
    """What else reverse() reads: the URLconf, the script prefix and the language."""
    return (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), get_language())


def _render_scope(context: Context) -> tuple[Any, ...]:
    # Read once per render: the three are context-local lookups, each about as dear as a
    # memo hit, and none changes while a template renders.
    scope = context.render_context.get(_SCOPE_KEY)
    if scope is None:
        scope = context.render_context[_SCOPE_KEY] = reversal_scope()
    return scope


def _current_app(context: Context) -> str | None:
    """The namespace instance reversals prefer, as Django's URLNode finds it."""
    request = getattr(context, "request", None)
    if hasattr(request, "current_app"):
        return request.current_app  # type: ignore[union-attr]
    return getattr(getattr(request, "resolver_match", None), "namespace", None)


class MemoisedURLNode(defaulttags.URLNode):
    """Django's URLNode, reversing through the memo."""

    def render(self, context: Context) -> str:
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {name: value.resolve(context) for name, value in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        url = ""
        try:
            url = reverse_memoised(view_name, args, kwargs, _current_app(context), _render_scope(context))
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser: Parser, token: Token) -> Node:
    """{% url %}, parsed by Django's own tag."""
    node = defaulttags.url(parser, token)
    return MemoisedURLNode(node.view_name, node.args, node.kwargs, node.asvar)

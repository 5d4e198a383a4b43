"""`{% frozen %}`: a part of a template that is the same on every request, rendered once per
process.

Every page's chrome (the quick exit strip, the menu, the footer, the idle warning's words)
is dozens of `{% url %}`, `{% static %}` and `{% translate %}` tags that give the same text on
every request, yet rendering them cost more than a whole minimal page. Inside

    {% frozen role=user.role %} ... {% endfrozen %}

the tags are rendered once for each language (and URLconf) and each value of what the block
varies on, and kept in this process's memory. The block sees nothing of the page's context
but those values: no request, no user, no CSRF token (`{% csrf_token %}` inside renders
nothing, and a test checks no frozen block holds one, a form or names the viewer), so nothing
personal can be kept. Varied values must be plain (str, int, bool or None). With DEBUG on,
blocks are rendered every time, so edits to a template show at once.

Unlike `{% cache %}`, nothing travels to Redis and there is nothing to invalidate: the text
changes only with a deploy, which starts new processes.
"""

from __future__ import annotations

import itertools

from django import template
from django.conf import settings
from django.template import Context
from django.template.base import FilterExpression, Node, NodeList
from django.template.loader_tags import BlockNode
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

PLAIN = (str, int, bool, type(None))
# Each block has a handful of variants (languages × roles); the bound only guards against a
# block varied on something with many values by mistake.
MAX_KEPT = 2000
_kept: dict[tuple, SafeString] = {}
_serials = itertools.count()


def forget() -> None:
    """Drop every kept block (tests that change URLs or templates)."""
    _kept.clear()


class FrozenNode(Node):
    def __init__(self, nodelist: NodeList, vary: dict[str, FilterExpression]):
        self.nodelist = nodelist
        self.vary = vary
        # Each parsed block its own number for the life of the process (an id() could be
        # reused by another block once a template is dropped).
        self.serial = next(_serials)

    def _values(self, context) -> tuple:
        values = []
        for name, expression in self.vary.items():
            value = expression.resolve(context)
            if not isinstance(value, PLAIN):
                raise template.TemplateSyntaxError(
                    f"frozen: {name} must be a str, int, bool or None, not {type(value).__name__}"
                )
            values.append((name, value))
        return tuple(values)

    def _render(self, context, values: tuple) -> SafeString:
        # A fresh plain Context holding the varied values only: no request attribute for a tag
        # to reach through, no render context shared with the page (so no {% block %}). The
        # template is kept, so includes still load.
        fresh = Context(
            dict(values),
            autoescape=context.autoescape,
            use_l10n=context.use_l10n,
            use_tz=context.use_tz,
        )
        fresh.template = context.template
        return mark_safe(self.nodelist.render(fresh))  # noqa: S308 - rendered by the template engine, escaped there

    def render(self, context):
        values = self._values(context)
        if settings.DEBUG:
            return self._render(context, values)
        urlconf = get_urlconf() or settings.ROOT_URLCONF
        key = (self.serial, get_language(), urlconf, get_script_prefix(), values)
        kept = _kept.get(key)
        if kept is None:
            kept = self._render(context, values)
            if len(_kept) >= MAX_KEPT:
                _kept.clear()
            _kept[key] = kept
        return kept


@register.tag
def frozen(parser, token):
    """{% frozen [name=value ...] %} ... {% endfrozen %}"""
    bits = token.split_contents()[1:]
    vary: dict[str, FilterExpression] = {}
    for bit in bits:
        name, sep, value = bit.partition("=")
        if not sep or not name.isidentifier() or name in vary:
            raise template.TemplateSyntaxError(
                f"frozen takes name=value arguments, each name once; got {bit!r}"
            )
        vary[name] = parser.compile_filter(value)
    nodelist = parser.parse(("endfrozen",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(BlockNode):
        raise template.TemplateSyntaxError(
            "frozen blocks cannot hold a {% block %}: a child template fills it per page"
        )
    return FrozenNode(nodelist, vary)

"""`{% frozen %}`: the chrome every page shares is rendered once per process, and a frozen block
can never keep anything of one viewer's for the next."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import TemplateSyntaxError, engines
from django.test import override_settings
from django.urls import reverse

from peersupport.platform.templatetags import frozen

from ..factories import UserFactory


@pytest.fixture(autouse=True)
def _fresh():
    frozen.forget()
    yield
    frozen.forget()


def _template(text: str):
    return engines["django"].from_string("{% load frozen %}" + text)


def test_a_block_is_rendered_once_and_sees_only_what_it_varies_on():
    template = _template(
        "{% frozen role=role %}[{{ role }}|{{ name }}|{% url 'help' %}]{% endfrozen %}"
    )
    help_url = reverse("help")
    assert template.render({"role": "survivor", "name": "Sam"}) == f"[survivor||{help_url}]"
    # Kept: the same text whatever else the context holds.
    kept = template.render({"role": "survivor", "name": "Alex"})
    assert kept == f"[survivor||{help_url}]"
    assert len(frozen._kept) == 1
    # Another value of what it varies on is another text.
    assert template.render({"role": "supporter"}) == f"[supporter||{help_url}]"
    assert len(frozen._kept) == 2


def test_the_csrf_token_never_enters_a_block():
    template = _template("{% frozen %}<form>{% csrf_token %}</form>{% endfrozen %}")
    assert template.render({"csrf_token": "secret-token"}) == "<form></form>"


@override_settings(DEBUG=True)
def test_with_debug_on_blocks_are_rendered_every_time():
    template = _template("{% frozen n=n %}{{ n }}{% endfrozen %}")
    assert template.render({"n": 1}) == "1"
    assert frozen._kept == {}


def test_only_plain_values_can_be_varied_on():
    template = _template("{% frozen who=user %}x{% endfrozen %}")
    with pytest.raises(TemplateSyntaxError, match="must be a str"):
        template.render({"user": UserFactory.build()})


@pytest.mark.parametrize(
    "text",
    [
        "{% frozen role %}x{% endfrozen %}",
        "{% frozen a=1 a=2 %}x{% endfrozen %}",
        "{% frozen %}{% block b %}x{% endblock %}{% endfrozen %}",
    ],
)
def test_arguments_are_name_value_each_name_once(text):
    with pytest.raises(TemplateSyntaxError, match="name=value|block"):
        _template(text)


# -- every frozen block in the project ------------------------------------------------------------

TEMPLATES_DIR = Path(settings.TEMPLATES[0]["DIRS"][0])
BLOCK = re.compile(r"{%\s*frozen\b(?P<vary>[^%]*)%}(?P<body>.*?){%\s*endfrozen\s*%}", re.S)
INCLUDE = re.compile(r"""{%\s*include\s+["']([^"']+)["']""")
TAG = re.compile(r"{[{%](.*?)[}%]}", re.S)
COMMENT = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S)
# What a page knows of its viewer. A block that names one of these would read nothing (it
# sees only what it varies on) and show the same to everyone: vary on it instead.
PERSONAL = re.compile(r"\b(request|user|csrf_token|messages|perms|unread_count|idle_\w+)\b")


def _with_includes(body: str, seen: set[str]) -> str:
    text = COMMENT.sub("", body)
    for name in INCLUDE.findall(text):
        if name not in seen:
            seen.add(name)
            text += _with_includes((TEMPLATES_DIR / name).read_text(), seen)
    return text


def _frozen_blocks() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted(TEMPLATES_DIR.rglob("*.html")):
        for match in BLOCK.finditer(COMMENT.sub("", path.read_text())):
            name = str(path.relative_to(TEMPLATES_DIR))
            found.append((name, match["vary"], _with_includes(match["body"], set())))
    return found


def test_the_pages_chrome_is_frozen():
    names = {name for name, _vary, _body in _frozen_blocks()}
    assert {"base.html", "team/base.html", "includes/idle_timeout_dialog.html"} <= names


def test_no_frozen_block_reads_anything_of_the_viewers():
    blocks = _frozen_blocks()
    assert len(blocks) >= 10
    for name, _vary, body in blocks:
        assert "csrf_token" not in body, name
        assert "<form" not in body and "</form>" not in body, f"{name}: a form in a frozen block"
        for tag in TAG.findall(body):
            assert not PERSONAL.search(tag), f"{name}: a frozen block reads {tag.strip()!r}"


def test_the_scan_sees_a_block_that_reads_the_viewer(tmp_path):
    """The check above can fail: a block naming the user is caught."""
    body = _with_includes(
        '<b>{{ user.display_name }}</b>{% include "includes/role_nav.html" %}', set()
    )
    assert any(PERSONAL.search(tag) for tag in TAG.findall(body))
    assert not any(
        PERSONAL.search(tag)
        for tag in TAG.findall(_with_includes('{% include "includes/role_nav.html" %}', set()))
    )


@pytest.mark.django_db
def test_two_people_see_their_own_token_and_badge_around_the_same_chrome(client):
    survivor, supporter = UserFactory(role="survivor"), UserFactory(role="supporter")
    client.force_login(survivor)
    first = client.get(reverse("profile")).content.decode()
    client.force_login(supporter)
    second = client.get(reverse("profile")).content.decode()
    assert reverse("agreements:acknowledge") in first
    assert reverse("care:debriefs") not in first  # the survivor's menu
    assert reverse("care:debriefs") in second  # the supporter's menu
    token = 'name="csrfmiddlewaretoken" value="'
    first_tokens = {part.split('"')[0] for part in first.split(token)[1:]}
    second_tokens = {part.split('"')[0] for part in second.split(token)[1:]}
    assert first_tokens and second_tokens and not first_tokens & second_tokens

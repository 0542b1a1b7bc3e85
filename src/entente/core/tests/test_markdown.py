"""Markdown written by people becomes safe HTML: nothing a message says can run a script,
load an outside resource or inject markup."""

import re
from html.parser import HTMLParser

import pytest

from entente.core.markdown import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_SCHEMES,
    ALLOWED_TAGS,
    plain_excerpt,
    render,
)

ATTACKS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">clic</a>',
    "[clic](javascript:alert(1))",
    "[clic](JaVaScRiPt:alert(1))",
    "[clic](java&#x09;script:alert(1))",
    "[clic](vbscript:msgbox(1))",
    "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![image](javascript:alert(1))",
    '[clic](https://exemple.fr "titre" onmouseover="alert(1)")',
    "<iframe src=https://exemple.fr></iframe>",
    "<svg onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<<script>script>alert(1)<</script>/script>",
    "[x](<javascript:alert(1)>)",
]


class _Tags(HTMLParser):
    """Every tag and attribute of an HTML fragment, as a browser would read them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


def assert_harmless(html: str) -> None:
    """Only the allow-listed tags; no event handler, no style but table alignment; links only
    to the web, mail or phone."""
    for tag, attrs in tags_of(html):
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, (tag, name)
            if name == "href":
                # as a browser reads it: tabs and newlines dropped, then a scheme or none
                url = re.sub(r"[\t\n\r]", "", value or "").strip()
                scheme = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", url)
                assert scheme is None or scheme.group(1).lower() in ALLOWED_SCHEMES, value


@pytest.mark.parametrize("attack", ATTACKS)
def test_no_attack_survives_rendering(attack):
    html = render(attack)
    assert_harmless(html)
    assert not {tag for tag, _ in tags_of(html)} & {"script", "img", "iframe", "svg", "div"}


def test_raw_html_is_shown_as_text_not_interpreted():
    html = render("Bonjour <b>tout</b> le monde")
    assert "<b>" not in html
    assert "&lt;b&gt;tout&lt;/b&gt;" in html


def test_ordinary_markdown_is_kept():
    html = render("**gras** *italique* [lien](https://exemple.fr)\n\n- un\n- deux\n\n`code`")
    assert "<strong>gras</strong>" in html
    assert "<em>italique</em>" in html
    assert '<a href="https://exemple.fr" rel="noopener noreferrer">lien</a>' in html
    assert "<li>un</li>" in html
    assert "<code>code</code>" in html


def test_pictures_are_not_loaded_from_outside():
    assert "<img" not in render("![pisteur](https://pisteur.example/p.gif)")


def test_headings_can_be_shifted_under_the_page_headings():
    html = render("# Titre\n\n###### Petit", shift_headings=3)
    assert "<h4>Titre</h4>" in html
    assert "<h6>Petit</h6>" in html


def test_plain_excerpt_has_no_markup_and_is_cut():
    text = plain_excerpt("**Bonjour** _tout_ le monde " + "mot " * 100, length=50)
    assert text.startswith("Bonjour tout le monde mot")
    assert len(text) <= 50 and text.endswith("…")

"""Markdown is rendered, then sanitised: no script, no event handlers, no javascript: links."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from programmes.rendering import render_markdown

pytestmark = pytest.mark.programmes

HOSTILE = """## Breathing

Take **six** breaths.

<script>alert('x')</script>

[Click me](javascript:alert(1)) and [safe](https://nhs.example/help)

<a href="https://ok.example" onclick="steal()">link</a>
<img src="x" onerror="steal()">
<p onmouseover="steal()">hover</p>
<a href="JaVaScRiPt:alert(1)">sneaky</a>
<iframe src="https://evil.example"></iframe>
"""


def test_markdown_keeps_formatting_and_safe_links() -> None:
    html = render_markdown(HOSTILE)
    assert "<h2>Breathing</h2>" in html
    assert "<strong>six</strong>" in html
    assert 'href="https://nhs.example/help"' in html


def test_script_handlers_and_javascript_links_are_removed() -> None:
    html = render_markdown(HOSTILE).lower()
    assert "<script" not in html
    assert "alert(" not in html
    assert "onclick" not in html
    assert "onerror" not in html
    assert "onmouseover" not in html
    assert "javascript:" not in html
    assert "<iframe" not in html
    assert "<img" not in html


def test_template_filter_renders_sanitised_html() -> None:
    template = Template("{% load programmes_tags %}{{ text|markdown }}")
    html = template.render(Context({"text": "**kind** <script>x()</script>"}))
    assert "<strong>kind</strong>" in html
    assert "script" not in html


def test_a_text_rendered_again_comes_from_the_memo_and_is_the_same() -> None:
    render_markdown.cache_clear()
    first = render_markdown(HOSTILE)
    assert render_markdown(HOSTILE) == first
    assert render_markdown.cache_info().hits == 1
    assert render_markdown(HOSTILE + "\n\nMore.") != first  # another text is rendered afresh

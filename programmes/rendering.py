"""Markdown to safe HTML: render with Python-Markdown, then keep only harmless tags with nh3."""

from __future__ import annotations

from functools import lru_cache

import markdown as markdown_lib
import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "u", "blockquote", "code", "pre",
    "ul", "ol", "li", "h2", "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "td": set()}
# nh3 drops any link whose scheme is not listed (so javascript: and data: go).
ALLOWED_SCHEMES = {"http", "https", "mailto", "tel"}


# Memoised per process: the result depends on the text alone, and pages show the same few plan texts (aims,
# practices, guidance) on every visit; building a Markdown parser and cleaning is most of the run page's filters.
@lru_cache(maxsize=512)
def render_markdown(text: str) -> str:
    """Return sanitised HTML for ``text``: no script, no event handlers, no javascript: links."""
    if not text:
        return ""
    html = markdown_lib.markdown(text, extensions=["sane_lists", "tables"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer",
    )

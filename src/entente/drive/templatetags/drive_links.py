"""``{% links_panel node %}``: the « Liens publics » panel of an item, with its own data."""

from __future__ import annotations

from typing import Any

from django import template

from entente.drive.views_links import links_context

register = template.Library()


@register.inclusion_tag("drive/_links.html", takes_context=True)
def links_panel(context: template.Context, node: Any) -> dict:
    """The panel of ``node`` for the person viewing the page (empty when they may not share
    it); a form sent with errors (``link_form`` in the page's context) is shown again."""
    request = context["request"]
    data = links_context(request, node, form=context.get("link_form"))
    data["csrf_token"] = context.get("csrf_token")
    return data

"""Template filters of the sessions page: ``{{ session.user_agent|device }}``."""

from __future__ import annotations

from django import template

from entente.accounts.sessions import describe_user_agent

register = template.Library()


@register.filter
def device(user_agent: str) -> str:
    """The browser and system of a session in plain words ("Firefox sur Windows")."""
    return describe_user_agent(user_agent or "")

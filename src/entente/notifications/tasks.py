"""Background jobs of notifications: the e-mail of one notification, for people who want them
at once. Jobs take ids and are safe to run twice."""

from __future__ import annotations

from django_tasks import task


@task()
def send_notification_email(notification_id: int) -> None:
    """E-mail one notification (unless already sent, turned off since, or the person left)."""
    from entente.notifications import services

    services.send_email(notification_id)

"""Background jobs of the accounts app (they take ids and are safe to run twice)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from entente.accounts.models import User
from entente.accounts.tokens import invitation_token
from entente.core.mail import absolute_url, send_templated_mail


def invitation_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = invitation_token.make_token(user)
    return absolute_url(reverse("accounts:accept_invitation", args=[uid, token]))


@task()
def send_invitation_email(user_id: int, inviter_id: int | None) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).select_related("organisation").first()
    if user is None or not user.has_pending_invitation:
        return  # already accepted, deactivated or deleted: nothing to send
    inviter = User.objects.filter(pk=inviter_id).first() if inviter_id else None
    send_templated_mail(
        "invitation",
        user.email,
        {
            "person": user,
            "inviter": inviter,
            "link": invitation_link(user),
            "valid_days": settings.INVITATION_TIMEOUT_DAYS,
        },
    )

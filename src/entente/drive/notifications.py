"""E-mails of documents: telling a person that a folder or a file was shared with them."""

from __future__ import annotations

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from entente.core.mail import absolute_url, send_templated_mail
from entente.drive.models import Share, ShareRole
from entente.notifications.models import NotificationKind
from entente.notifications.services import wants_email


def role_meaning(role: str, is_folder: bool) -> Promise:
    """What ``role`` lets the person do with the item, in plain words (translated when the
    mail is rendered, in the recipient's language)."""
    if role == ShareRole.MANAGER:
        return _("l'ouvrir, le modifier et le partager à votre tour")
    if role == ShareRole.EDITOR:
        if is_folder:
            return _("l'ouvrir, modifier son contenu et y ajouter des documents")
        return _("l'ouvrir et le modifier")
    return _("l'ouvrir et le télécharger")


def item_url(share: Share) -> str:
    node = share.node
    name = "drive:folder" if node.is_folder else "drive:file"
    return absolute_url(reverse(name, args=[node.pk]))


def send_share_mail(share: Share) -> bool:
    """E-mail the person ``share`` is for: who shared what with them, with which right, and the
    link to it. False when there is nobody to tell (a share to a group, a space or an
    organisation; an inactive account; an item already deleted) or when the person wants no
    e-mail about shares (their notification preferences)."""
    person = share.user
    node = share.node
    if person is None or not person.is_active or not person.email or node.deleted_at:
        return False
    if not wants_email(person, NotificationKind.SHARE):
        return False  # the person chose the notification centre only, or no e-mail at all
    sharer = share.created_by
    send_templated_mail(
        "drive_share",
        person.email,
        {
            "person": person,
            "sharer": (sharer.get_full_name() or sharer.email) if sharer else "",
            "node": node,
            "is_folder": node.is_folder,
            "role": ShareRole(share.role).label,
            "role_meaning": role_meaning(share.role, node.is_folder),
            "link": item_url(share),
        },
    )
    return True

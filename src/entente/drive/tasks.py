"""Background jobs of documents: look at new content (antivirus, previews), tell people what
was shared with them. Jobs take ids and are safe to run twice."""

from __future__ import annotations

from django_tasks import task

from entente.drive.models import Node, Share


@task()
def process_content(node_id: int) -> None:
    """Scan a file's current content for viruses (quarantine if infected), then preview it."""
    from entente.drive import antivirus, previews

    node = Node.objects.filter(pk=node_id).select_related("current_version__blob").first()
    if node is None or node.current_version is None:
        return
    if not antivirus.scan_node(node):
        return
    previews.generate(node.current_version.blob, node.mime_type)


@task()
def notify_share(share_id: int) -> None:
    """E-mail a person something was shared with them (groups, spaces and organisations are
    told in the app)."""
    from entente.drive import notifications

    share = Share.objects.filter(pk=share_id).select_related("node", "user", "created_by").first()
    if share is None or share.user is None:
        return
    notifications.send_share_mail(share)

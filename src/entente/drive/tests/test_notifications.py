"""The e-mail telling a person something was shared with them: who, what, which right, the link
to the item; in French, as text and HTML; only to a person (groups, spaces, organisations are
told in the app)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from entente.core.mail import absolute_url
from entente.drive import notifications, services
from entente.drive.models import Share, ShareRole
from entente.drive.tests.factories import make_file, make_folder, root_of
from entente.spaces import services as spaces

pytestmark = pytest.mark.django_db


def test_sharing_a_folder_mails_the_person(agent, other_agent, django_capture_on_commit_callbacks):
    folder = make_folder(agent, root_of(agent), "Budget 2026")
    with django_capture_on_commit_callbacks(execute=True):
        services.share(agent, folder, other_agent, ShareRole.EDITOR, confirm_external=True)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [other_agent.email]
    assert message.subject == "Dossier partagé avec vous : Budget 2026"
    link = absolute_url(reverse("drive:folder", args=[folder.pk]))
    text = message.body
    assert "Bonjour Bernard," in text
    assert "Agnès Martin a partagé un dossier avec vous" in text
    assert "Budget 2026" in text
    assert "Votre droit : Modification" in text
    assert "y ajouter des documents" in text
    assert link in text
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    assert f'href="{link}"' in html
    assert "Ouvrir le dossier" in html
    assert 'lang="fr"' in html


def test_sharing_a_file_links_to_its_page(agent, other_agent):
    node = make_file(agent, root_of(agent), "Plan <local>.pdf", b"%PDF-1.4")
    share = services.share(agent, node, other_agent, ShareRole.READER, confirm_external=True)
    assert notifications.send_share_mail(share) is True
    message = mail.outbox[-1]
    assert message.subject == "Document partagé avec vous : Plan _local_.pdf"
    assert absolute_url(reverse("drive:file", args=[node.pk])) in message.body
    assert "Votre droit : Lecture (vous pouvez l'ouvrir et le télécharger)" in message.body
    html = message.alternatives[0][0]
    assert "Plan _local_.pdf" in html and "Ouvrir le document" in html


def test_the_html_mail_escapes_names(agent, other_agent):
    node = make_file(agent, root_of(agent), "note.txt")
    agent.first_name = "<b>Agnès</b>"
    agent.save(update_fields=["first_name"])
    share = services.share(agent, node, other_agent, ShareRole.READER, confirm_external=True)
    notifications.send_share_mail(share)
    html = mail.outbox[-1].alternatives[0][0]
    assert "<b>Agnès</b>" not in html
    assert "&lt;b&gt;Agnès&lt;/b&gt;" in html


def test_nobody_is_mailed_for_a_space_or_an_inactive_person(agent, other_agent):
    folder = make_folder(agent, root_of(agent), "Projet")
    space = spaces.create_space(agent, name="Projet commun")
    share = services.share(agent, folder, space, ShareRole.READER)
    assert notifications.send_share_mail(share) is False
    share = Share.objects.create(node=folder, user=other_agent, role=ShareRole.READER)
    other_agent.is_active = False
    other_agent.save(update_fields=["is_active"])
    assert notifications.send_share_mail(share) is False
    assert mail.outbox == []

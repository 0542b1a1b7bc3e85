"""vCard 4.0 of a person and of an organisation, checked by parsing them back."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from entente.accounts.tests.factories import UserFactory
from entente.core.testing import signed_in
from entente.directory import vcard
from entente.directory.tests.factories import ServiceFactory
from entente.organisations.models import DirectoryVisibility

pytestmark = pytest.mark.django_db


def unfold(body: str) -> list[str]:
    """RFC 6350 § 3.2: every line ends with CRLF; a CRLF followed by a space is removed."""
    assert body.endswith("\r\n")
    assert "\n" not in body.replace("\r\n", "")
    for line in body.split("\r\n"):
        assert len(line.encode()) <= 75, line
    return body.replace("\r\n ", "").split("\r\n")[:-1]


def _split(value: str, separator: str) -> list[str]:
    parts, current, escaped = [], "", False
    for char in value:
        if escaped:
            current += char
            escaped = False
        elif char == "\\":
            current += char
            escaped = True
        elif char == separator:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def unescape(value: str) -> str:
    out, chars = "", iter(value)
    for char in chars:
        if char == "\\":
            following = next(chars)
            out += "\n" if following in "nN" else following
        else:
            out += char
    return out


def parse(body: str) -> list[dict[str, list[str]]]:
    """The cards of ``body``: ``{"FN": ["Agnès Martin"], "ORG": ["Commune", "Service"]…}``."""
    cards: list[dict[str, list[str]]] = []
    for line in unfold(body):
        name_and_params, _, value = line.partition(":")
        name = name_and_params.split(";")[0].upper()
        if name == "BEGIN":
            cards.append({})
            continue
        if name == "END":
            continue
        cards[-1][name] = [unescape(part) for part in _split(value, ";")]
        cards[-1][f"{name}!params"] = name_and_params.split(";")[1:]
    return cards


@pytest.fixture
def tricky(org):
    direction = ServiceFactory(organisation=org, name="Direction; technique")
    service = ServiceFactory(organisation=org, parent=direction, name="Voirie, réseaux")
    return UserFactory(
        organisation=org,
        first_name="Anne-Sophie",
        last_name="D'Artagnan, \\ fils",
        email="anne.sophie@valmont.fr",
        phone="01 23 45 67 89",
        job_title="Cheffe de projet; études\nsuite",
        status="elu",
        mandate="Adjointe déléguée à l'éducation, à la jeunesse et aux sports de la commune "
        "de Valmont (mandat 2026-2032)",
        service=service,
    )


def test_a_person_card_round_trips(tricky):
    body = vcard.card(tricky)

    (card,) = parse(body)
    assert card["VERSION"] == ["4.0"]
    assert card["KIND"] == ["individual"]
    assert card["FN"] == ["Anne-Sophie D'Artagnan, \\ fils"]
    assert card["N"] == ["D'Artagnan, \\ fils", "Anne-Sophie", "", "", ""]
    assert card["EMAIL"] == ["anne.sophie@valmont.fr"]
    assert card["TEL"] == ["tel:+33123456789"]
    assert "VALUE=uri" in card["TEL!params"]
    assert card["ORG"] == ["Commune de Valmont", "Direction; technique", "Voirie, réseaux"]
    assert card["TITLE"] == ["Cheffe de projet; études\nsuite"]
    assert card["ROLE"][0].startswith("Adjointe déléguée à l'éducation, à la jeunesse")
    assert card["UID"][0].startswith("urn:uuid:")
    assert re.fullmatch(r"\d{8}T\d{6}Z", card["REV"][0])


def test_special_characters_are_escaped_on_the_wire(tricky):
    lines = unfold(vcard.card(tricky))

    assert r"FN:Anne-Sophie D'Artagnan\, \\ fils" in lines
    assert r"TITLE:Cheffe de projet\; études\nsuite" in lines
    assert r"ORG:Commune de Valmont;Direction\; technique;Voirie\, réseaux" in lines


def test_long_lines_are_folded_at_75_octets_without_cutting_a_character():
    line = "ROLE:" + "é" * 100
    folded = vcard.fold(line)

    chunks = folded.split("\r\n")
    assert len(chunks) > 2
    assert all(len(chunk.encode()) <= 75 for chunk in chunks)
    assert all(chunk.startswith(" ") for chunk in chunks[1:])
    assert "".join(chunk[1:] if i else chunk for i, chunk in enumerate(chunks)) == line


def test_the_uid_is_stable(agent):
    assert vcard.uid(agent) == vcard.uid(agent)
    assert vcard.uid(agent) != vcard.uid(UserFactory())


def test_the_vcard_page(agent, tricky):
    response = signed_in(agent).get(reverse("directory:vcard", args=[tricky.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/vcard")
    assert (
        "attachment" in response["Content-Disposition"]
        and ".vcf" in response["Content-Disposition"]
    )
    (card,) = parse(response.content.decode())
    assert card["EMAIL"] == ["anne.sophie@valmont.fr"]


def test_the_organisation_export_holds_only_the_people_the_viewer_sees(
    agent, org, other_org, other_agent
):
    tricky_service = ServiceFactory(organisation=other_org, name="Voirie")
    other_agent.service = tricky_service
    other_agent.save()
    UserFactory(organisation=other_org, is_active=False, first_name="Parti")
    url = reverse("directory:organisation_vcard", args=[other_org.slug])

    cards = parse(signed_in(agent).get(url).content.decode())

    assert [card["FN"] for card in cards] == [["Bernard Petit"]]
    assert cards[0]["ORG"] == ["Métropole du Lac", "Voirie"]

    other_org.policy.directory_visibility = DirectoryVisibility.ORGANISATION
    other_org.policy.save()
    assert signed_in(agent).get(url).content == b""

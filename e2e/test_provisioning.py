"""Provisioning console in a real browser: a SCIM token shown once, a CSV import checked then applied."""

from urllib.parse import urlsplit

import pytest

from entente.accounts.models import User

pytestmark = pytest.mark.e2e

CSV = "email;prenom;nom;statut;fonction\nlea.roux@valmont.fr;Léa;Roux;agent;Urbaniste\n"


def test_an_admin_creates_a_scim_token_and_imports_people(
    page, sign_in_as, audit, org_admin, tmp_path
):
    sign_in_as(org_admin, next_url="/admin-org/provisionnement/")
    page.get_by_label("Nom", exact=False).first.fill("SIRH de la commune")
    page.get_by_role("button", name="Créer le jeton").click()
    audit()
    secret = page.locator("#new-token-value").input_value()
    assert len(secret) > 20
    page.goto(
        page.url.split("#")[0].replace(urlsplit(page.url).path, "/admin-org/provisionnement/")
    )
    audit()
    assert secret not in page.content()

    csv_file = tmp_path / "agents.csv"
    csv_file.write_text(CSV, encoding="utf-8")
    page.goto(page.url.replace(urlsplit(page.url).path, "/admin-org/provisionnement/import/"))
    audit()
    page.locator('input[type="file"]').set_input_files(str(csv_file))
    page.locator('form[enctype="multipart/form-data"] button[type="submit"]').click()
    audit()
    assert "lea.roux@valmont.fr" in page.content()
    assert not User.objects.filter(email="lea.roux@valmont.fr").exists()
    page.locator("form button[type=submit]").filter(has_text="mport").first.click()
    audit()
    assert User.objects.filter(
        email="lea.roux@valmont.fr", organisation=org_admin.organisation
    ).exists()

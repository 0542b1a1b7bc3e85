"""Console pages of provisioning: SCIM tokens of the organisation, and the CSV import of people."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from entente.core.forms import attach_errors
from entente.core.permissions import get_for_action, visible
from entente.organisations.console import own_organisation, render_console
from entente.organisations.models import Organisation
from entente.provisioning import services
from entente.provisioning.csvfile import COLUMNS, read_people_csv
from entente.provisioning.forms import ImportForm, TokenForm
from entente.provisioning.importing import ImportReport
from entente.provisioning.models import ScimToken
from entente.provisioning.permissions import may_manage_tokens, may_provision

#: beyond this many changes, the import takes too long for a web request: use the command
CONSOLE_MAX_CHANGES = 3000
NEW_SECRET_KEY = "provisioning_new_token"
UPLOAD_KEY = "provisioning_upload"
SECTION = "provisioning"


def _organisation(request: HttpRequest) -> Organisation:
    """The person's organisation, once they may manage its people (else 403/404)."""
    organisation = own_organisation(request, "manage_people")
    if not may_manage_tokens(request.user, organisation):
        raise Http404("Cette page n'existe pas ou vous n'y avez pas accès.")
    return organisation


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """The organisation's SCIM address and tokens; a new token's secret is shown once."""
    organisation = _organisation(request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.do_create_token(
                request.user,
                organisation,
                form.cleaned_data["name"],
                form.cleaned_data["send_invitations"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            request.session[NEW_SECRET_KEY] = {"id": token.pk, "secret": secret}
            return redirect("admin_org:provisioning")
    new = request.session.pop(NEW_SECRET_KEY, None)
    rows = (
        visible(request.user, ScimToken)
        .filter(organisation=organisation)
        .select_related("created_by")
        .order_by("revoked_at", "-created_at", "-pk")
    )
    context = {
        "organisation": organisation,
        "form": form,
        "tokens": rows,
        "new_secret": new["secret"] if new else "",
        "new_token_id": new["id"] if new else None,
        "scim_url": request.build_absolute_uri(
            reverse("provisioning:root", args=[organisation.slug])
        ),
    }
    response = render_console(request, "provisioning/tokens.html", context, SECTION)
    if new:
        response["Cache-Control"] = "no-store"  # the secret must not stay in any cache
    return response


@login_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: say what revoking does and ask to confirm. POST: revoke."""
    token = get_for_action(request.user, ScimToken, "revoke", pk=pk)
    if request.method == "POST":
        services.do_revoke_token(request.user, token)
        messages.success(
            request,
            _(
                "Le jeton « %(name)s » est révoqué : les requêtes qui le présentent sont refusées "
                "dès maintenant."
            )
            % {"name": token.name},
        )
        return redirect("admin_org:provisioning")
    return render_console(request, "provisioning/token_revoke.html", {"token": token}, SECTION)


# --- CSV import -------------------------------------------------------------------------------------


def _store_upload(
    request: HttpRequest, organisation: Organisation, data: bytes, options: dict
) -> str:
    """Keep the uploaded file until the admin confirms; return the key of this upload."""
    key = secrets.token_urlsafe(16)
    name = default_storage.save(
        f"provisioning/imports/{organisation.pk}/{key}.csv", ContentFile(data)
    )
    request.session[UPLOAD_KEY] = {"key": key, "path": name, **options}
    return key


def _take_upload(request: HttpRequest, key: str) -> tuple[bytes, dict] | None:
    upload = request.session.get(UPLOAD_KEY)
    if not upload or not secrets.compare_digest(str(upload.get("key", "")), key or ""):
        return None
    del request.session[UPLOAD_KEY]
    try:
        with default_storage.open(upload["path"], "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    finally:
        if default_storage.exists(upload["path"]):
            default_storage.delete(upload["path"])
    return data, upload


def _summary(report: ImportReport) -> str:
    counts = report.counts
    return _("%(created)s, %(updated)s, %(deactivated)s, %(unchanged)s.") % {
        "created": ngettext("%(n)d personne créée", "%(n)d personnes créées", counts["created"])
        % {"n": counts["created"]},
        "updated": ngettext("%(n)d modifiée", "%(n)d modifiées", counts["updated"])
        % {"n": counts["updated"]},
        "deactivated": ngettext("%(n)d désactivée", "%(n)d désactivées", counts["deactivated"])
        % {"n": counts["deactivated"]},
        "unchanged": ngettext("%(n)d inchangée", "%(n)d inchangées", counts["unchanged"])
        % {"n": counts["unchanged"]},
    }


@login_required
def import_people(request: HttpRequest) -> HttpResponse:
    """Upload a CSV file, see what it would do (nothing written), then confirm to apply it."""
    organisation = own_organisation(request, "manage_people")
    if not may_provision(request.user, organisation):
        raise Http404("Cette page n'existe pas ou vous n'y avez pas accès.")
    context: dict = {"organisation": organisation, "columns": COLUMNS}
    if request.method == "POST" and "confirm" in request.POST:
        taken = _take_upload(request, request.POST.get("confirm", ""))
        if taken is None:
            messages.error(
                request,
                _("Ce fichier n'est plus disponible : déposez-le de nouveau pour l'importer."),
            )
            return redirect("admin_org:provisioning_import")
        data, options = taken
        parsed = read_people_csv(data)
        report = services.import_people(
            organisation,
            parsed,
            actor=request.user,
            dry_run=False,
            deactivate_missing=options.get("deactivate_missing", False),
            invite=options.get("invite", False),
            source=options.get("name", ""),
        )
        if report.applied:
            messages.success(
                request, _("Import terminé : %(summary)s") % {"summary": _summary(report)}
            )
            return redirect("admin_org:people")
        context.update(
            form=ImportForm(), report=report, parsed=parsed, file_name=options.get("name")
        )
        return render_console(request, "provisioning/import.html", context, SECTION, status=400)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        parsed = read_people_csv(data)
        options = {
            "deactivate_missing": form.cleaned_data["deactivate_missing"],
            "invite": form.cleaned_data["invite"],
            "name": upload.name[:200],
        }
        report = services.import_people(
            organisation,
            parsed,
            actor=request.user,
            dry_run=True,
            deactivate_missing=options["deactivate_missing"],
        )
        if report.ok and len(report.changed) > CONSOLE_MAX_CHANGES:
            report.error = _(
                "Ce fichier change %(count)d comptes : c'est trop pour la console (%(max)d au "
                "plus). Découpez-le en plusieurs fichiers, ou demandez à un opérateur de lancer "
                "« entente import-people » sur le serveur."
            ) % {"count": len(report.changed), "max": CONSOLE_MAX_CHANGES}
        context.update(report=report, parsed=parsed, file_name=options["name"], options=options)
        if report.ok:
            context["confirm_key"] = _store_upload(request, organisation, data, options)
    context["form"] = form
    return render_console(request, "provisioning/import.html", context, SECTION)

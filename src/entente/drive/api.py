"""REST API of documents (``/api/v1/drive/…``): drives with their quota, folders and files
(list, create, rename, move, copy, delete to the trash), content sent and fetched as a stream,
versions, shares with « who has access and why », public links, the trash, « Partagé avec
moi ».

Views stay thin: they parse the request, call one use case of ``entente.drive.services`` and
render. Every access decision goes through the permission engine: what the person may not see
is a 404, what they see but may not change is a 403. Every refusal is JSON with a stable
``code`` and a French ``detail`` — the codes of the services (``name_taken``,
``quota_exceeded``, ``external_share_confirm``…) are passed on as they are.

File content travels as the raw request body (``PUT …/files/<name>/``), read in chunks straight
into the blob store with ``Content-Length`` as the size: never loaded in memory.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponseBase, UnreadablePostError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from entente.core.permissions import abilities, get_visible_or_404, require, visible
from entente.drive import blobstore, services
from entente.drive.models import (
    Drive,
    DriveKind,
    Node,
    PublicLink,
    ScanStatus,
    Share,
    Version,
)
from entente.drive.names import clean_name
from entente.drive.permissions import (
    node_roles,
    role_abilities,
    shared_roots,
    trash_visible,
)
from entente.drive.serializers import (
    NODE_ACTIONS,
    ChildrenQuerySerializer,
    DriveErrorSerializer,
    DriveSerializer,
    DriveShareInputSerializer,
    FolderInputSerializer,
    LinkInputSerializer,
    LinkSerializer,
    NameSerializer,
    NodeSerializer,
    ShareRoleSerializer,
    ShareSerializer,
    SharesSerializer,
    TargetSerializer,
    TrashItemSerializer,
    VersionSerializer,
    grantee_type,
)
from entente.drive.transfer import file_response
from entente.spaces.models import Space
from entente.spaces.permissions import member_space_ids

logger = logging.getLogger(__name__)

READ_SIZE = blobstore.CHUNK_SIZE

#: HTTP status of the refusals of the services, by code (others: 400)
STATUS_BY_CODE = {
    "quota_exceeded": status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    "too_large": status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    "name_taken": status.HTTP_409_CONFLICT,
    "external_share_forbidden": status.HTTP_403_FORBIDDEN,
    "public_links_forbidden": status.HTTP_403_FORBIDDEN,
    "length_required": status.HTTP_411_LENGTH_REQUIRED,
    "quarantined": status.HTTP_403_FORBIDDEN,
}

ERRORS = {
    400: OpenApiResponse(DriveErrorSerializer, description="Valeurs invalides ou refusées."),
    403: OpenApiResponse(DriveErrorSerializer, description="Visible, mais action non permise."),
    404: OpenApiResponse(
        DriveErrorSerializer, description="Absent ou inaccessible (même réponse)."
    ),
}
CONFLICT = {
    409: OpenApiResponse(
        DriveErrorSerializer,
        description="Un élément du dossier porte déjà ce nom (`name_taken`).",
    )
}
TOO_LARGE = {
    413: OpenApiResponse(
        DriveErrorSerializer,
        description="Espace insuffisant (`quota_exceeded`), vérifié avant de lire le contenu.",
    )
}
BINARY = {(200, "application/octet-stream"): OpenApiTypes.BINARY}
DOWNLOAD_DESCRIPTION = (
    "Le contenu brut, en flux. `Range` (une plage d'octets) et `If-None-Match` sont honorés ; "
    "le type est celui détecté à l'envoi, toujours servi en pièce jointe avec "
    "`X-Content-Type-Options: nosniff`. Un fichier mis en quarantaine par l'antivirus ne "
    "se télécharge pas (403, `quarantined`)."
)
UPLOAD_BODY = {"application/octet-stream": OpenApiTypes.BINARY}
CONTENT_LENGTH = OpenApiParameter(
    "Content-Length",
    int,
    OpenApiParameter.HEADER,
    required=True,
    description="Taille exacte du contenu, en octets (sinon 411, `length_required`).",
)
UPLOAD_RESPONSES = {
    201: OpenApiResponse(NodeSerializer, description="Nouveau fichier."),
    200: OpenApiResponse(NodeSerializer, description="Nouvelle version d'un fichier existant."),
    **ERRORS,
    **CONFLICT,
    411: OpenApiResponse(DriveErrorSerializer, description="`Content-Length` manquant."),
    **TOO_LARGE,
}


def error(code: str, detail: str, status_code: int | None = None) -> Response:
    response = Response(
        {"code": code, "detail": str(detail)},
        status=status_code or STATUS_BY_CODE.get(code, status.HTTP_400_BAD_REQUEST),
    )
    response["Cache-Control"] = "no-store"
    return response


class ServiceErrors:
    """Turns the refusals of the services (``ValidationError`` with a code, ``QuotaExceeded``,
    the blob store's errors, a storage failure) into JSON answers with their code."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DjangoValidationError):
            code = getattr(exc, "code", None) or "invalid"
            return error(code, " ".join(str(message) for message in exc.messages))
        if isinstance(exc, blobstore.TooLarge):
            return error("too_large", _("Vous envoyez plus d'octets que la taille annoncée."))
        if isinstance(exc, blobstore.Incomplete | UnreadablePostError):
            return error(
                "incomplete",
                _(
                    "Envoi interrompu : le contenu reçu ne fait pas la taille annoncée par "
                    "Content-Length. Rien n'a été enregistré ; renvoyez le fichier."
                ),
            )
        if isinstance(exc, PermissionDenied) and str(exc):
            return error("permission_denied", str(exc), status.HTTP_403_FORBIDDEN)
        if isinstance(exc, blobstore.BlobError | OSError):
            logger.exception("Écriture impossible dans le stockage des documents")
            return error(
                "storage_unavailable",
                _("Le stockage des documents ne répond pas : réessayez dans un moment."),
                status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        return super().handle_exception(exc)  # type: ignore[misc]


class FirstRenderer(BaseContentNegotiation):
    """For content routes: the answer is the file's bytes whatever ``Accept`` says, and errors
    are JSON."""

    def select_parser(self, request: Request, parsers: list[Any]) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(
        self, request: Request, renderers: list[Any], format_suffix: str | None = None
    ) -> tuple[Any, str]:
        return renderers[0], renderers[0].media_type


# --- roles of many items at once ---------------------------------------------------------------


class Roles:
    """The roles of one person on many items in a few queries (``permissions.node_roles``)."""

    def __init__(self, user: Any) -> None:
        self.user = user

    def of(self, nodes: list[Node]) -> dict[int, str | None]:
        return node_roles(self.user, nodes)

    def annotate(self, nodes: list[Node]) -> list[Node]:
        """Set ``abilities`` on each of ``nodes`` (live items)."""
        roles = self.of(nodes)
        for node in nodes:
            node.abilities = {
                **role_abilities(roles[node.pk], is_root=node.is_root),
                "restore": False,
            }
        return nodes


NODE_RELATED = ("drive__space", "current_version", "created_by", "modified_by")


def node_or_404(user: Any, pk: Any) -> Node:
    node = get_visible_or_404(user, Node, pk=pk)
    return Node.objects.select_related(*NODE_RELATED).get(pk=node.pk)


def _folder(node: Node) -> None:
    if not node.is_folder:
        raise DjangoValidationError(_("Ce n'est pas un dossier."), code="not_a_folder")


def _file(node: Node) -> None:
    if node.is_folder:
        raise DjangoValidationError(_("C'est un dossier, pas un fichier."), code="not_a_file")


def _quarantined(node: Node) -> Response:
    return error(
        "quarantined",
        _(
            "L'antivirus a trouvé une menace dans « %(name)s » : le fichier est en quarantaine "
            "et ne peut pas être téléchargé."
        )
        % {"name": node.name},
    )


# --- streamed upload ---------------------------------------------------------------------------


def content_length(request: Request) -> int | None:
    """The size announced by the client, or None when it did not say (or sent chunks)."""
    meta = request._request.META
    if meta.get("HTTP_TRANSFER_ENCODING", "").strip():
        return None
    raw = str(meta.get("CONTENT_LENGTH") or "").strip()
    if not raw.isdigit():
        return None
    return int(raw)


def body_chunks(request: HttpRequest, size: int) -> Iterator[bytes]:
    """The request body, ``size`` bytes at most, in chunks (never read whole)."""
    remaining = size
    while remaining > 0:
        data = request.read(min(READ_SIZE, remaining))
        if not data:
            return
        remaining -= len(data)
        yield data


def store_upload(request: Request, folder: Node, raw_name: str) -> Response:
    """Stream the request body into ``folder`` as ``raw_name``: 201 for a new file, 200 for a
    new version. Rights, name and quota are checked before the first byte is read."""
    size = content_length(request)
    if size is None:
        return error(
            "length_required",
            _(
                "Indiquez la taille du fichier dans l'en-tête Content-Length (l'envoi par "
                "morceaux n'est pas accepté ici : utilisez le protocole d'envoi reprenable)."
            ),
        )
    try:
        name = clean_name(raw_name)
    except DjangoValidationError as refusal:
        raise DjangoValidationError(" ".join(refusal.messages), code="invalid_name") from None
    _folder(folder)
    node = services.upload_file(
        request.user, folder, name, body_chunks(request._request, size), size
    )
    node = Node.objects.select_related(*NODE_RELATED).get(pk=node.pk)
    created = node.current_version is not None and node.current_version.number == 1
    body = NodeSerializer(node, context={"request": request}).data
    return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


# --- drives ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Espaces de documents utilisables",
        description="Vos documents, les dossiers de votre organisation et les documents des "
        "espaces dont vous êtes membre, avec votre rôle et le quota qui s'y applique (le "
        "vôtre sur vos documents, celui de l'organisation là où vous pouvez ajouter).",
    ),
    retrieve=extend_schema(
        summary="Un espace de documents", responses={200: DriveSerializer, **ERRORS}
    ),
)
class DriveViewSet(
    ServiceErrors, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = DriveSerializer
    queryset = Drive.objects.none()  # the schema's model; rows come from get_queryset
    pagination_class = None  # a handful per person

    def get_queryset(self) -> QuerySet:
        user = self.request.user
        if self.action == "list" and not user.is_guest:
            services.personal_drive(user)
            if user.organisation_id:
                services.organisation_drive(user.organisation)
        if self.action == "list":
            for space in Space.objects.filter(pk__in=member_space_ids(user), drive__isnull=True):
                services.space_drive(space)
        order = {DriveKind.PERSONAL: 0, DriveKind.ORGANISATION: 1, DriveKind.SPACE: 2}
        rows = visible(user, Drive).select_related("space", "organisation__policy", "user")
        return sorted(rows, key=lambda d: (order.get(d.kind, 3), str(d.space or ""), d.pk))

    def get_object(self) -> Drive:
        drive = get_visible_or_404(self.request.user, Drive, pk=self.kwargs["pk"])
        return Drive.objects.select_related("space", "organisation__policy", "user").get(
            pk=drive.pk
        )


# --- folders and files -------------------------------------------------------------------------


SORT_FIELDS = {"name": "name_key", "modified": "modified_at", "size": "size"}


class NodeViewSet(ServiceErrors, viewsets.GenericViewSet):
    """Folders and files: read, create a folder, rename, move, copy, delete; content in and
    out; versions, shares and public links of an item."""

    serializer_class = NodeSerializer
    queryset = Node.objects.none()  # the schema's model; rows come from visible()

    def get_object(self) -> Node:
        return node_or_404(self.request.user, self.kwargs["pk"])

    def _node(self, node: Node, status_code: int = status.HTTP_200_OK) -> Response:
        node = Node.objects.select_related(*NODE_RELATED).get(pk=node.pk)
        return Response(self.get_serializer(node).data, status=status_code)

    @extend_schema(
        summary="Un dossier ou un fichier",
        description="Avec `abilities` : ce que vous pouvez en faire.",
        responses={200: NodeSerializer, **ERRORS},
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        node = self.get_object()
        node.abilities = abilities(request.user, node, seen=True)
        return Response(self.get_serializer(node).data)

    @extend_schema(
        summary="Créer un dossier",
        request=FolderInputSerializer,
        responses={201: NodeSerializer, **ERRORS, **CONFLICT},
        examples=[
            OpenApiExample(
                "Nouveau dossier", request_only=True, value={"parent": 12, "name": "Budget 2026"}
            )
        ],
    )
    def create(self, request: Request) -> Response:
        serializer = FolderInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        folder = services.create_folder(request.user, data["parent"], data["name"])
        return self._node(folder, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Renommer",
        request=NameSerializer,
        responses={200: NodeSerializer, **ERRORS, **CONFLICT},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        node = self.get_object()
        serializer = NameSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.rename(request.user, node, serializer.validated_data["name"])
        return self._node(node)

    @extend_schema(
        summary="Mettre à la corbeille",
        description="Un dossier y part avec son contenu ; il se restaure depuis la corbeille.",
        responses={204: None, **ERRORS},
    )
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.trash(request.user, self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Contenu d'un dossier",
        description="Les dossiers d'abord, puis les fichiers, triés par `sort` et `order` ; "
        "chacun avec `abilities`.",
        parameters=[ChildrenQuerySerializer],
        responses={200: NodeSerializer(many=True), **ERRORS},
    )
    @action(detail=True, methods=["get"])
    def children(self, request: Request, pk: str | None = None) -> Response:
        folder = self.get_object()
        _folder(folder)
        query = ChildrenQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        field = SORT_FIELDS[query.validated_data["sort"]]
        if query.validated_data["order"] == "desc":
            field = f"-{field}"
        rows = (
            Node.objects.filter(parent=folder, deleted_at__isnull=True)
            .select_related(*NODE_RELATED)
            .order_by("-kind", field, "name_key", "pk")
        )
        page = self.paginate_queryset(rows)
        items = Roles(request.user).annotate(list(page))
        return self.get_paginated_response(self.get_serializer(items, many=True).data)

    @extend_schema(
        summary="Déplacer",
        description="Dans un autre dossier, éventuellement d'un autre espace de documents "
        "(le quota de destination est vérifié).",
        request=TargetSerializer,
        responses={200: NodeSerializer, **ERRORS, **CONFLICT, **TOO_LARGE},
    )
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        node = self.get_object()
        serializer = TargetSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        moved = services.move(request.user, node, serializer.validated_data["target"])
        return self._node(moved)

    @extend_schema(
        summary="Copier",
        description="La copie prend un nom libre (« Rapport (2).pdf ») si le nom est pris.",
        request=TargetSerializer,
        responses={201: NodeSerializer, **ERRORS, **TOO_LARGE},
    )
    @action(detail=True, methods=["post"])
    def copy(self, request: Request, pk: str | None = None) -> Response:
        node = self.get_object()
        serializer = TargetSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        clone = services.copy(request.user, node, serializer.validated_data["target"])
        return self._node(clone, status.HTTP_201_CREATED)

    # --- content ----------------------------------------------------------------------------

    @extend_schema(
        summary="Envoyer un fichier dans un dossier",
        description="Le corps de la requête est le contenu brut du fichier (pas de "
        "multipart), lu en flux ; `Content-Length` est obligatoire. Droits, nom et quota sont "
        "vérifiés avant de lire le premier octet. Si un fichier porte déjà ce nom, le contenu "
        "en devient une nouvelle version. Le nom est nettoyé (ni « / », ni caractères de "
        "contrôle, ni noms réservés de Windows). Pour les gros fichiers, préférez le "
        "protocole d'envoi reprenable.",
        parameters=[
            OpenApiParameter("name", str, OpenApiParameter.PATH, description="Nom du fichier."),
            CONTENT_LENGTH,
        ],
        request=UPLOAD_BODY,
        responses=UPLOAD_RESPONSES,
    )
    @action(
        detail=True,
        methods=["put"],
        url_path=r"files/(?P<name>[^/]+)",
        url_name="file-put",
        content_negotiation_class=FirstRenderer,
    )
    def put_file(self, request: Request, pk: str | None = None, name: str = "") -> Response:
        return store_upload(request, self.get_object(), name)

    @extend_schema(
        summary="Envoyer un fichier dans un dossier (nom en paramètre)",
        description="Comme `PUT …/files/{name}/`, le nom passé en paramètre `name`.",
        parameters=[
            OpenApiParameter("name", str, required=True, description="Nom du fichier."),
            CONTENT_LENGTH,
        ],
        request=UPLOAD_BODY,
        responses=UPLOAD_RESPONSES,
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="files",
        url_name="file-post",
        content_negotiation_class=FirstRenderer,
    )
    def post_file(self, request: Request, pk: str | None = None) -> Response:
        name = request.query_params.get("name", "")
        if not name:
            raise DjangoValidationError(
                _("Indiquez le nom du fichier (paramètre « name »)."), code="invalid_name"
            )
        return store_upload(request, self.get_object(), name)

    @extend_schema(
        methods=["GET"],
        summary="Télécharger un fichier",
        description=DOWNLOAD_DESCRIPTION,
        responses={**BINARY, **ERRORS},
    )
    @extend_schema(
        methods=["PUT"],
        summary="Remplacer le contenu d'un fichier",
        description="Le corps (brut, `Content-Length` obligatoire) devient une nouvelle "
        "version du fichier ; les précédentes restent dans l'historique.",
        parameters=[CONTENT_LENGTH],
        request=UPLOAD_BODY,
        responses=UPLOAD_RESPONSES,
    )
    @action(
        detail=True,
        methods=["get", "put"],
        content_negotiation_class=FirstRenderer,
    )
    def content(self, request: Request, pk: str | None = None) -> HttpResponseBase:
        node = self.get_object()
        _file(node)
        if request.method == "PUT":
            require(request.user, "edit", node)
            return store_upload(request, node.parent, node.name)
        if node.scan_status == ScanStatus.INFECTED:
            return _quarantined(node)
        if node.current_version is None:
            raise Http404
        return file_response(
            request._request,
            node.current_version.blob,
            filename=node.name,
            mime_type=node.mime_type,
        )

    # --- versions ---------------------------------------------------------------------------

    @extend_schema(
        summary="Versions d'un fichier",
        description="De la plus récente à la plus ancienne ; `current` marque le contenu actuel.",
        responses={200: VersionSerializer(many=True), **ERRORS},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def versions(self, request: Request, pk: str | None = None) -> Response:
        node = self.get_object()
        _file(node)
        rows = node.versions.select_related("created_by").order_by("-number")
        return Response(VersionSerializer(rows, many=True).data)

    # --- shares -----------------------------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        summary="Partages et accès",
        description="Les partages posés sur l'élément (`shares`) et tous ceux qui y ont accès, "
        "avec la raison (`access_list` : propriétaire, membres de l'espace, partage direct ou "
        "hérité d'un dossier).",
        responses={200: SharesSerializer, **ERRORS},
    )
    @extend_schema(
        methods=["POST"],
        summary="Partager (gestionnaire)",
        description="Avec une personne (`user`), un groupe (`group`), un espace (`space`) ou "
        "toute une organisation (`organisation`, son slug), en lecture (`reader`), "
        "modification (`editor`) ou gestion (`manager`, peut repartager). Partager de nouveau "
        "avec le même destinataire change son rôle. Hors de l'organisation propriétaire : "
        "erreur `external_share_confirm` tant que `confirm_external` n'est pas `true`, "
        "`external_share_forbidden` si sa politique l'interdit. La personne est prévenue "
        "par e-mail.",
        request=DriveShareInputSerializer,
        responses={201: ShareSerializer, 200: ShareSerializer, **ERRORS},
        examples=[
            OpenApiExample(
                "Avec une personne d'une autre commune",
                request_only=True,
                value={"user": 42, "role": "editor", "confirm_external": True},
            ),
            OpenApiExample(
                "Confirmation nécessaire",
                response_only=True,
                status_codes=["400"],
                value={
                    "code": "external_share_confirm",
                    "detail": "Bernard Petit est hors de votre organisation : confirmez que "
                    "vous voulez partager « Budget » en dehors.",
                },
            ),
        ],
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def shares(self, request: Request, pk: str | None = None) -> Response:
        node = self.get_object()
        if request.method == "GET":
            rows = node.shares.select_related(
                "node__drive", "user", "group", "space", "organisation", "created_by"
            ).order_by("pk")
            body = SharesSerializer(
                {"shares": rows, "access_list": services.access_list(node)}
            ).data
            return Response(body)
        require(request.user, "share", node)
        serializer = DriveShareInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        field = grantee_type(data["grantee"])
        existed = Share.objects.filter(node=node, **{field: data["grantee"]}).exists()
        share = services.share(
            request.user,
            node,
            data["grantee"],
            data["role"],
            confirm_external=data["confirm_external"],
        )
        return Response(
            ShareSerializer(share).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )

    # --- public links -----------------------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        summary="Liens publics (gestionnaire)",
        responses={200: LinkSerializer(many=True), **ERRORS},
    )
    @extend_schema(
        methods=["POST"],
        summary="Créer un lien public (gestionnaire)",
        description="Consultation (`read`) ou dépôt (`upload`, sur un dossier), jusqu'à "
        "`expires_at`, avec un mot de passe et un nombre de téléchargements facultatifs. "
        "Refusé (`public_links_forbidden`) si la politique de l'organisation l'interdit, ou "
        "(`too_long`) au-delà de la durée qu'elle permet.",
        request=LinkInputSerializer,
        responses={201: LinkSerializer, **ERRORS},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def links(self, request: Request, pk: str | None = None) -> Response:
        node = self.get_object()
        require(request.user, "share", node)
        if request.method == "GET":
            rows = node.links.select_related("node__drive", "created_by").order_by("-created_at")
            return Response(LinkSerializer(rows, many=True).data)
        serializer = LinkInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        link = services.create_link(
            request.user,
            node,
            kind=data["kind"],
            expires_at=data["expires_at"],
            password=data["password"],
            max_downloads=data["max_downloads"],
        )
        return Response(LinkSerializer(link).data, status=status.HTTP_201_CREATED)


# --- versions ----------------------------------------------------------------------------------


class VersionViewSet(ServiceErrors, viewsets.GenericViewSet):
    """One version of a file: download it, bring it back."""

    serializer_class = VersionSerializer
    queryset = Version.objects.none()

    def get_object(self) -> Version:
        version = (
            Version.objects.filter(pk=self.kwargs["pk"])
            .select_related("node", "blob", "created_by")
            .first()
        )
        if version is None:
            raise Http404
        version.node = node_or_404(self.request.user, version.node_id)
        return version

    @extend_schema(
        summary="Télécharger une version",
        description=DOWNLOAD_DESCRIPTION,
        responses={**BINARY, **ERRORS},
    )
    @action(detail=True, methods=["get"], content_negotiation_class=FirstRenderer)
    def content(self, request: Request, pk: str | None = None) -> HttpResponseBase:
        version = self.get_object()
        node = version.node
        if node.scan_status == ScanStatus.INFECTED and node.current_version is not None:
            if node.current_version.blob_id == version.blob_id:
                return _quarantined(node)
        return file_response(
            request._request,
            version.blob,
            filename=_version_filename(node, version),
            mime_type=version.mime_type,
        )

    @extend_schema(
        summary="Restaurer une version",
        description="Son contenu devient une nouvelle version (l'historique n'est jamais réécrit).",
        request=None,
        responses={201: VersionSerializer, **ERRORS, **TOO_LARGE},
    )
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str | None = None) -> Response:
        version = self.get_object()
        restored = services.restore_version(request.user, version)
        restored = Version.objects.select_related("node", "created_by").get(pk=restored.pk)
        return Response(VersionSerializer(restored).data, status=status.HTTP_201_CREATED)


def _version_filename(node: Node, version: Version) -> str:
    if node.current_version_id == version.pk:
        return node.name
    stem, dot, ext = node.name.rpartition(".")
    label = _("version %(number)s") % {"number": version.number}
    return f"{stem} ({label}).{ext}" if dot and stem else f"{node.name} ({label})"


# --- shares ------------------------------------------------------------------------------------


@extend_schema_view(
    retrieve=extend_schema(summary="Un partage", responses={200: ShareSerializer, **ERRORS}),
)
class ShareViewSet(ServiceErrors, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One share: read it, change its role, remove it (people who may share the item)."""

    serializer_class = ShareSerializer
    queryset = Share.objects.none()

    def get_object(self) -> Share:
        share = (
            Share.objects.filter(pk=self.kwargs["pk"])
            .select_related("node__drive", "user", "group", "space", "organisation", "created_by")
            .first()
        )
        if share is None or not visible(self.request.user, Node).filter(pk=share.node_id).exists():
            raise Http404
        return share

    @extend_schema(
        summary="Changer le rôle d'un partage (gestionnaire)",
        request=ShareRoleSerializer,
        responses={200: ShareSerializer, **ERRORS},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        share = self.get_object()
        serializer = ShareRoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # the recipient does not change: leaving the organisation was confirmed at sharing
        updated = services.share(
            request.user,
            share.node,
            share.grantee,
            serializer.validated_data["role"],
            confirm_external=True,
        )
        return Response(ShareSerializer(updated).data)

    @extend_schema(summary="Retirer un partage (gestionnaire)", responses={204: None, **ERRORS})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.unshare(request.user, self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- public links ------------------------------------------------------------------------------


@extend_schema_view(
    retrieve=extend_schema(
        summary="Un lien public (gestionnaire)", responses={200: LinkSerializer, **ERRORS}
    ),
)
class LinkViewSet(ServiceErrors, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = LinkSerializer
    queryset = PublicLink.objects.none()

    def get_object(self) -> PublicLink:
        link = (
            PublicLink.objects.filter(pk=self.kwargs["pk"])
            .select_related("node__drive", "created_by")
            .first()
        )
        if link is None or not visible(self.request.user, Node).filter(pk=link.node_id).exists():
            raise Http404
        require(self.request.user, "share", link.node)
        return link

    @extend_schema(
        summary="Révoquer un lien public (gestionnaire)",
        description="Le lien cesse aussitôt de fonctionner.",
        responses={204: None, **ERRORS},
    )
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        link = self.get_object()
        if link.revoked_at is None:
            services.revoke_link(request.user, link)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- trash -------------------------------------------------------------------------------------


TRASH_ABILITIES = {action: action == "restore" for action in NODE_ACTIONS}


@extend_schema_view(
    list=extend_schema(
        summary="Corbeille",
        description="Ce qui a été supprimé des espaces de documents où vous pouvez modifier, "
        "et ce que vous avez supprimé vous-même ; le plus récent d'abord. Un dossier y "
        "figure seul : le restaurer restaure son contenu.",
    ),
)
class TrashViewSet(ServiceErrors, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = TrashItemSerializer
    queryset = Node.objects.none()

    def get_queryset(self) -> QuerySet:
        return (
            trash_visible(self.request.user)
            .select_related("current_version", "created_by", "modified_by", "deleted_by")
            .order_by("-deleted_at", "pk")
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        for node in page:
            node.abilities = TRASH_ABILITIES
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _trashed(self) -> Node:
        node = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if node is None:
            raise Http404
        return node

    @extend_schema(
        summary="Restaurer",
        description="Dans son dossier d'origine s'il existe encore, sinon à la racine ; sous "
        "un nom libre si le sien est pris.",
        request=None,
        responses={200: NodeSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str | None = None) -> Response:
        node = services.restore(request.user, self._trashed())
        node = Node.objects.select_related(*NODE_RELATED).get(pk=node.pk)
        node.abilities = abilities(request.user, node)
        return Response(NodeSerializer(node, context={"request": request}).data)

    @extend_schema(
        summary="Supprimer définitivement",
        description="Irréversible : l'élément et son contenu disparaissent.",
        responses={204: None, **ERRORS},
    )
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.purge(request.user, self._trashed())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- shared with me ----------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Partagé avec moi",
        description="Les dossiers et fichiers partagés avec vous, avec un de vos groupes, un "
        "de vos espaces ou votre organisation ; le plus récemment modifié d'abord.",
    ),
)
class SharedViewSet(ServiceErrors, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = NodeSerializer
    queryset = Node.objects.none()

    def get_queryset(self) -> QuerySet:
        return (
            shared_roots(self.request.user)
            .select_related(*NODE_RELATED)
            .order_by("-modified_at", "pk")
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        items = Roles(request.user).annotate(list(page))
        return self.get_paginated_response(self.get_serializer(items, many=True).data)


def register(router: DefaultRouter) -> None:
    router.register("drive/drives", DriveViewSet, basename="drive-drive")
    router.register("drive/nodes", NodeViewSet, basename="drive-node")
    router.register("drive/versions", VersionViewSet, basename="drive-version")
    router.register("drive/shares", ShareViewSet, basename="drive-share")
    router.register("drive/links", LinkViewSet, basename="drive-link")
    router.register("drive/trash", TrashViewSet, basename="drive-trash")
    router.register("drive/shared", SharedViewSet, basename="drive-shared")

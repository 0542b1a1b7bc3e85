"""REST API for app passwords: list one's own, create one (secret returned once), revoke.

Creating and revoking need a signed-in browser session: a request authenticated by an app
password (HTTP Basic) may read the list, but an app password cannot mint or revoke others.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from entente.accounts.app_passwords import do_create_app_password, do_revoke_app_password
from entente.accounts.models import AppPassword
from entente.core.permissions import abilities, require, visible


class AppPasswordSerializer(serializers.ModelSerializer):
    abilities = serializers.SerializerMethodField()

    class Meta:
        model = AppPassword
        fields = [
            "id",
            "name",
            "prefix",
            "created_at",
            "last_used_at",
            "last_used_client",
            "last_used_ip",
            "abilities",
        ]
        read_only_fields = [name for name in fields if name != "name"]
        # names are validated by the service (with the owner's other names), not by the model
        extra_kwargs = {"name": {"validators": []}}

    def get_abilities(self, obj: AppPassword) -> dict[str, bool]:
        return abilities(self.context["request"].user, obj, seen=True)


class AppPasswordCreatedSerializer(AppPasswordSerializer):
    """The answer to a creation: the only time the secret is ever sent."""

    secret = serializers.CharField(read_only=True)
    username = serializers.CharField(read_only=True, help_text="L'identifiant à utiliser.")

    class Meta(AppPasswordSerializer.Meta):
        fields = [*AppPasswordSerializer.Meta.fields, "secret", "username"]
        read_only_fields = [*AppPasswordSerializer.Meta.read_only_fields, "secret", "username"]


def require_session(request: Request) -> None:
    """Refuse unless the request comes from a signed-in browser session."""
    if not isinstance(request.successful_authenticator, SessionAuthentication):
        raise PermissionDenied(
            "Créer ou révoquer un mot de passe d'application demande d'être connecté au "
            "portail : un mot de passe d'application ne peut pas en gérer d'autres.",
            code="session_required",
        )


class AppPasswordViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Active app passwords. ``DELETE`` revokes (the row stays for the audit trail)."""

    serializer_class = AppPasswordSerializer

    def get_queryset(self):
        queryset = (
            visible(self.request.user, AppPassword)
            .filter(revoked_at__isnull=True)
            .select_related("user__organisation")
            .order_by("-created_at", "-pk")
        )
        if self.action == "list":
            queryset = queryset.filter(user=self.request.user)
        return queryset

    @extend_schema(responses={201: AppPasswordCreatedSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_session(request)
        require(request.user, "create", AppPassword)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        app_password, secret = do_create_app_password(
            request.user, request.user, serializer.validated_data["name"], request=request._request
        )
        app_password.secret = secret
        app_password.username = request.user.email
        body = AppPasswordCreatedSerializer(app_password, context=self.get_serializer_context())
        return Response(
            body.data, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"}
        )

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_session(request)
        app_password = self.get_object()
        require(request.user, "revoke", app_password)
        do_revoke_app_password(request.user, app_password, request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router: DefaultRouter) -> None:
    router.register("app-passwords", AppPasswordViewSet, basename="app-password")

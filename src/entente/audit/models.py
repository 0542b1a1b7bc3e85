"""Audit events: one append-only chain per organisation (and one for the platform), hash-linked."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    LOGIN = "auth.login", _("Connexion")
    LOGIN_FAILED = "auth.login_failed", _("Échec de connexion")
    LOGOUT = "auth.logout", _("Déconnexion")
    PASSWORD_CHANGED = "auth.password_changed", _("Mot de passe changé")
    PASSWORD_RESET = "auth.password_reset", _("Mot de passe réinitialisé")
    INVITATION_ACCEPTED = "auth.invitation_accepted", _("Invitation acceptée")
    PERSON_CREATED = "people.created", _("Personne créée")
    PERSON_UPDATED = "people.updated", _("Personne modifiée")
    PERSON_DEACTIVATED = "people.deactivated", _("Personne désactivée")
    PERSON_REACTIVATED = "people.reactivated", _("Personne réactivée")
    PERSON_INVITED = "people.invited", _("Invitation envoyée")
    ADMIN_GRANTED = "people.admin_granted", _("Rôle d'administrateur accordé")
    ADMIN_REVOKED = "people.admin_revoked", _("Rôle d'administrateur retiré")
    ORGANISATION_CREATED = "org.created", _("Organisation créée")
    ORGANISATION_UPDATED = "org.updated", _("Organisation modifiée")
    POLICY_UPDATED = "org.policy_updated", _("Politique modifiée")
    SERVICE_CREATED = "structure.service_created", _("Service créé")
    SERVICE_UPDATED = "structure.service_updated", _("Service modifié")
    SERVICE_DELETED = "structure.service_deleted", _("Service supprimé")
    GROUP_CREATED = "structure.group_created", _("Groupe créé")
    GROUP_UPDATED = "structure.group_updated", _("Groupe modifié")
    GROUP_DELETED = "structure.group_deleted", _("Groupe supprimé")
    MFA_ADDED = "auth.mfa_added", _("Second facteur ajouté")
    MFA_REMOVED = "auth.mfa_removed", _("Second facteur retiré")
    MFA_FAILED = "auth.mfa_failed", _("Échec du second facteur")
    RECOVERY_CODES_GENERATED = "auth.recovery_codes", _("Codes de secours générés")
    SESSION_REVOKED = "auth.session_revoked", _("Session fermée")
    FORCED_SIGN_OUT = "auth.forced_sign_out", _("Déconnexion forcée par un administrateur")
    THROTTLED = "auth.throttled", _("Connexions bloquées temporairement")
    APP_PASSWORD_CREATED = "auth.app_password_created", _("Mot de passe d'application créé")
    APP_PASSWORD_REVOKED = "auth.app_password_revoked", _("Mot de passe d'application révoqué")
    SSO_LOGIN = "sso.login", _("Connexion par l'identifiant de l'organisation")
    SSO_LINKED = "sso.linked", _("Compte relié au fournisseur d'identité")
    SSO_PROVIDER_UPDATED = "sso.provider_updated", _("Fournisseur d'identité configuré")
    SCIM_TOKEN_CREATED = "scim.token_created", _("Jeton de provisionnement créé")
    SCIM_TOKEN_REVOKED = "scim.token_revoked", _("Jeton de provisionnement révoqué")
    SCIM_CHANGE = "scim.change", _("Modification par provisionnement (SCIM)")
    CSV_IMPORT = "people.csv_import", _("Import de personnes (CSV)")
    GUEST_INVITED = "people.guest_invited", _("Personne extérieure invitée")
    CALENDAR_SHARED = "agenda.shared", _("Agenda partagé")
    CALENDAR_UNSHARED = "agenda.unshared", _("Partage d'agenda retiré")
    CALENDAR_IMPORTED = "agenda.imported", _("Agenda importé (iCalendar)")
    RESOURCE_CREATED = "agenda.resource_created", _("Ressource créée")
    RESOURCE_UPDATED = "agenda.resource_updated", _("Ressource modifiée")
    DRIVE_SHARED = "drive.shared", _("Document partagé")
    DRIVE_UNSHARED = "drive.unshared", _("Partage de document retiré")
    DRIVE_LINK_CREATED = "drive.link_created", _("Lien public créé")
    DRIVE_LINK_REVOKED = "drive.link_revoked", _("Lien public révoqué")
    DRIVE_QUARANTINED = "drive.quarantined", _("Fichier infecté mis en quarantaine")
    SPACE_CREATED = "space.created", _("Espace créé")
    SPACE_MEMBER_ADDED = "space.member_added", _("Membre ajouté à un espace")
    SPACE_MEMBER_REMOVED = "space.member_removed", _("Membre retiré d'un espace")
    SPACE_UPDATED = "space.updated", _("Espace modifié")
    SPACE_ARCHIVED = "space.archived", _("Espace archivé")
    SPACE_UNARCHIVED = "space.unarchived", _("Espace désarchivé")
    PORTAL_TILE_CHANGED = "portal.tile_changed", _("Tuile d'application modifiée")
    PORTAL_ANNOUNCEMENT_CHANGED = "portal.announcement_changed", _("Annonce modifiée")


GENESIS = "0" * 64


class AuditChain(models.Model):
    """The head of one chain: locked while appending so two writers never fork the chain."""

    key = models.CharField(max_length=80, unique=True)
    last_hash = models.CharField(max_length=64, default=GENESIS)
    length = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key} ({self.length})"


class AuditEvent(models.Model):
    """Something that happened, who did it, to what, from where. Never updated, never deleted."""

    chain = models.ForeignKey(AuditChain, on_delete=models.PROTECT, related_name="events")
    sequence = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=40, choices=EventKind.choices, db_index=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["chain_id", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "sequence"], name="audit_event_sequence_unique"
            )
        ]
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.kind} {self.actor_label}"

    def payload(self) -> dict:
        """The fields covered by the hash (identifiers are frozen as labels and ids)."""
        return {
            "chain": self.chain.key,
            "sequence": self.sequence,
            "created_at": self.created_at.isoformat(),
            "kind": self.kind,
            "organisation": self.organisation_id,
            "actor": self.actor_label,
            "target": [self.target_type, self.target_id, self.target_label],
            "ip": self.ip_address or "",
            "user_agent": self.user_agent,
            "data": self.data,
        }

    def compute_hash(self) -> str:
        body = json.dumps(self.payload(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(f"{self.previous_hash}:{body}".encode()).hexdigest()

"""Hand-written data of the demo territory: the Orbelle valley's organisations and personas.

Everything here is fictional. The SIREN numbers carry a valid Luhn key but use the
département code 99 ("abroad"), which no French commune has. Phone numbers use the range
01 99 00 xx xx that ARCEP keeps for works of fiction.

Gendered words are written ``{feminine|masculine}`` and resolved per person by
``plan.gendered``: ``"{Adjointe|Adjoint} au maire"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: password of every demo account unless ``entente demo --password`` says otherwise
DEMO_PASSWORD = "entente-demo-2026"
#: base32 key of the authenticator app of the demo accounts that must have a second factor
#: (admins, operators, organisations requiring it): published, like the password.
DEMO_TOTP_SECRET = "IVXHIZLOORSS2ZDFNVXS2MRQGI3CC4JR"

#: seed of the generator: change it and every generated person changes
SEED = "entente-demo/orbelle"

TERRITORY_NAME = "vallée de l'Orbelle"


# --- services trees -------------------------------------------------------------------------


@dataclass(frozen=True)
class S:
    """One service of a tree, with its sub-services."""

    name: str
    children: tuple[S, ...] = ()


def tree(*roots: S | str) -> tuple[S, ...]:
    return tuple(S(root) if isinstance(root, str) else root for root in roots)


def sub(name: str, *children: str) -> S:
    return S(name, tuple(S(child) for child in children))


COMMUNE_TINY = tree(
    sub("Direction générale des services", "Accueil et état civil"),
    "Services techniques",
    "Éducation et jeunesse",
)

COMMUNE_SMALL = tree(
    sub("Direction générale des services", "Ressources humaines", "Finances"),
    "Accueil et état civil",
    "Urbanisme",
    sub("Services techniques", "Voirie"),
    "Éducation et jeunesse",
)

COMMUNE_MEDIUM = tree(
    sub(
        "Direction générale des services",
        "Ressources humaines",
        "Finances",
        "Systèmes d'information",
    ),
    "Cabinet du maire",
    "Accueil et état civil",
    "Urbanisme",
    sub("Services techniques", "Voirie", "Espaces verts", "Bâtiments"),
    "Éducation et jeunesse",
    "Culture et vie associative",
    "Police municipale",
)

CITY = tree(
    sub(
        "Direction générale des services",
        "Ressources humaines",
        "Finances",
        "Systèmes d'information",
        "Commande publique",
        "Affaires juridiques",
    ),
    "Cabinet du maire",
    "Urbanisme",
    sub("Services techniques", "Voirie", "Espaces verts", "Bâtiments"),
    sub("Éducation", "Écoles", "Restauration scolaire"),
    sub("Culture", "Médiathèque", "Conservatoire"),
    "Accueil et état civil",
    "Police municipale",
    "Sports",
)

METROPOLIS = tree(
    sub(
        "Direction générale des services",
        "Secrétariat général",
        "Mission évaluation des politiques publiques",
    ),
    "Cabinet du président",
    sub(
        "Direction des ressources humaines",
        "Carrières et paie",
        "Recrutement et formation",
        "Santé et qualité de vie au travail",
    ),
    sub("Direction des finances", "Budget et comptabilité", "Commande publique"),
    sub(
        "Direction du numérique",
        "Infrastructures et réseaux",
        "Applications métier",
        "Assistance aux utilisateurs",
    ),
    sub("Direction de l'espace public", "Voirie", "Éclairage public", "Propreté urbaine"),
    sub("Direction des mobilités", "Transports collectifs", "Vélo et modes actifs"),
    sub("Direction de l'aménagement et de l'urbanisme", "Planification urbaine", "Droit des sols"),
    sub("Direction de l'eau et de l'assainissement", "Eau potable", "Assainissement"),
    sub(
        "Direction de l'environnement",
        "Collecte et traitement des déchets",
        "Transition énergétique",
    ),
    "Direction du développement économique",
)

SYNDICATE = tree(
    "Direction générale",
    "Exploitation de la plateforme",
    "Assistance aux communes",
    "Projets et applications",
    "Administration et finances",
)

#: how many people a service draws compared with others (1 when not listed)

# --- mandates of élus -----------------------------------------------------------------------

COMMUNE_HEAD = "Maire"
COMMUNE_DEPUTIES = (
    "{Première adjointe|Premier adjoint} au maire, {déléguée|délégué} aux finances",
    "{Adjointe|Adjoint} au maire {déléguée|délégué} à l'éducation",
    "{Adjointe|Adjoint} au maire {déléguée|délégué} à l'urbanisme",
    "{Adjointe|Adjoint} au maire {déléguée|délégué} aux travaux et à la voirie",
    "{Adjointe|Adjoint} au maire {déléguée|délégué} à la culture",
    "{Adjointe|Adjoint} au maire {déléguée|délégué} aux solidarités",
    "{Adjointe|Adjoint} au maire {déléguée|délégué} à la transition écologique",
)
COMMUNE_COUNCILLORS = (
    "{Conseillère municipale déléguée|Conseiller municipal délégué} au numérique",
    "{Conseillère municipale déléguée|Conseiller municipal délégué} à la vie associative",
)

METROPOLIS_HEAD = "{Présidente|Président} de la Métropole"
METROPOLIS_DEPUTIES = (
    "{Vice-présidente chargée|Vice-président chargé} des mobilités",
    "{Vice-présidente chargée|Vice-président chargé} de l'aménagement et de l'urbanisme",
    "{Vice-présidente chargée|Vice-président chargé} des finances",
    "{Vice-présidente chargée|Vice-président chargé} de l'eau et de l'assainissement",
    "{Vice-présidente chargée|Vice-président chargé} de l'environnement",
    "{Vice-présidente chargée|Vice-président chargé} du développement économique",
    "{Vice-présidente chargée|Vice-président chargé} du numérique",
)
METROPOLIS_COUNCILLORS = (
    "{Conseillère métropolitaine déléguée|Conseiller métropolitain délégué} à la voirie",
    "{Conseillère métropolitaine déléguée|Conseiller métropolitain délégué} à la réduction des déchets",
)

SYNDICATE_HEAD = "{Présidente|Président} du syndicat"
SYNDICATE_DEPUTIES = ("{Vice-présidente chargée|Vice-président chargé} du numérique éducatif",)


@dataclass(frozen=True)
class Mandates:
    head: str
    deputies: tuple[str, ...]
    councillors: tuple[str, ...]
    bureau: str  # name of the group of the head and deputies


COMMUNE_MANDATES = Mandates(COMMUNE_HEAD, COMMUNE_DEPUTIES, COMMUNE_COUNCILLORS, "Bureau municipal")
METROPOLIS_MANDATES = Mandates(
    METROPOLIS_HEAD, METROPOLIS_DEPUTIES, METROPOLIS_COUNCILLORS, "Bureau métropolitain"
)
SYNDICATE_MANDATES = Mandates(SYNDICATE_HEAD, SYNDICATE_DEPUTIES, (), "Bureau syndical")

# --- organisations --------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationData:
    slug: str
    kind: str
    name: str
    siren: str
    domain: str
    size: int  # people, élus included
    services: tuple[S, ...]
    mandates: Mandates
    deputies: int
    councillors: int
    policy: dict[str, object] = field(default_factory=dict)
    pending_invitations: int = 0  # agents invited who have not chosen a password yet
    deactivated: int = 0  # agents who left
    short_name: str = ""  # for the sign-in table, when ``name`` is long

    @property
    def label(self) -> str:
        return self.short_name or self.name


SYNDICATE_SLUG = "numerique-orbelle"
CITY_SLUG = "bellerive"
METROPOLIS_SLUG = "valdorbelle-metropole"


def commune(slug: str, name: str, siren: str, size: int, **extra: object) -> OrganisationData:
    if size <= 12:
        services, deputies, councillors = COMMUNE_TINY, 2, 0
    elif size <= 28:
        services, deputies, councillors = COMMUNE_SMALL, 3, 1
    else:
        services, deputies, councillors = COMMUNE_MEDIUM, 4, 1
    return OrganisationData(
        slug=slug,
        kind="commune",
        name=name,
        siren=siren,
        domain=f"mairie-{slug}.fr",
        size=size,
        services=services,
        mandates=COMMUNE_MANDATES,
        deputies=deputies,
        councillors=councillors,
        **extra,  # type: ignore[arg-type]
    )


ORGANISATIONS: tuple[OrganisationData, ...] = (
    OrganisationData(
        slug=SYNDICATE_SLUG,
        kind="syndicate",
        name="Syndicat intercommunal du numérique de la vallée de l'Orbelle",
        short_name="Syndicat du numérique",
        siren="259900017",
        domain="numerique-orbelle.fr",
        size=12,
        services=SYNDICATE,
        mandates=SYNDICATE_MANDATES,
        deputies=1,
        councillors=0,
    ),
    OrganisationData(
        slug=METROPOLIS_SLUG,
        kind="metropolis",
        name="Val d'Orbelle Métropole",
        siren="249900010",
        domain="valdorbelle-metropole.fr",
        size=150,
        services=METROPOLIS,
        mandates=METROPOLIS_MANDATES,
        deputies=7,
        councillors=2,
        policy={
            "quota_organisation_gb": 5_000,
            "public_link_max_days": 15,
            "trash_retention_days": 60,
        },
    ),
    OrganisationData(
        slug=CITY_SLUG,
        kind="city",
        name="Ville de Bellerive-sur-Orbelle",
        siren="219900107",
        domain="ville-bellerive.fr",
        size=80,
        services=CITY,
        mandates=COMMUNE_MANDATES,
        deputies=6,
        councillors=2,
    ),
    commune(
        "lauzieres",
        "Commune de Lauzières",
        "219900206",
        24,
        pending_invitations=2,
        deactivated=1,
    ),
    commune(
        "castelvieil",
        "Commune de Castelvieil",
        "219900305",
        14,
        policy={"directory_visibility": "organisation"},
    ),
    commune(
        "saint-martin-dorbelle",
        "Commune de Saint-Martin-d'Orbelle",
        "219900404",
        38,
        policy={"mfa_required": "everyone"},
    ),
    commune(
        "les-aiguillons",
        "Commune des Aiguillons",
        "219900503",
        10,
        policy={"public_links_allowed": False, "guests_allowed": False},
    ),
    commune("fontclaire", "Commune de Fontclaire", "219900602", 26),
    commune(
        "mirabel-la-vallee",
        "Commune de Mirabel-la-Vallée",
        "219900701",
        20,
        policy={"external_sharing_allowed": False, "quota_per_person_mb": 5_120},
    ),
    commune("pont-de-verne", "Commune de Pont-de-Verne", "219900800", 30),
    commune("val-dambre", "Commune de Val-d'Ambre", "219900909", 16),
)

# --- personas of PRODUCT.md -------------------------------------------------------------------


@dataclass(frozen=True)
class Persona:
    key: str
    organisation: str  # slug
    first_name: str
    last_name: str
    female: bool
    role: str  # shown in the sign-in table printed by ``entente demo``
    service: tuple[str, ...] = ()  # path from the root
    job_title: str = ""
    mandate: str = ""  # set for élus: one of the organisation's mandates, resolved
    phone: str = ""
    is_org_admin: bool = False
    is_operator: bool = False


PERSONAS: tuple[Persona, ...] = (
    Persona(
        key="agnes",
        organisation=CITY_SLUG,
        first_name="Agnès",
        last_name="Lefèvre",
        female=True,
        role="Agente, urbanisme",
        service=("Urbanisme",),
        job_title="Instructrice des autorisations d'urbanisme",
        phone="01 99 00 12 34",
    ),
    Persona(
        key="karim",
        organisation=CITY_SLUG,
        first_name="Karim",
        last_name="Haddad",
        female=False,
        role="Élu, adjoint à l'éducation",
        mandate="Adjoint au maire délégué à l'éducation",
    ),
    Persona(
        key="claire",
        organisation=CITY_SLUG,
        first_name="Claire",
        last_name="Fontaine",
        female=True,
        role="Assistante du cabinet du maire",
        service=("Cabinet du maire",),
        job_title="Assistante du cabinet du maire",
        phone="01 99 00 12 00",
    ),
    Persona(
        key="marc",
        organisation="lauzieres",
        first_name="Marc",
        last_name="Delmas",
        female=False,
        role="Administrateur de la commune",
        service=("Direction générale des services",),
        job_title="Référent numérique",
        phone="01 99 00 45 10",
        is_org_admin=True,
    ),
    Persona(
        key="sophie",
        organisation=SYNDICATE_SLUG,
        first_name="Sophie",
        last_name="Garnier",
        female=True,
        role="Opératrice de la plateforme",
        service=("Exploitation de la plateforme",),
        job_title="Opératrice de la plateforme",
        phone="01 99 00 70 01",
        is_operator=True,
    ),
    Persona(
        key="bernard",
        organisation=METROPOLIS_SLUG,
        first_name="Bernard",
        last_name="Roux",
        female=False,
        role="Agent, voirie",
        service=("Direction de l'espace public", "Voirie"),
        job_title="Technicien voirie",
        phone="01 99 00 31 52",
    ),
)

# --- groups of every organisation (name, description) -----------------------------------------

DIRECTION_GROUP = (
    "Comité de direction",
    "Direction générale et responsables des services : réunion hebdomadaire.",
)
DIGITAL_GROUP = (
    "Référents numériques",
    "Les relais du numérique dans les services, premiers contacts pour les questions d'outils "
    "et de comptes.",
)
BUREAU_DESCRIPTION = "Les élus de l'exécutif : réunion du bureau chaque semaine."

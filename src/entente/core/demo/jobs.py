"""Job titles of the demo territory, service by service, and how many people each service draws.

Gendered words are written ``{feminine|masculine}`` (see ``plan.gendered``).
"""

from __future__ import annotations

SERVICE_WEIGHTS = {
    "Voirie": 3,
    "Espaces verts": 3,
    "Écoles": 4,
    "Restauration scolaire": 3,
    "Éducation et jeunesse": 3,
    "Propreté urbaine": 3,
    "Collecte et traitement des déchets": 3,
    "Accueil et état civil": 2,
    "Police municipale": 2,
    "Bâtiments": 2,
    "Médiathèque": 2,
    "Conservatoire": 2,
    "Eau potable": 2,
    "Assainissement": 2,
    "Transports collectifs": 2,
    "Urbanisme": 2,
    "Droit des sols": 2,
    "Assistance aux utilisateurs": 2,
}

# --- job titles: service → (title of its head, titles of the others) ------------------------

GENERIC_JOBS = ("{Agente administrative|Agent administratif}", "{Assistante|Assistant} de gestion")

JOBS: dict[str, tuple[str, tuple[str, ...]]] = {
    # communes and city
    "Direction générale des services": (
        "{Directrice générale|Directeur général} des services",
        (
            "{Directrice générale adjointe|Directeur général adjoint} des services",
            "{Assistante|Assistant} de direction",
            "{Chargée|Chargé} de mission",
        ),
    ),
    "Cabinet du maire": (
        "{Directrice|Directeur} de cabinet",
        (
            "{Chargée|Chargé} de communication",
            "{Chargée|Chargé} du protocole",
            "{Assistante|Assistant} de cabinet",
        ),
    ),
    "Ressources humaines": (
        "Responsable des ressources humaines",
        ("Gestionnaire carrière et paie", "{Chargée|Chargé} de recrutement"),
    ),
    "Finances": (
        "Responsable des finances",
        ("Gestionnaire comptable", "{Chargée|Chargé} de la préparation budgétaire"),
    ),
    "Systèmes d'information": (
        "Responsable des systèmes d'information",
        (
            "{Technicienne|Technicien} informatique",
            "{Administratrice|Administrateur} systèmes et réseaux",
        ),
    ),
    "Commande publique": (
        "Responsable de la commande publique",
        ("Gestionnaire des marchés publics", "{Acheteuse publique|Acheteur public}"),
    ),
    "Affaires juridiques": ("Responsable des affaires juridiques", ("Juriste",)),
    "Accueil et état civil": (
        "Responsable de l'accueil et de l'état civil",
        ("{Agente|Agent} d'accueil", "Gestionnaire état civil et élections"),
    ),
    "Urbanisme": (
        "Responsable de l'urbanisme",
        (
            "{Instructrice|Instructeur} des autorisations d'urbanisme",
            "{Chargée|Chargé} d'études en urbanisme",
            "{Assistante|Assistant} urbanisme",
        ),
    ),
    "Services techniques": (
        "{Directrice|Directeur} des services techniques",
        ("{Assistante|Assistant} des services techniques", "{Agente polyvalente|Agent polyvalent}"),
    ),
    "Voirie": (
        "Responsable voirie",
        (
            "{Technicienne|Technicien} voirie",
            "{Agente|Agent} d'entretien de la voirie",
            "{Cheffe|Chef} d'équipe voirie",
        ),
    ),
    "Espaces verts": (
        "Responsable des espaces verts",
        ("{Jardinière|Jardinier}", "{Agente|Agent} des espaces verts", "{Élagueuse|Élagueur}"),
    ),
    "Bâtiments": (
        "Responsable des bâtiments",
        (
            "{Électricienne|Électricien}",
            "{Plombière|Plombier}",
            "{Agente|Agent} de maintenance des bâtiments",
        ),
    ),
    "Éducation et jeunesse": (
        "Responsable éducation et jeunesse",
        (
            "{Animatrice|Animateur} périscolaire",
            "ATSEM",
            "{Agente|Agent} de restauration scolaire",
        ),
    ),
    "Éducation": (
        "{Directrice|Directeur} de l'éducation",
        (
            "{Chargée|Chargé} des inscriptions scolaires",
            "{Coordinatrice|Coordinateur} périscolaire",
        ),
    ),
    "Écoles": (
        "Responsable des écoles",
        ("ATSEM", "{Animatrice|Animateur} périscolaire", "{Agente|Agent} d'entretien des écoles"),
    ),
    "Restauration scolaire": (
        "Responsable de la restauration scolaire",
        ("{Cuisinière|Cuisinier}", "{Agente|Agent} de restauration"),
    ),
    "Culture et vie associative": (
        "Responsable culture et vie associative",
        (
            "{Chargée|Chargé} de la vie associative",
            "{Médiatrice culturelle|Médiateur culturel}",
        ),
    ),
    "Culture": (
        "{Directrice|Directeur} de la culture",
        ("{Chargée|Chargé} de programmation culturelle",),
    ),
    "Médiathèque": (
        "Responsable de la médiathèque",
        ("Bibliothécaire", "{Assistante|Assistant} de conservation"),
    ),
    "Conservatoire": (
        "{Directrice|Directeur} du conservatoire",
        (
            "{Professeure|Professeur} de piano",
            "{Professeure|Professeur} de violon",
            "{Professeure|Professeur} de formation musicale",
        ),
    ),
    "Police municipale": (
        "{Cheffe|Chef} de la police municipale",
        (
            "{Policière municipale|Policier municipal}",
            "{Agente|Agent} de surveillance de la voie publique",
        ),
    ),
    "Sports": (
        "Responsable des sports",
        ("{Éducatrice sportive|Éducateur sportif}", "{Gardienne|Gardien} de gymnase"),
    ),
    # metropolis
    "Secrétariat général": (
        "{Secrétaire générale|Secrétaire général}",
        ("{Assistante|Assistant} des assemblées", "Gestionnaire des actes administratifs"),
    ),
    "Mission évaluation des politiques publiques": (
        "{Cheffe|Chef} de mission évaluation",
        ("{Chargée|Chargé} d'évaluation",),
    ),
    "Cabinet du président": (
        "{Directrice|Directeur} de cabinet",
        (
            "{Conseillère|Conseiller} technique",
            "{Chargée|Chargé} de communication",
            "{Assistante|Assistant} de cabinet",
        ),
    ),
    "Direction des ressources humaines": (
        "{Directrice|Directeur} des ressources humaines",
        ("{Assistante|Assistant} de direction",),
    ),
    "Carrières et paie": ("Responsable carrières et paie", ("Gestionnaire carrière et paie",)),
    "Recrutement et formation": (
        "Responsable recrutement et formation",
        ("{Chargée|Chargé} de recrutement", "{Conseillère|Conseiller} formation"),
    ),
    "Santé et qualité de vie au travail": (
        "Responsable santé et qualité de vie au travail",
        (
            "{Conseillère|Conseiller} de prévention",
            "{Infirmière|Infirmier} du travail",
            "{Assistante sociale|Assistant social} du personnel",
        ),
    ),
    "Direction des finances": (
        "{Directrice|Directeur} des finances",
        ("{Contrôleuse|Contrôleur} de gestion",),
    ),
    "Budget et comptabilité": (
        "Responsable budget et comptabilité",
        ("Gestionnaire comptable", "{Analyste financière|Analyste financier}"),
    ),
    "Direction du numérique": (
        "{Directrice|Directeur} du numérique",
        (
            "{Cheffe|Chef} de projet numérique",
            "Responsable de la sécurité des systèmes d'information",
        ),
    ),
    "Infrastructures et réseaux": (
        "Responsable infrastructures et réseaux",
        (
            "{Administratrice|Administrateur} systèmes et réseaux",
            "{Technicienne|Technicien} réseaux",
        ),
    ),
    "Applications métier": (
        "Responsable des applications métier",
        ("{Cheffe|Chef} de projet applications", "{Développeuse|Développeur}"),
    ),
    "Assistance aux utilisateurs": (
        "Responsable de l'assistance aux utilisateurs",
        ("{Technicienne|Technicien} d'assistance",),
    ),
    "Direction de l'espace public": (
        "{Directrice|Directeur} de l'espace public",
        ("{Assistante|Assistant} de direction", "{Ingénieure|Ingénieur} espace public"),
    ),
    "Éclairage public": (
        "Responsable de l'éclairage public",
        ("{Électricienne|Électricien} éclairage public", "{Technicienne|Technicien} éclairage"),
    ),
    "Propreté urbaine": (
        "Responsable de la propreté urbaine",
        ("{Agente|Agent} de propreté urbaine", "{Conductrice|Conducteur} de balayeuse"),
    ),
    "Direction des mobilités": (
        "{Directrice|Directeur} des mobilités",
        ("{Chargée|Chargé} d'études mobilité",),
    ),
    "Transports collectifs": (
        "Responsable des transports collectifs",
        ("{Chargée|Chargé} de l'offre de transport", "{Technicienne|Technicien} exploitation"),
    ),
    "Vélo et modes actifs": (
        "Responsable vélo et modes actifs",
        ("{Chargée|Chargé} de mission vélo",),
    ),
    "Direction de l'aménagement et de l'urbanisme": (
        "{Directrice|Directeur} de l'aménagement et de l'urbanisme",
        ("{Assistante|Assistant} de direction",),
    ),
    "Planification urbaine": (
        "Responsable de la planification urbaine",
        ("{Chargée|Chargé} d'études PLUi", "{Géomaticienne|Géomaticien}"),
    ),
    "Droit des sols": (
        "Responsable du droit des sols",
        ("{Instructrice|Instructeur} du droit des sols",),
    ),
    "Direction de l'eau et de l'assainissement": (
        "{Directrice|Directeur} de l'eau et de l'assainissement",
        ("{Ingénieure|Ingénieur} hydraulique",),
    ),
    "Eau potable": (
        "Responsable eau potable",
        ("{Fontainière|Fontainier}", "{Technicienne|Technicien} réseaux d'eau"),
    ),
    "Assainissement": (
        "Responsable assainissement",
        ("{Technicienne|Technicien} assainissement", "{Agente|Agent} de station d'épuration"),
    ),
    "Direction de l'environnement": (
        "{Directrice|Directeur} de l'environnement",
        ("{Chargée|Chargé} de mission climat",),
    ),
    "Collecte et traitement des déchets": (
        "Responsable collecte et traitement des déchets",
        (
            "{Ripeuse|Ripeur}",
            "{Conductrice|Conducteur} de benne",
            "{Ambassadrice|Ambassadeur} du tri",
        ),
    ),
    "Transition énergétique": (
        "Responsable transition énergétique",
        ("{Conseillère|Conseiller} en énergie",),
    ),
    "Direction du développement économique": (
        "{Directrice|Directeur} du développement économique",
        ("{Chargée|Chargé} d'affaires économiques", "{Chargée|Chargé} de mission commerce"),
    ),
    # syndicate
    "Direction générale": (
        "{Directrice|Directeur} du syndicat",
        ("{Assistante|Assistant} de direction",),
    ),
    "Exploitation de la plateforme": (
        "Responsable de l'exploitation",
        ("{Administratrice|Administrateur} systèmes", "{Ingénieure|Ingénieur} d'exploitation"),
    ),
    "Assistance aux communes": (
        "Responsable de l'assistance aux communes",
        (
            "{Technicienne|Technicien} d'assistance",
            "{Formatrice|Formateur} aux outils numériques",
        ),
    ),
    "Projets et applications": (
        "Responsable projets et applications",
        ("{Cheffe|Chef} de projet", "{Développeuse|Développeur}"),
    ),
    "Administration et finances": (
        "Responsable administration et finances",
        ("{Gestionnaire administrative et financière|Gestionnaire administratif et financier}",),
    ),
}

#: the head of the first of these services (present and staffed) administers the organisation
ADMIN_SERVICES = (
    "Systèmes d'information",
    "Direction du numérique",
    "Direction générale",
    "Direction générale des services",
)

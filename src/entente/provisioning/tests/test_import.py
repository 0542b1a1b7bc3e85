"""CSV import: exact reports, all or nothing, dry run, absent people, encodings, limits."""

import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from entente.accounts.models import Status, User
from entente.accounts.tests.factories import UserFactory
from entente.audit.models import AuditEvent, EventKind
from entente.directory.tests.factories import ServiceFactory
from entente.provisioning import services
from entente.provisioning.csvfile import MAX_BYTES, MAX_ROWS, read_people_csv
from entente.provisioning.tests.conftest import counts

pytestmark = pytest.mark.django_db

HEADER = "email;prenom;nom;statut;mandat;fonction;telephone;service;admin;actif"


@pytest.fixture
def tree(org):
    direction = ServiceFactory(organisation=org, name="Direction générale")
    return {
        "direction": direction,
        "urbanisme": ServiceFactory(organisation=org, name="Urbanisme", parent=direction),
        "etat_civil": ServiceFactory(organisation=org, name="État civil"),
    }


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "people.csv") -> Path:
    target = tmp_path / name
    target.write_bytes(text.encode(encoding))
    return target


def run(path: Path, *args: str) -> tuple[str, str | None]:
    """Run the command; return its output and the error message (``None`` when it succeeded)."""
    out = StringIO()
    try:
        call_command("import-people", str(path), "--org", "valmont", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), str(error)
    return out.getvalue(), None


def plan(text: str, org, **kwargs):
    parsed = read_people_csv(text.encode())
    assert not parsed.error, parsed.error
    return services.plan_import(org, parsed.rows, **kwargs)


# --- the exact report -------------------------------------------------------------------------------


def test_a_file_with_bad_lines_gives_an_exact_report_and_imports_nothing(
    tmp_path, org, agent, other_org, other_agent, tree
):
    text = "\n".join(
        [
            HEADER,
            "nadia.benali@valmont.fr;Nadia;Benali;agent;;Instructrice;01 23 45 67 89;Urbanisme;non;oui",
            "agnes.martin@valmont.fr;Agnès;Martin;agent;;Cheffe de service;;;;",
            "double@valmont.fr;Paul;Premier;;;;;;;",
            "pas-une-adresse;Jean;Mal;;;;;;;",
            "double@valmont.fr;Paul;Second;;;;;;;",
            "x@metropole-lac.fr;Xavier;Ailleurs;;;;;;;",
            "BERNARD.PETIT@metropole-lac.fr;Bernard;Petit;;;;;;;",
            "karim@valmont.fr;Karim;Belkacem;maire;;;;;;",
            "lea@valmont.fr;Léa;Roux;agent;;;;Finances;;",
            "zoe@valmont.fr;Zoé;Long;agent;;" + "x" * 151 + ";;;;",
            "yann@valmont.fr;Yann\u202e;Caché;;;;;;;",
            "marc@valmont.fr;Marc;Sansmandat;agent;Adjoint;;;;;",
            "ines@valmont.fr;Inès;Oui;;;;;;peut-être;",
        ]
    )
    path = write(tmp_path, text)
    before = counts()
    output, error = run(path)
    assert error is not None and "rien n'a été enregistré" in error
    assert counts() == before
    agent.refresh_from_db()
    assert agent.job_title == ""

    report = plan(text, org)
    assert report.counts == {
        "created": 1,
        "updated": 1,
        "deactivated": 0,
        "unchanged": 0,
        "rejected": 11,
    }
    by_line = {line.line: line for line in report.lines}
    assert by_line[2].action == "created" and by_line[2].data["service"] == tree["urbanisme"]
    assert by_line[3].action == "updated" and by_line[3].changes == ["job_title"]
    assert by_line[4].reasons == ["adresse présente plusieurs fois dans le fichier (aussi ligne 6)"]
    assert by_line[6].reasons == ["adresse présente plusieurs fois dans le fichier (aussi ligne 4)"]
    assert by_line[5].reasons == ["adresse e-mail mal formée « pas-une-adresse »"]
    assert by_line[7].reasons == [
        "le domaine « metropole-lac.fr » appartient à Métropole du Lac : cette personne doit "
        "être importée par cette organisation"
    ]
    assert "appartient à Métropole du Lac" in by_line[8].reasons[0]
    assert by_line[9].reasons == ["statut « maire » inconnu : indiquez agent ou élu"]
    assert by_line[10].reasons[0].startswith("le service « Finances » n'existe pas dans Commune")
    assert by_line[11].reasons == ["fonction : 151 caractères, au plus 150"]
    assert by_line[12].reasons == ["prenom : caractères invisibles ou de contrôle, retirez-les"]
    assert "un mandat n'est possible que pour un élu" in by_line[13].reasons[0]
    assert by_line[14].reasons == ["admin « peut-être » : indiquez oui ou non"]
    # the command prints the same lines, with their numbers
    assert "Ligne 5 : rejetée — pas-une-adresse : adresse e-mail mal formée" in output
    assert (
        "Bilan : 1 créée(s), 1 modifiée(s), 0 désactivée(s), 0 inchangée(s), 11 rejetée(s)."
        in output
    )


def test_a_personal_address_used_in_another_organisation_is_rejected(tmp_path, org, other_org):
    UserFactory(organisation=other_org, email="perso@gmail.example")
    report = plan(f"{HEADER}\nperso@gmail.example;Jo;Perso;;;;;;;", org)
    assert report.lines[0].reasons == [
        "adresse déjà utilisée par une personne d'une autre organisation"
    ]


# --- a clean file ---------------------------------------------------------------------------------------


CLEAN = "\n".join(
    [
        HEADER,
        "nadia.benali@valmont.fr;Nadia;Benali;agent;;Instructrice;01 23 45 67 89;Direction générale › Urbanisme;non;oui",
        "Agnes.Martin@Valmont.fr;Agnès;Martin;agent;;Cheffe de service;;État civil;oui;",
        "karim.belkacem@valmont.fr;Karim;Belkacem;élu;Adjoint à l'éducation;;;;;",
        "ancien@valmont.fr;Paul;Ancien;agent;;;;;;non",
    ]
)


def test_a_clean_file_creates_and_updates_then_a_second_run_changes_nothing(
    tmp_path, org, agent, tree, mailoutbox, django_capture_on_commit_callbacks
):
    path = write(tmp_path, CLEAN)
    with django_capture_on_commit_callbacks(execute=True):
        output, error = run(path)
    assert error is None, output
    assert (
        "Bilan : 3 créée(s), 1 modifiée(s), 0 désactivée(s), 0 inchangée(s), 0 rejetée(s)."
        in output
    )
    assert "Import enregistré." in output
    assert mailoutbox == []  # no invitation without --invite

    nadia = User.objects.get(email="nadia.benali@valmont.fr")
    assert nadia.organisation == org and nadia.service == tree["urbanisme"]
    assert nadia.phone == "01 23 45 67 89" and nadia.job_title == "Instructrice"
    karim = User.objects.get(email="karim.belkacem@valmont.fr")
    assert karim.status == Status.ELU and karim.mandate == "Adjoint à l'éducation"
    assert not User.objects.get(email="ancien@valmont.fr").is_active
    agent.refresh_from_db()
    assert agent.job_title == "Cheffe de service" and agent.service == tree["etat_civil"]
    assert agent.is_org_admin

    event = AuditEvent.objects.get(kind=EventKind.CSV_IMPORT)
    assert event.organisation == org and event.actor_label == "import CSV en ligne de commande"
    assert event.data["created"] == 3 and event.data["updated"] == 1

    output, error = run(path)
    assert error is None
    assert (
        "Bilan : 0 créée(s), 0 modifiée(s), 0 désactivée(s), 4 inchangée(s), 0 rejetée(s)."
        in output
    )


def test_invitations_only_when_asked(
    tmp_path, org, tree, mailoutbox, django_capture_on_commit_callbacks
):
    path = write(tmp_path, CLEAN)
    with django_capture_on_commit_callbacks(execute=True):
        _output, error = run(path, "--invite")
    assert error is None
    # the inactive person is not invited
    assert sorted(m.to[0] for m in mailoutbox) == [
        "agnes.martin@valmont.fr",
        "karim.belkacem@valmont.fr",
        "nadia.benali@valmont.fr",
    ]


def test_dry_run_writes_nothing_and_reports_the_same(tmp_path, org, agent, tree):
    path = write(tmp_path, CLEAN)
    before = counts()
    dry_output, error = run(path, "--dry-run")
    assert error is None
    assert counts() == before
    assert "simulation : rien n'est enregistré" in dry_output
    assert "relancez sans --dry-run" in dry_output
    real_output, _error = run(path)
    dry_lines = [line for line in dry_output.splitlines() if line.startswith(("Ligne", "Bilan"))]
    real_lines = [line for line in real_output.splitlines() if line.startswith(("Ligne", "Bilan"))]
    assert dry_lines == real_lines


def test_deactivate_missing(tmp_path, org, agent, org_admin):
    leaving = UserFactory(organisation=org, email="depart@valmont.fr")
    already = UserFactory(organisation=org, email="parti@valmont.fr", is_active=False)
    path = write(tmp_path, f"{HEADER}\nagnes.martin@valmont.fr;Agnès;Martin;;;;;;;")
    output, error = run(path)
    assert error is None
    leaving.refresh_from_db()
    assert leaving.is_active  # absent people stay without the option

    output, error = run(path, "--deactivate-missing")
    assert error is None, output
    assert "Hors fichier : désactivée — depart@valmont.fr (absente du fichier)" in output
    leaving.refresh_from_db()
    org_admin.refresh_from_db()
    agent.refresh_from_db()
    assert not leaving.is_active and not org_admin.is_active and agent.is_active
    assert already.deactivated_at is None  # already inactive: untouched


def test_deactivate_missing_spares_the_admin_who_imports(org, agent, org_admin):
    report = plan(
        f"{HEADER}\nagnes.martin@valmont.fr;Agnès;Martin;;;;;;;",
        org,
        actor=org_admin,
        deactivate_missing=True,
    )
    assert report.counts["deactivated"] == 0
    assert "Votre propre compte n'est pas dans le fichier" in report.warnings[0]


def test_an_admin_cannot_deactivate_themself_or_drop_their_role(org, org_admin):
    report = plan(
        f"{HEADER}\nmarc.durand@valmont.fr;Marc;Durand;;;;;;non;non", org, actor=org_admin
    )
    assert report.lines[0].reasons == [
        "vous ne pouvez pas désactiver votre propre compte",
        "vous ne pouvez pas retirer votre propre rôle d'administrateur",
    ]


def test_an_empty_file_with_deactivate_missing_is_refused(tmp_path, org, agent):
    output, error = run(write(tmp_path, HEADER + "\n"), "--deactivate-missing")
    assert error is not None and "aucune personne" in error
    agent.refresh_from_db()
    assert agent.is_active


def test_absent_columns_leave_fields_untouched_and_empty_cells_clear_them(
    tmp_path, org, agent, tree
):
    agent.job_title = "Instructrice"
    agent.phone = "01 23 45 67 89"
    agent.service = tree["urbanisme"]
    agent.save()
    run(write(tmp_path, "email,prenom,nom\nagnes.martin@valmont.fr,Agnès,Martin\n"))
    agent.refresh_from_db()
    assert agent.job_title == "Instructrice" and agent.service == tree["urbanisme"]
    run(
        write(
            tmp_path, "email;prenom;nom;fonction;service\nagnes.martin@valmont.fr;Agnès;Martin;;\n"
        )
    )
    agent.refresh_from_db()
    assert agent.job_title == "" and agent.service is None and agent.phone == "01 23 45 67 89"


# --- reading the file ---------------------------------------------------------------------------------------


def test_utf8_with_bom_comma_and_english_headers(tmp_path, org):
    text = "\ufeffEmail,First name,Last name,Job title\nlea@valmont.fr,Léa,Roux,Comptable\n"
    output, error = run(write(tmp_path, text))
    assert error is None, output
    assert User.objects.get(email="lea@valmont.fr").first_name == "Léa"


def test_cp1252_is_read_with_a_warning(tmp_path, org):
    text = "email;prénom;nom;fonction\nlea@valmont.fr;Léa;Rousseau-Dupré;Chargée d'études\n"
    output, error = run(write(tmp_path, text, encoding="cp1252"))
    assert error is None, output
    assert "Windows-1252" in output
    person = User.objects.get(email="lea@valmont.fr")
    assert person.first_name == "Léa" and person.last_name == "Rousseau-Dupré"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "vide"),
        (
            b"prenom;nom\nLea;Roux\n",
            "Colonnes obligatoires absentes de l'en-tête (ligne 1) : email",
        ),
        (b"email;prenom;nom;couleur\n", "Colonne inconnue dans l'en-tête (ligne 1) : « couleur »"),
        (b"email;prenom;nom;mail\n", "figure deux fois"),
        (b"PK\x03\x04binary", "classeur"),
        (b"email;prenom;nom\n\x00\x01", "octets nuls"),
        (b"email;prenom;nom\nx@valmont.fr;\x81\x8d;y\n", "ni en UTF-8 ni en Windows-1252"),
    ],
)
def test_unreadable_files_are_refused_as_a_whole(tmp_path, org, content, words):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    before = counts()
    output, error = run(path)
    assert error is not None and words in error, error
    assert counts() == before


def test_a_line_with_too_many_cells_is_rejected(org):
    report = plan("email;prenom;nom\nlea@valmont.fr;Léa;Roux;en trop\n", org)
    assert (
        "la ligne compte 4 colonnes alors que l'en-tête en compte 3" in report.lines[0].reasons[0]
    )


def test_quoted_values_and_line_numbers_after_a_multiline_cell(org):
    text = 'email;prenom;nom;fonction\nlea@valmont.fr;Léa;Roux;"Chargée\nd\'études; urbanisme"\nbad;A;B;\n'
    report = plan(text, org)
    assert report.lines[0].data["job_title"] == "Chargée\nd'études; urbanisme"
    assert report.lines[1].line == 4


def test_huge_files_are_refused_without_being_read(tmp_path, org):
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # 20 Mo of nothing, written instantly
    output, error = run(path)
    assert error is not None and "au-delà de la limite de 20 Mo" in error


def test_too_many_lines_are_refused(org):
    lines = [HEADER] + [f"p{n}@valmont.fr;P;N;;;;;;;" for n in range(MAX_ROWS + 1)]
    parsed = read_people_csv("\n".join(lines).encode())
    assert parsed.rows == [] and "plus de 50 000 personnes" in parsed.error


def test_unknown_organisation_and_missing_file(tmp_path, org):
    with pytest.raises(CommandError, match="Aucune organisation"):
        call_command("import-people", "x.csv", "--org", "nulle-part", stdout=StringIO())
    output, error = run(tmp_path / "absent.csv")
    assert error is not None and "Impossible de lire le fichier" in error


def test_a_rule_only_the_use_case_knows_rolls_back_the_whole_import(tmp_path, org, monkeypatch):
    """If a use case refuses a line while writing, the lines written before it are undone."""
    from django.core.exceptions import ValidationError

    from entente.accounts import services as people

    real = people.do_create_person

    def refuse_karim(actor, organisation, data, invite=True):
        if data["email"].startswith("karim"):
            raise ValidationError("Refusé par une règle.")
        return real(actor, organisation, data, invite=invite)

    monkeypatch.setattr(people, "do_create_person", refuse_karim)
    text = f"{HEADER}\nlea@valmont.fr;Léa;Roux;;;;;;;\nkarim@valmont.fr;Karim;B;;;;;;;\n"
    before = counts()
    report = services.apply_import(
        org, read_people_csv(text.encode()).rows, actor=services.AutomatedActor("test")
    )
    assert not report.applied
    assert report.lines[1].action == "rejected" and report.lines[1].reasons == [
        "Refusé par une règle."
    ]
    assert counts() == before


def test_the_entente_script_runs_the_hyphenated_command(tmp_path):
    """``entente import-people`` resolves (the command's file name has a hyphen)."""
    script = Path(sys.executable).with_name("entente")
    runner = [str(script)] if script.exists() else [sys.executable, "-m", "entente"]
    result = subprocess.run(
        [*runner, "import-people", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "entente.test_settings",
            "ENTENTE_DATA_DIR": str(tmp_path),
        },
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "--deactivate-missing" in result.stdout and "--dry-run" in result.stdout

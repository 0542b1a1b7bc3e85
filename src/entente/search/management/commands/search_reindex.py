"""``entente search_reindex``: rebuild the search index from every person, space, document,
event, note and discussion (after a restore, an import, or to read files' text again)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from entente.search import index


class Command(BaseCommand):
    help = "Reconstruit l'index de recherche."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-content",
            action="store_true",
            help="Garder le texte déjà lu des fichiers au lieu de les relire (plus rapide).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = index.reindex_all(with_content=not options["no_content"])
        total = sum(counts.values())
        details = ", ".join(f"{kind} : {number}" for kind, number in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Index reconstruit : {total} entrées ({details})."))

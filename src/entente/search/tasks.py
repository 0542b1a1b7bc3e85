"""Background jobs of the search: read the text of a file's new content into the index.
Jobs take ids and are safe to run twice."""

from __future__ import annotations

from django_tasks import task


@task()
def extract_document(node_id: int) -> None:
    """Read the text of the current content of a file into its search row."""
    from entente.search import index

    index.refresh_node_text(node_id)

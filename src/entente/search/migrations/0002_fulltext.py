"""The full-text index beside ``search_searchentry``, built the way each database does best.

- SQLite: an FTS5 table reading its text from ``search_searchentry`` (external content),
  folding case and accents (``unicode61 remove_diacritics 2``), kept in step by triggers.
- PostgreSQL: the ``unaccent`` extension, an immutable wrapper of it (an index expression
  may only call immutable functions), and a GIN index on the French ``tsvector`` of the
  title (weight A) and the body (weight B). ``entente.search.backends.postgres`` repeats this
  expression word for word so the planner uses the index.
"""

from django.db import migrations

SQLITE_UP = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "title, body, content='search_searchentry', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS search_fts_ai AFTER INSERT ON search_searchentry BEGIN "
    "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER IF NOT EXISTS search_fts_ad AFTER DELETE ON search_searchentry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER IF NOT EXISTS search_fts_au AFTER UPDATE ON search_searchentry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_fts_au",
    "DROP TRIGGER IF EXISTS search_fts_ad",
    "DROP TRIGGER IF EXISTS search_fts_ai",
    "DROP TABLE IF EXISTS search_fts",
]

POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public",
    "CREATE OR REPLACE FUNCTION search_unaccent(text) RETURNS text "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS "
    "$$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$",
    "CREATE INDEX IF NOT EXISTS search_entry_fulltext ON search_searchentry USING GIN (("
    "setweight(to_tsvector('french'::regconfig, search_unaccent(coalesce(title, ''))), 'A') || "
    "setweight(to_tsvector('french'::regconfig, search_unaccent(coalesce(body, ''))), 'B')"
    "))",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS search_entry_fulltext",
    "DROP FUNCTION IF EXISTS search_unaccent(text)",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]

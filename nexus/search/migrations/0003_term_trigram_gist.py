"""The typo vocabulary's trigram index on PostgreSQL becomes GiST.

`term % word ORDER BY similarity(term, word)` never used the GIN index: the planner costed
it above a sequential scan, which computes the similarity of every term (12 ms on the
10,000 terms of a 20,000-entry corpus, for each mistyped word). GiST answers the same
query in ~1.5 ms. SQLite keeps its trigram FTS5 table."""

from django.db import migrations

FORWARD = [
    "DROP INDEX IF EXISTS search_term_trgm",
    "CREATE INDEX search_term_trgm ON search_searchterm USING gist (term gist_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS search_term_trgm",
    "CREATE INDEX search_term_trgm ON search_searchterm USING gin (term gin_trgm_ops)",
]


def _run(statements: list[str]):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fulltext")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]

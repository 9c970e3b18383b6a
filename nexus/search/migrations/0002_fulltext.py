"""The full-text index beside SearchDocument, for the database in use.

PostgreSQL: pg_trgm, a generated weighted tsvector (title A, summary/headings B, prose C,
code and joined code tokens D) and a title-only one, with GIN indexes; a trigram index on
the typo vocabulary. SQLite: an external-content FTS5 table (porter stemming, unicode61)
and a trigram FTS5 table over the vocabulary, both kept by triggers in the same statement.
Punctuation is read as a space on both, so code tokens split into the same pieces.

SQLite rebuilds a table to alter it, which drops its triggers: a later migration that
alters search_searchdocument or search_searchterm must run SQLITE_SQL again.
"""

from django.db import migrations

WORDS = "regexp_replace(coalesce({0}, ''), '[^[:alnum:]]+', ' ', 'g')"

POSTGRES_SQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "ALTER TABLE search_searchdocument ADD COLUMN vector tsvector GENERATED ALWAYS AS ("
    f"setweight(to_tsvector('english'::regconfig, {WORDS.format('title')}), 'A') || "
    f"setweight(to_tsvector('english'::regconfig, {WORDS.format('summary')}), 'B') || "
    f"setweight(to_tsvector('english'::regconfig, {WORDS.format('body')}), 'C') || "
    f"setweight(to_tsvector('english'::regconfig, {WORDS.format('code')} || ' ' || {WORDS.format('terms')}), 'D')"
    ") STORED",
    "ALTER TABLE search_searchdocument ADD COLUMN title_vector tsvector GENERATED ALWAYS AS ("
    f"to_tsvector('english'::regconfig, {WORDS.format('title')})) STORED",
    "CREATE INDEX search_doc_vector_gin ON search_searchdocument USING gin (vector)",
    "CREATE INDEX search_doc_title_gin ON search_searchdocument USING gin (title_vector)",
    "CREATE INDEX search_term_trgm ON search_searchterm USING gin (term gin_trgm_ops)",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS search_term_trgm",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS title_vector",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS vector",
]

FTS_COLUMNS = "title, summary, body, code, terms"
SQLITE_SQL = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5({FTS_COLUMNS}, content='search_searchdocument', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS search_fts_insert AFTER INSERT ON search_searchdocument BEGIN "  # noqa: S608
    f"INSERT INTO search_fts(rowid, {FTS_COLUMNS}) VALUES (new.id, new.title, new.summary, new.body, new.code, new.terms); END",
    "CREATE TRIGGER IF NOT EXISTS search_fts_delete AFTER DELETE ON search_searchdocument BEGIN "  # noqa: S608
    f"INSERT INTO search_fts(search_fts, rowid, {FTS_COLUMNS}) "
    "VALUES ('delete', old.id, old.title, old.summary, old.body, old.code, old.terms); END",
    f"CREATE TRIGGER IF NOT EXISTS search_fts_update AFTER UPDATE OF {FTS_COLUMNS} ON search_searchdocument BEGIN "  # noqa: S608
    f"INSERT INTO search_fts(search_fts, rowid, {FTS_COLUMNS}) "
    "VALUES ('delete', old.id, old.title, old.summary, old.body, old.code, old.terms); "
    f"INSERT INTO search_fts(rowid, {FTS_COLUMNS}) VALUES (new.id, new.title, new.summary, new.body, new.code, new.terms); END",
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_term_trigram USING fts5(term, content='search_searchterm', "
    "content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS search_term_insert AFTER INSERT ON search_searchterm BEGIN "
    "INSERT INTO search_term_trigram(rowid, term) VALUES (new.id, new.term); END",
    "CREATE TRIGGER IF NOT EXISTS search_term_delete AFTER DELETE ON search_searchterm BEGIN "
    "INSERT INTO search_term_trigram(search_term_trigram, rowid, term) VALUES ('delete', old.id, old.term); END",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
    "INSERT INTO search_term_trigram(search_term_trigram) VALUES ('rebuild')",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS search_term_delete",
    "DROP TRIGGER IF EXISTS search_term_insert",
    "DROP TABLE IF EXISTS search_term_trigram",
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TABLE IF EXISTS search_fts",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


def index_vocabulary(apps, schema_editor):
    """The seeded topics and technologies are searchable from the start (entries and hubs
    that already exist are indexed by `manage.py nexus_reindex`)."""
    document = apps.get_model("search", "SearchDocument")
    topics = apps.get_model("knowledge", "Topic").objects.all()
    technologies = apps.get_model("knowledge", "Technology").objects.all()
    documents = [
        document(
            key=f"topic:{topic.pk}",
            target="topic",
            topic_id=topic.pk,
            title=topic.name,
            summary=f"{topic.slug} {topic.description}",
            status="published",
            visibility="public",
        )
        for topic in topics
    ]
    documents += [
        document(
            key=f"technology:{tech.pk}",
            target="technology",
            technology_id=tech.pk,
            title=tech.name,
            summary=f"{tech.slug} {' '.join(tech.aliases or [])}",
            status="published",
            visibility="public",
        )
        for tech in technologies
    ]
    document.objects.bulk_create(documents, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
        ("knowledge", "0002_seed_vocabulary"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_SQL, "sqlite": SQLITE_SQL}),
            _run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
        migrations.RunPython(index_vocabulary, migrations.RunPython.noop),
    ]

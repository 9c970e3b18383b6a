"""Every document's terms become the code_terms of all the text it indexes (title, summary,
body, code), as the services now write them. PostgreSQL finds the matches of a code token
by its joined form, so a document must hold it wherever the token is: before this, the
topics and technologies seeded by 0002 had no terms at all ("the N+1 problem" in the
GraphQL topic was found only by its pieces), and an entry's headings and vocabulary names
were left out. The seeded vocabulary's words are remembered for typo suggestions too."""

from django.db import migrations

from nexus.search.documents import code_terms, vocabulary_words

BATCH = 500


def recompute_terms(apps, schema_editor):
    document = apps.get_model("search", "SearchDocument")
    term = apps.get_model("search", "SearchTerm")
    last = 0
    while True:
        batch = list(
            document.objects.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "target", "title", "summary", "body", "code")[:BATCH]
        )
        if not batch:
            return
        for row in batch:
            row.terms = code_terms(row.title, row.summary, row.body, row.code)
        document.objects.bulk_update(batch, ["terms"])
        words = set().union(
            *(vocabulary_words(row.title, row.summary) for row in batch if row.target in ("topic", "technology"))
        )
        term.objects.bulk_create([term(term=word) for word in words], ignore_conflicts=True)
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("search", "0003_term_trigram_gist")]

    operations = [migrations.RunPython(recompute_terms, migrations.RunPython.noop)]

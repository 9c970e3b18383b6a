"""Demo content for search: entries that are mostly code, so the demo shows
code-aware search (select_related, django.db.models, --reuse-db, N+1). Our own words."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from nexus.accounts.models import User
from nexus.knowledge.services import entry_create, hub_ensure

# Kenji's e-commerce backend (see nexus/web/demo.py) is where these lessons belong.
DEMO_USERNAME = "kenji"

SEARCH_DEMO_ENTRIES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "challenge",
        "The admin list that made 400 queries",
        {
            "summary": "A foreign key in list_display, one query per row.",
            "topics": ["performance", "database-design"],
            "technologies": ["django"],
            "problem": "The order admin showed the customer's name in `list_display`, and every row fetched its "
            "customer on its own: an N+1 with 400 rows a page.",
            "solution": "Tell the admin to join:\n\n```python\nclass OrderAdmin(admin.ModelAdmin):\n"
            "    list_display = ['id', 'customer', 'total']\n    list_select_related = ['customer']\n```\n\n"
            "For a reverse relation (order lines) `prefetch_related` in `get_queryset` does the same.",
            "outcome": "Two queries a page, whatever the page size.",
        },
    ),
    (
        "best-practice",
        "Keep the test database between runs",
        {
            "summary": "pytest-django rebuilds it every time unless you ask it not to.",
            "topics": ["testing"],
            "technologies": ["pytest", "django"],
            "body": "## The flag\n\n```bash\npytest --reuse-db -q\n```\n\nRun `pytest --create-db` once after a "
            "migration changes the schema.\n\n## Why\n\nCreating the schema took longer than my tests did.\n",
        },
    ),
    (
        "concept",
        "Update expressions with F()",
        {
            "summary": "Let the database add, so two requests never overwrite each other's count.",
            "topics": ["database-design"],
            "technologies": ["django", "postgresql"],
            "body": "```python\nfrom django.db.models import F\n\nPost.objects.filter(pk=post.pk).update("
            "likes=F('likes') + 1)\n```\n\nReading the row, adding one in Python and saving it back loses "
            "likes when two people click at once. Saving an existing row: `save(update_fields=['title'])` "
            "writes only what changed.\n",
        },
    ),
    (
        "technology",
        "Transactions in Django",
        {
            "summary": "atomic blocks, savepoints and locking a row while you change it.",
            "technologies": ["django", "postgresql"],
            "body": "## atomic\n\n```python\nfrom django.db import transaction\n\nwith transaction.atomic():\n"
            "    account = Account.objects.select_for_update().get(pk=account_id)\n"
            "    account.balance -= amount\n    account.save(update_fields=['balance'])\n```\n\n"
            "## on_commit\n\nSend the e-mail with `transaction.on_commit` so a rollback does not send it.\n",
        },
    ),
    (
        "takeaway",
        "Count queries in tests, not seconds",
        {
            "summary": "django_assert_num_queries fails the build the day an N+1 sneaks back.",
            "topics": ["testing", "performance"],
            "technologies": ["pytest"],
            "body": "```python\ndef test_feed_query_count(client, django_assert_num_queries):\n"
            "    with django_assert_num_queries(3):\n        client.get('/feed/')\n```\n",
        },
    ),
    (
        "weekly-highlight",
        "Week 7: bulk imports without timeouts",
        {
            "week": 7,
            "technologies": ["django", "celery"],
            "body": "The CSV import now runs as a Celery task and writes rows with `bulk_create(batch_size=500)`"
            " instead of one `get_or_create` per line: four minutes became eleven seconds.\n",
        },
    ),
]


def search_demo_load() -> dict[str, int]:
    """Add the code-heavy entries to the demo learner's hub, each once (by title)."""
    owner = User.objects.filter(username__iexact=DEMO_USERNAME).first()
    if owner is None:
        return {"entries": 0}  # the demo cohort was not loaded
    hub = hub_ensure(owner)
    have = set(hub.entries.values_list("title", flat=True))
    added = 0
    with transaction.atomic():
        for kind, title, fields in SEARCH_DEMO_ENTRIES:
            if title not in have:
                entry_create(actor=owner, hub=hub, data={"kind": kind, "title": title, "status": "published", **fields})
                added += 1
    return {"entries": added}

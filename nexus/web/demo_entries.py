"""What the demo learners wrote in their hubs: our own words, for `make run`."""

from __future__ import annotations

from typing import Any

# Each learner's entries: (kind, title, fields). Fields may name topics and technologies
# by slug; "revisions" are later edits of the body, applied in order.
DEMO_ENTRIES: dict[str, list[tuple[str, str, dict[str, Any]]]] = {
    "amara": [
        (
            "technology",
            "Django REST Framework",
            {
                "summary": "Serializers, viewsets and why I stopped using ModelSerializer for output.",
                "technologies": ["django-rest-framework", "django"],
                "topics": ["rest-apis"],
                "body": "## What it gives me\n\nRequest parsing, content negotiation, auth classes and a browsable "
                "API.\n\n## What I learned the hard way\n\nA `ModelSerializer` inspects the model every time it is "
                "created. On a hot list endpoint, a plain `Serializer` with declared fields was measurably faster.\n",
                "revisions": [
                    "## What it gives me\n\nRequest parsing, content negotiation, auth classes and a browsable "
                    "API.\n\n## What I learned the hard way\n\nA `ModelSerializer` inspects the model every time it "
                    "is created. On a hot list endpoint, a plain `Serializer` with declared fields was measurably "
                    "faster.\n\n## Next\n\nTry cursor pagination on the recommendations feed.\n",
                ],
            },
        ),
        (
            "challenge",
            "N+1 queries on the movie list",
            {
                "summary": "Fifty movies, fifty-one queries.",
                "topics": ["database-design", "performance"],
                "technologies": ["django", "postgresql"],
                "problem": "The movie list made one query for the movies and one more per movie for its genres.",
                "solution": '```python\nMovie.objects.prefetch_related("genres")\n```\n\nNow it is two queries '
                "whatever the page size, and a test asserts exactly that.",
                "outcome": "The list went from 300 ms to 40 ms on my laptop.",
            },
        ),
        (
            "concept",
            "Caching strategies",
            {
                "topics": ["caching"],
                "technologies": ["redis"],
                "body": "## Cache-aside\n\nRead from the cache; on a miss, read the database and fill the cache.\n\n"
                "## Invalidation\n\nI bump a version number in the key when the data changes instead of hunting "
                "for every key to delete.\n",
            },
        ),
        (
            "best-practice",
            "Test the query count, not the clock",
            {
                "topics": ["testing", "performance"],
                "body": "Timings flake on shared CI machines. Query counts do not: assert that a list costs the same number of queries for 10 and 100 rows.\n",
            },
        ),
        (
            "takeaway",
            "Read the error message twice",
            {"body": "Half of my week-two bugs were explained in the first line of the traceback.\n"},
        ),
        (
            "weekly-highlight",
            "Week 3: my first background task",
            {
                "week": 3,
                "topics": ["message-queues"],
                "technologies": ["celery", "rabbitmq"],
                "body": "Sending the welcome e-mail from a Celery task taught me why tasks should take ids, not objects.\n",
            },
        ),
        (
            "note",
            "Collaboration",
            {"body": "Looking for a frontend partner for the movie recommendation app. Find me on Discord.\n"},
        ),
    ],
    "priya": [
        (
            "technology",
            "Celery",
            {
                "technologies": ["celery", "rabbitmq"],
                "topics": ["message-queues", "asynchronous-programming"],
                "body": "## Retries\n\nUse `autoretry_for` with backoff and make the task idempotent: a retried task must not send two e-mails.\n",
            },
        ),
        (
            "challenge",
            "Tasks lost when the worker restarted",
            {
                "topics": ["message-queues"],
                "technologies": ["celery"],
                "problem": "Deploys killed workers mid-task and those jobs never ran.",
                "solution": "`acks_late` with `reject_on_worker_lost`, so RabbitMQ redelivers the message.",
                "outcome": "No lost jobs in two weeks of deploys.",
            },
        ),
        (
            "concept",
            "Database design for a job board",
            {
                "topics": ["database-design"],
                "technologies": ["postgresql"],
                "body": "## Constraints first\n\nA unique constraint on (company, slug) caught a bug my tests missed.\n",
            },
        ),
        (
            "best-practice",
            "Secrets come from the environment",
            {
                "topics": ["security"],
                "body": "Nothing secret in settings files; one `.env.example` documents every variable.\n",
            },
        ),
        (
            "takeaway",
            "Small commits are easier to review",
            {"body": "My mentor reviewed ten small commits faster than one large one.\n"},
        ),
        (
            "weekly-highlight",
            "Week 5: CI on every push",
            {
                "week": 5,
                "topics": ["ci-cd"],
                "technologies": ["github-actions"],
                "body": "The pipeline now runs the tests against PostgreSQL and Redis service containers.\n",
            },
        ),
        ("note", "Reading list", {"body": "- Query plans with EXPLAIN ANALYZE\n- Idempotency keys in payment APIs\n"}),
    ],
    "tomas": [
        (
            "technology",
            "GraphQL from the client side",
            {
                "technologies": ["graphql"],
                "topics": ["graphql"],
                "body": "## Fragments\n\nI keep one fragment per component so a screen asks for exactly what it renders.\n",
            },
        ),
        (
            "challenge",
            "Poll results refreshing too often",
            {
                "topics": ["performance"],
                "problem": "Polling every second hammered the API.",
                "solution": "Poll every ten seconds and send `If-None-Match`; most answers are a 304 with no body.",
            },
        ),
        ("concept", "Optimistic UI", {"body": "Show the vote at once, roll it back if the API says no.\n"}),
        (
            "best-practice",
            "Read the OpenAPI document first",
            {
                "topics": ["rest-apis"],
                "technologies": ["openapi"],
                "body": "Generating the client types from `/api/schema/` caught two field renames before they reached users.\n",
            },
        ),
        (
            "takeaway",
            "Ask the backend for pagination early",
            {"body": "Cursor pagination changes how a feed component is written; better to know on day one.\n"},
        ),
        (
            "weekly-highlight",
            "Week 2: first call to a real API",
            {"week": 2, "body": "Logged in with a JWT pair and refreshed it before it expired.\n"},
        ),
        (
            "note",
            "Collaboration",
            {"body": "Building the poll app's voting screen; looking for the backend team that owns the API.\n"},
        ),
    ],
    "kenji": [
        (
            "technology",
            "PostgreSQL",
            {
                "technologies": ["postgresql"],
                "topics": ["database-design"],
                "body": "## Transactions\n\n`select_for_update` around the stock check stopped two carts buying the last item.\n",
            },
        ),
        (
            "challenge",
            "A test order charged twice",
            {
                "topics": ["asynchronous-programming"],
                "problem": "A retried payment task charged the card again.",
                "solution": "An idempotency key per order, stored with a unique constraint before calling the provider.",
                "outcome": "Retries are now harmless.",
            },
        ),
        (
            "concept",
            "Idempotency",
            {"body": "Doing a thing twice has the same effect as doing it once. Every retried operation needs it.\n"},
        ),
        (
            "best-practice",
            "Money is never a float",
            {"body": "Store integer cents or `Decimal`; format only at the edge.\n"},
        ),
        (
            "takeaway",
            "Constraints are documentation the database enforces",
            {
                "topics": ["database-design"],
                "body": "A check constraint says more than a comment and cannot go stale.\n",
            },
        ),
        (
            "weekly-highlight",
            "Week 4: checkout works end to end",
            {"week": 4, "body": "Cart, order and a fake payment provider, with tests for each failure.\n"},
        ),
        ("note", "Open questions", {"body": "How do others test webhooks from a payment provider locally?\n"}),
    ],
    "lucia": [
        (
            "technology",
            "Vue with a REST feed",
            {
                "topics": ["rest-apis"],
                "body": "## Infinite scroll\n\nFollowing the `next` link of a cursor page never skips or repeats a post.\n",
            },
        ),
        (
            "challenge",
            "Posts appearing twice in the feed",
            {
                "problem": "Offset pagination repeated posts when new ones arrived.",
                "solution": "Switched to the cursor links the API returns.",
            },
        ),
        (
            "concept",
            "CORS",
            {
                "topics": ["security"],
                "body": "The browser asks the API whether my origin may read the answer; the API lists allowed origins.\n",
            },
        ),
        (
            "best-practice",
            "Handle every error shape once",
            {
                "body": "The API always answers errors as `{error: {code, message, details}}`, so one handler shows them all.\n"
            },
        ),
        (
            "takeaway",
            "Accessibility is part of done",
            {"body": "Every image in the feed gets alt text from the post.\n"},
        ),
        (
            "weekly-highlight",
            "Week 3: the feed renders real data",
            {"week": 3, "body": "Connected the feed to the staging API and fixed date formatting.\n"},
        ),
        ("note", "Collaboration", {"body": "Frontend for the social feed; happy to pair on API contracts.\n"}),
    ],
    "dawit": [
        (
            "technology",
            "Redis",
            {
                "technologies": ["redis"],
                "topics": ["caching"],
                "body": "## Counters\n\n`INCR` is atomic, so vote counts never drift under concurrent requests.\n",
            },
        ),
        (
            "challenge",
            "Slow results query",
            {
                "topics": ["performance", "database-design"],
                "technologies": ["postgresql"],
                "problem": "Counting votes per option scanned the whole table.",
                "solution": "An index on (poll_id, option_id) and a cached total per poll.",
                "outcome": "From 900 ms to 12 ms.",
            },
        ),
        (
            "concept",
            "Indexes",
            {
                "topics": ["database-design"],
                "body": "An index helps when the query can use its leading columns; EXPLAIN says whether it does.\n",
            },
        ),
        (
            "best-practice",
            "Measure before caching",
            {
                "topics": ["performance"],
                "body": "The index alone was enough for most queries; the cache was for the hot poll only.\n",
            },
        ),
        (
            "takeaway",
            "One vote per user is a constraint",
            {"body": "A unique constraint on (poll, user) beat every check in Python.\n"},
        ),
        (
            "weekly-highlight",
            "Week 6: load tested the poll API",
            {"week": 6, "body": "wrk against a local gunicorn: 1,400 requests per second on the results endpoint.\n"},
        ),
        ("note", "Ideas", {"body": "Live results over server-sent events, maybe.\n"}),
    ],
    "sofia": [
        (
            "technology",
            "htmx",
            {"body": "## Partial pages\n\nThe server renders a fragment and htmx swaps it in; no build step.\n"},
        ),
        (
            "challenge",
            "CSRF failures on htmx posts",
            {
                "topics": ["security"],
                "problem": "Every htmx POST failed with 403.",
                "solution": "Send the CSRF token as a header from the page for every htmx request.",
            },
        ),
        (
            "concept",
            "Rate limiting",
            {
                "topics": ["security"],
                "body": "Limit by user when signed in and by address otherwise, and say when to retry.\n",
            },
        ),
        (
            "best-practice",
            "Escape on output",
            {
                "topics": ["security"],
                "body": "Templates escape by default; the one place Markdown becomes HTML runs a sanitiser.\n",
            },
        ),
        (
            "takeaway",
            "Security checks are a list, not a memory",
            {"body": "I keep a checklist for every new endpoint: auth, permission, input size, rate limit.\n"},
        ),
        (
            "weekly-highlight",
            "Week 5: the feed loads in one query",
            {
                "week": 5,
                "topics": ["performance"],
                "body": "select_related for authors and prefetch_related for likes.\n",
            },
        ),
        ("note", "Collaboration", {"body": "Full-stack on the social feed; I can help either side.\n"}),
    ],
}

# A demo learner suggests an edit to another's entry: (proposer, hub owner, entry title, new body, message).
DEMO_PROPOSAL = (
    "kenji",
    "amara",
    "Caching strategies",
    "## Cache-aside\n\nRead from the cache; on a miss, read the database and fill the cache.\n\n## Invalidation\n\n"
    "I bump a version number in the key when the data changes instead of hunting for every key to delete.\n\n"
    "## Stampedes\n\nWhen a hot key expires, many requests recompute it at once; a short lock or early refresh helps.\n",
    "Add a section on cache stampedes",
)

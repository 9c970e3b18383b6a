"""What the demo learners wrote in their hubs: our own words, for `make run`."""

from __future__ import annotations

from typing import Any

# Each learner's entries: (kind, title, fields). Fields may name topics and technologies
# by slug; "revisions" are later edits, applied in order: each a dict of the content fields
# it changes plus the revision's "message". Every learner has at least one.
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
                    {
                        "message": "Add what I want to try next",
                        "body": "## What it gives me\n\nRequest parsing, content negotiation, auth classes and a "
                        "browsable API.\n\n## What I learned the hard way\n\nA `ModelSerializer` inspects the model "
                        "every time it is created. On a hot list endpoint, a plain `Serializer` with declared fields "
                        "was measurably faster.\n\n## Next\n\nTry cursor pagination on the recommendations feed.\n",
                    },
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
                "revisions": [
                    {
                        "message": "Add a retry example and the max_retries pitfall",
                        "body": "## Retries\n\nUse `autoretry_for` with backoff and make the task idempotent: a "
                        "retried task must not send two e-mails.\n\n```python\n@shared_task(\n"
                        "    autoretry_for=(SMTPException,),\n    retry_backoff=True,\n    retry_jitter=True,\n"
                        "    max_retries=5,\n)\ndef application_email_send(application_id: int) -> None:\n"
                        "    application = Application.objects.get(pk=application_id)\n"
                        "    if application.email_sent_at is not None:\n        return  # a retry after success\n"
                        "    ...\n```\n\n## Pitfall\n\nThe default `max_retries` is 3. After the third retry Celery "
                        "gives up and the task fails for good, so set the number on purpose and log the final "
                        "failure where a person will see it.\n",
                    },
                ],
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
                "revisions": [
                    {
                        "message": "Add the pitfall: GraphQL errors arrive with status 200",
                        "body": "## Fragments\n\nI keep one fragment per component so a screen asks for exactly "
                        "what it renders.\n\n## Errors arrive with status 200\n\nA GraphQL server answers a failed "
                        "query with HTTP 200 and an `errors` list next to the (possibly partial) `data`. My fetch "
                        "wrapper used to check only `response.ok`; now it also reads `errors[0].extensions.code` and "
                        "shows a proper message for codes such as `entry_not_found`.\n",
                    },
                ],
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
                "revisions": [
                    {
                        "message": "Show the atomic block that select_for_update needs",
                        "body": "## Transactions\n\n`select_for_update` around the stock check stopped two carts "
                        "buying the last item. It only works inside a transaction: in autocommit mode Django raises "
                        "`TransactionManagementError` as soon as the query runs.\n\n```python\n"
                        "with transaction.atomic():\n"
                        "    product = Product.objects.select_for_update().get(pk=product_id)\n"
                        "    if product.stock < quantity:\n        raise OutOfStock(product_id)\n"
                        '    product.stock = F("stock") - quantity\n'
                        '    product.save(update_fields=["stock"])\n```\n',
                    },
                ],
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
                "revisions": [
                    {
                        "message": "Add what changes when the request sends cookies",
                        "body": "The browser asks the API whether my origin may read the answer; the API lists "
                        'allowed origins.\n\n## Cookies change the rules\n\nWith `credentials: "include"` the '
                        "browser refuses an answer allowing `*`: the API has to name my origin exactly and send "
                        "`Access-Control-Allow-Credentials: true`. With django-cors-headers that is:\n\n```python\n"
                        'CORS_ALLOWED_ORIGINS = ["http://localhost:5173"]\nCORS_ALLOW_CREDENTIALS = True\n```\n',
                    },
                ],
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
                "revisions": [
                    {
                        "message": "Counters with a window need their expiry set in the same transaction",
                        "body": "## Counters\n\n`INCR` is atomic, so vote counts never drift under concurrent "
                        "requests.\n\n## Expiry\n\n`INCR` on a missing key creates it with no expiry. For the "
                        "per-minute vote limit I send `INCR` and `EXPIRE` in one `MULTI`/`EXEC`, so a crash between "
                        "them cannot leave a counter that never resets:\n\n```python\n"
                        "pipe = client.pipeline()  # transactional by default\npipe.incr(key)\n"
                        "pipe.expire(key, 60, nx=True)  # NX (Redis 7): only the first increment starts the window\n"
                        "count, _ = pipe.execute()\n```\n\nWithout `nx` every vote pushes the expiry back and a busy "
                        "poll's counter never resets.\n",
                    },
                ],
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
                "revisions": [
                    {
                        "message": "Show the hx-headers line and add the outcome",
                        "solution": "Send the CSRF token as a header from the page for every htmx request. One "
                        "attribute on `<body>` covers them all:\n\n```html\n"
                        '<body hx-headers=\'{"X-CSRFToken": "{{ csrf_token }}"}\'>\n```\n\n'
                        "Django reads the `X-CSRFToken` header by default (`CSRF_HEADER_NAME`), so nothing else "
                        "changed on the server.",
                        "outcome": "Every htmx form posts again and no view needed `csrf_exempt`.",
                    },
                ],
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

# Suggested edits, one or more on every learner's hub, each by another demo member:
# (proposer, hub owner, entry title, changed content fields, message). They stay open.
DEMO_PROPOSALS: list[tuple[str, str, str, dict[str, str], str]] = [
    (
        "kenji",
        "amara",
        "Caching strategies",
        {
            "body": "## Cache-aside\n\nRead from the cache; on a miss, read the database and fill the cache.\n\n"
            "## Invalidation\n\nI bump a version number in the key when the data changes instead of hunting for "
            "every key to delete.\n\n## Stampedes\n\nWhen a hot key expires, many requests recompute it at once; a "
            "short lock or early refresh helps.\n",
        },
        "Add a section on cache stampedes",
    ),
    (
        "grace",
        "priya",
        "Database design for a job board",
        {
            "body": "## Constraints first\n\nA unique constraint on (company, slug) caught a bug my tests missed.\n\n"
            "## Archived postings\n\nAn archived posting should give its slug back. A partial unique constraint "
            "says exactly that, and PostgreSQL enforces it with a partial index:\n\n```python\n"
            "models.UniqueConstraint(\n"
            '    fields=["company", "slug"],\n'
            "    condition=models.Q(archived_at__isnull=True),\n"
            '    name="job_unique_live_slug",\n'
            ")\n```\n",
        },
        "Suggest a partial unique constraint so archived postings free their slug",
    ),
    (
        "ivan",
        "tomas",
        "Read the OpenAPI document first",
        {
            "body": "Generating the client types from `/api/schema/` caught two field renames before they reached "
            "users.\n\n## In CI\n\nRegenerate the schema on every push and fail when it differs from the committed "
            "file, so a rename shows up in review instead of in the client:\n\n```sh\n"
            "python manage.py spectacular --file openapi.yaml --validate\n"
            "git diff --exit-code openapi.yaml\n```\n",
        },
        "Add the CI check that catches schema drift before the client does",
    ),
    (
        "dawit",
        "kenji",
        "A test order charged twice",
        {
            "solution": "An idempotency key per order, stored with a unique constraint before calling the provider.\n\n"
            'Derive the key from the order, for example `f"order-{order.pk}-charge"`, never from `uuid4()` inside '
            "the task: a new key on every retry looks like a new payment to the provider.",
        },
        "Note that the key must come from the order, not from each attempt",
    ),
    (
        "sofia",
        "lucia",
        "Handle every error shape once",
        {
            "body": "The API always answers errors as `{error: {code, message, details}}`, so one handler shows them "
            "all.\n\nThe one code to treat differently is 429: the answer carries a `Retry-After` header with the "
            "seconds to wait, so the handler waits that long and retries once before showing anything.\n",
        },
        "Add the 429 case: wait for Retry-After before giving up",
    ),
    (
        "grace",
        "dawit",
        "Indexes",
        {
            "body": "An index helps when the query can use its leading columns; EXPLAIN says whether it does.\n\n"
            "## Example\n\nAn index on `(poll_id, option_id)` serves `WHERE poll_id = 7` and `WHERE poll_id = 7 AND "
            "option_id = 3`, but a filter on `option_id` alone cannot use it well. Check the plan with real "
            "numbers:\n\n```sql\nEXPLAIN (ANALYZE, BUFFERS)\n"
            "SELECT option_id, count(*) FROM polls_vote WHERE poll_id = 7 GROUP BY option_id;\n```\n\n"
            "Look for an index scan rather than `Seq Scan`, and compare the estimated rows with the actual ones.\n",
        },
        "Add a worked example of leading columns",
    ),
    (
        "priya",
        "sofia",
        "Rate limiting",
        {
            "body": "Limit by user when signed in and by address otherwise, and say when to retry.\n\n"
            "## Where the counters live\n\nKeep the counters in Redis, not in the local-memory cache: every "
            "gunicorn worker has its own memory, so with four workers a limit of 100 a minute quietly becomes "
            "400.\n",
        },
        "Add where the counters must live once there is more than one worker",
    ),
]

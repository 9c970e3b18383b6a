"""The demo cohort `make run` loads: people we made up, text we wrote."""

from __future__ import annotations

DEMO_PASSWORD = "nexus-demo-2026"
DEMO_COHORT = "2026-autumn"

# (username, display name, track, roles, github, discord, bio)
DEMO_PEOPLE: list[tuple[str, str, str, tuple[str, ...], str, str, str]] = [
    (
        "amara",
        "Amara Okafor",
        "backend",
        (),
        "amara-builds",
        "amara.okafor",
        "Building the movie recommendation API. Currently fighting my first N+1 query and "
        "winning with select_related. Looking for a frontend partner who likes charts.",
    ),
    (
        "tomas",
        "Tomás Lindqvist",
        "frontend",
        (),
        "tomaslind",
        "tomas_lind",
        "React and TypeScript. I want to build the poll app's voting screen against a real "
        "GraphQL API, with live results that do not hammer the server.",
    ),
    (
        "priya",
        "Priya Raman",
        "full-stack",
        (),
        "priya-r",
        "priya.codes",
        "Job board capstone, both ends. Writing down every Celery retry lesson so nobody "
        "else has to learn them at 2 a.m.",
    ),
    (
        "kenji",
        "Kenji Watanabe",
        "backend",
        (),
        "kenjiw",
        "kenji_w",
        "E-commerce backend: products, carts, orders. Obsessed with idempotency keys since "
        "a double-charged test order in week three.",
    ),
    (
        "lucia",
        "Lucía Fernández",
        "frontend",
        (),
        "luciafdz",
        "lucia.fdz",
        "Vue on the social feed project. I read API docs before I read the design file and I "
        "will politely ask for pagination that does not skip posts.",
    ),
    (
        "dawit",
        "Dawit Bekele",
        "backend",
        (),
        "dawit-b",
        "dawit.b",
        "Poll system API with PostgreSQL. Learning how far a good index takes you before you "
        "reach for a cache, and measuring both.",
    ),
    (
        "sofia",
        "Sofia Marino",
        "full-stack",
        (),
        "sofiamarino",
        "sofia_m",
        "Social media feed with Django and htmx. I keep a running list of security checks I "
        "forgot once and will not forget again.",
    ),
    (
        "grace",
        "Grace Mensah",
        "backend",
        ("mentor",),
        "gmensah",
        "grace.mentor",
        "Mentor for the backend track. Ask me about database design, query plans and how to "
        "write a README that a frontend teammate can actually use.",
    ),
    (
        "ivan",
        "Ivan Petrov",
        "full-stack",
        ("mentor",),
        "ivan-petrov-dev",
        "ivan.mentor",
        "Mentor for both tracks. I review API contracts, CI pipelines and Docker files, and I "
        "like a failing test more than a passing guess.",
    ),
]

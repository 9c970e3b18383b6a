"""Pages of the knowledge hub: hubs and vocabulary, entries and their history, proposals.

Each view parses the request, calls selectors and services, and renders; the rules and the
access decisions live in the core (services.py, selectors.py, permissions.py)."""

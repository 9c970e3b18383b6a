"""PostgreSQL whose reused connections are health-checked only after they sat idle."""

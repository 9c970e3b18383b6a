"""The topics and technologies every cohort starts with; mentors curate them from here."""

from django.db import migrations

TOPICS = [
    ("REST APIs", "rest-apis", "Designing resources, status codes, pagination and versioning."),
    ("GraphQL", "graphql", "Schemas, resolvers, query cost and the N+1 problem in another guise."),
    ("Message Queues", "message-queues", "Brokers, acknowledgements, retries and idempotent consumers."),
    ("CI/CD", "ci-cd", "Pipelines that test, build and ship on every push."),
    ("Caching", "caching", "What to cache, for how long, and how to invalidate it."),
    ("Database Design", "database-design", "Schemas, normalisation, indexes and constraints."),
    ("Asynchronous Programming", "asynchronous-programming", "Background work, event loops and concurrency."),
    ("Authentication", "authentication", "Sessions, tokens, JWT and who may do what."),
    ("Security", "security", "Input validation, secrets, rate limits and least privilege."),
    ("System Design", "system-design", "Trade-offs of scale, availability and consistency."),
    ("Testing", "testing", "Unit, integration and end-to-end tests that catch real bugs."),
    ("Containers", "containers", "Images, compose files and running the same thing everywhere."),
    ("Performance", "performance", "Measuring before optimising; query counts, profiles and load tests."),
]

TECHNOLOGIES = [
    ("Python", "python", []),
    ("Django", "django", []),
    ("Django REST Framework", "django-rest-framework", ["DRF"]),
    ("GraphQL", "graphql", ["Graphene", "Strawberry"]),
    ("Celery", "celery", []),
    ("RabbitMQ", "rabbitmq", ["AMQP"]),
    ("Redis", "redis", []),
    ("PostgreSQL", "postgresql", ["Postgres", "psql"]),
    ("Docker", "docker", ["Docker Compose"]),
    ("Kubernetes", "kubernetes", ["k8s"]),
    ("GitHub Actions", "github-actions", []),
    ("Nginx", "nginx", []),
    ("JWT", "jwt", ["JSON Web Tokens", "SimpleJWT"]),
    ("OpenAPI", "openapi", ["Swagger"]),
    ("pytest", "pytest", []),
    ("SQLite", "sqlite", []),
]


def seed(apps, schema_editor):
    Topic = apps.get_model("knowledge", "Topic")
    Technology = apps.get_model("knowledge", "Technology")
    for name, slug, description in TOPICS:
        Topic.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
    for name, slug, aliases in TECHNOLOGIES:
        Technology.objects.get_or_create(slug=slug, defaults={"name": name, "aliases": aliases})


def unseed(apps, schema_editor):
    apps.get_model("knowledge", "Topic").objects.filter(slug__in=[t[1] for t in TOPICS]).delete()
    apps.get_model("knowledge", "Technology").objects.filter(slug__in=[t[1] for t in TECHNOLOGIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]

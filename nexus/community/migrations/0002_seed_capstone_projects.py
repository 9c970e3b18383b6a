"""The program's capstone projects; mentors add more on the board."""

from django.db import migrations

CAPSTONES = [
    (
        "E-commerce backend",
        "e-commerce-backend",
        "Products, categories, carts and orders behind a documented API: filtering, sorting and "
        "pagination over a large catalogue, JWT sign-in, and payments that never charge twice.",
    ),
    (
        "Job board",
        "job-board",
        "Employers post roles, candidates search and apply: role-based access, full-text search "
        "with filters, and background jobs that e-mail new matches.",
    ),
    (
        "Movie recommendation",
        "movie-recommendation",
        "Trending and recommended films from a public movie API, cached so the page stays fast; "
        "users save favourites and get suggestions from them.",
    ),
    (
        "Social media feed",
        "social-media-feed",
        "Posts, comments, likes and follows served over GraphQL, with a feed that pages without "
        "skipping or repeating posts as new ones arrive.",
    ),
    (
        "Online poll",
        "online-poll",
        "Create polls, vote once, see results live: vote counting that stays right under load, "
        "and results computed without counting every row on each request.",
    ),
]


def seed(apps, schema_editor):
    Project = apps.get_model("community", "Project")
    for title, slug, description in CAPSTONES:
        Project.objects.get_or_create(
            slug=slug, defaults={"title": title, "description": description, "is_capstone": True}
        )


def unseed(apps, schema_editor):
    Project = apps.get_model("community", "Project")
    Project.objects.filter(slug__in=[slug for _, slug, _ in CAPSTONES], is_capstone=True).delete()


class Migration(migrations.Migration):
    dependencies = [("community", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]

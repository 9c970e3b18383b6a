"""Nexus: the knowledge hub of a backend-engineering cohort."""

# Load the Celery app with Django so that `shared_task` binds to it in every process.
from nexus.celery import app as celery_app

__all__ = ["celery_app"]

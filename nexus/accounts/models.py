from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower

from nexus.core.models import TimeStampedModel


class NexusUserManager(UserManager["User"]):
    def _create_user(self, username: str, email: str | None, password: str | None, **extra_fields: Any) -> "User":
        # createsuperuser and fixtures make users too: every user has a profile.
        user = super()._create_user(username, email, password, **extra_fields)  # type: ignore[misc]
        Profile.objects.get_or_create(user=user)
        return user


class User(AbstractUser):
    """A person in the cohort. Custom from the first migration so it can grow."""

    objects = NexusUserManager()  # type: ignore[misc]

    class Meta(AbstractUser.Meta):
        constraints = [
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique", condition=~models.Q(email="")),
        ]


class Track(models.TextChoices):
    BACKEND = "backend", "Backend"
    FRONTEND = "frontend", "Frontend"
    FULL_STACK = "full-stack", "Full-stack"


# PostgreSQL refuses NUL in text; refuse it first with a message instead of a 500.
no_nul = ProhibitNullCharactersValidator()
github_handle = RegexValidator(
    r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$",
    "A GitHub handle has 1 to 39 letters, digits or single hyphens, and no @.",
)
discord_handle = RegexValidator(
    r"^[a-z0-9_.]{2,32}$",
    "A Discord username has 2 to 32 lowercase letters, digits, underscores or dots.",
)


class Profile(TimeStampedModel):
    """What the cohort sees of a person: public on their profile page and in the API."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, primary_key=True, related_name="profile")
    display_name = models.CharField(max_length=80, blank=True, validators=[no_nul])
    track = models.CharField(max_length=16, choices=Track.choices, default=Track.BACKEND)
    cohort = models.CharField(max_length=60, blank=True, validators=[no_nul], help_text="e.g. 2026-spring")
    # TextField.max_length only sizes form widgets; the validator makes it a rule.
    bio = models.TextField(max_length=2000, blank=True, validators=[no_nul, MaxLengthValidator(2000)])
    github = models.CharField("GitHub handle", max_length=39, blank=True, validators=[github_handle])
    discord = models.CharField("Discord username", max_length=32, blank=True, validators=[discord_handle])

    class Meta:
        indexes = [models.Index(fields=["track", "cohort"], name="profile_track_cohort_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.user.username

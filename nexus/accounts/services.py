"""Writes to accounts. Each service owns its transaction and checks its permission."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from nexus.accounts.caching import profiles_changed
from nexus.accounts.errors import RegistrationInvalid
from nexus.accounts.models import Profile, Track, User
from nexus.accounts.permissions import require_edit_profile, require_manage_roles
from nexus.accounts.roles import Role, role_holders_changed
from nexus.audit.services import audit_record
from nexus.core.errors import InvalidInput, field_errors
from nexus.core.outbox import outbox_enqueue

PROFILE_FIELDS = ("display_name", "track", "cohort", "bio", "github", "discord")


def user_register(
    *,
    username: str,
    email: str,
    password: str,
    display_name: str = "",
    track: str = Track.BACKEND,
    cohort: str = "",
) -> User:
    """Create an account with its profile and queue the welcome e-mail."""
    errors: dict[str, list[str]] = {}
    user = User(username=username.strip(), email=User.objects.normalize_email(email.strip()))
    profile = Profile(user=user, display_name=display_name.strip(), track=track, cohort=cohort.strip())
    try:
        # Uniqueness is checked below, case-insensitively, with messages per field.
        user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors.update(field_errors(error))
    if not email.strip():
        errors.setdefault("email", []).append("An e-mail address is required.")
    elif User.objects.filter(email__iexact=user.email).exists():
        errors.setdefault("email", []).append("An account with this e-mail address already exists.")
    if "username" not in errors and User.objects.filter(username__iexact=user.username).exists():
        errors["username"] = ["This username is taken."]
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        errors["password"] = list(error.messages)
    try:
        profile.full_clean(exclude=["user"])
    except ValidationError as error:
        errors.update(field_errors(error))
    if errors:
        raise RegistrationInvalid(details=errors)

    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            profile.user = user
            profile.save()
            outbox_enqueue(
                topic="accounts.welcome_email",
                payload={"user_id": user.pk},
                key=f"accounts.welcome_email:{user.pk}",
            )
    except IntegrityError:
        # Two sign-ups raced for the same name; the loser gets the same answer as above.
        raise RegistrationInvalid(details={"username": ["This username or e-mail address is taken."]}) from None
    return user


def profile_update(*, actor: Any, user: User, data: dict[str, Any]) -> Profile:
    """Change the public profile fields the actor sent; other fields are left as they were."""
    require_edit_profile(actor, user)
    unknown = sorted(set(data) - set(PROFILE_FIELDS))
    if unknown:
        raise InvalidInput(details={name: ["This profile field does not exist."] for name in unknown})
    with transaction.atomic():
        Profile.objects.get_or_create(user=user)  # users made in the admin have none yet
        profile = Profile.objects.select_for_update().get(user=user)
        for field, value in data.items():
            setattr(profile, field, value.strip() if isinstance(value, str) and field != "bio" else value)
        try:
            profile.full_clean(exclude=["user"])
        except ValidationError as error:
            raise InvalidInput(details=field_errors(error)) from error
        profile.save(update_fields=[*data.keys(), "updated_at"])
        profiles_changed()
    user.profile = profile
    return profile


def role_grant(*, actor: Any | None, user: User, role: Role) -> None:
    """Give a user a role (mentor, admin); idempotent."""
    require_manage_roles(actor)
    with transaction.atomic():
        group, _ = Group.objects.get_or_create(name=role.value)
        if not user.groups.filter(pk=group.pk).exists():  # audited only when it changes something
            user.groups.add(group)
            audit_record(actor=actor, action="role.grant", target=user, details={"role": role.value})
    role_holders_changed()


def role_revoke(*, actor: Any | None, user: User, role: Role) -> None:
    """Take a role away from a user; idempotent."""
    require_manage_roles(actor)
    with transaction.atomic():
        held = list(user.groups.filter(name=role.value))
        if held:
            user.groups.remove(*held)
            audit_record(actor=actor, action="role.revoke", target=user, details={"role": role.value})
    role_holders_changed()

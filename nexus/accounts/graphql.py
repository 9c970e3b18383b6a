"""GraphQL face of accounts: `me`, `user(username:)` and `updateProfile`."""

from __future__ import annotations

import strawberry
import strawberry_django
from strawberry import auto
from strawberry.types import Info

from nexus.accounts.models import Profile, User
from nexus.accounts.roles import user_roles
from nexus.accounts.selectors import user_get_me, user_get_public
from nexus.accounts.services import profile_update
from nexus.graphql.context import signed_in_user


@strawberry_django.type(Profile, name="Profile")
class ProfileType:
    display_name: auto
    track: auto
    cohort: auto
    bio: auto
    github: auto
    discord: auto


@strawberry_django.type(User, name="User")
class UserType:
    username: auto
    date_joined: auto
    profile: ProfileType

    @strawberry_django.field(prefetch_related=["groups"], description="Roles: mentor, admin.")
    def roles(self, root: strawberry.Parent[User]) -> list[str]:  # type: ignore[misc]
        return sorted(role.value for role in user_roles(root))


@strawberry_django.type(User, name="Me")
class MeType(UserType):
    email: auto


@strawberry.input(description="Profile fields to change; omitted fields keep their value.")
class ProfileUpdateInput:
    display_name: str | None = strawberry.UNSET
    track: str | None = strawberry.UNSET
    cohort: str | None = strawberry.UNSET
    bio: str | None = strawberry.UNSET
    github: str | None = strawberry.UNSET
    discord: str | None = strawberry.UNSET


@strawberry.type
class AccountsQuery:
    @strawberry.field(description="The signed-in member, or null.")
    def me(self, info: Info) -> MeType | None:
        user = info.context.request.user
        return user_get_me(user) if user.is_authenticated else None  # type: ignore[return-value]

    @strawberry.field(description="A member's public profile.")
    def user(self, username: str) -> UserType:
        return user_get_public(username)  # type: ignore[return-value]


@strawberry.type
class AccountsMutation:
    @strawberry.mutation(description="Update your profile.")
    def update_profile(self, info: Info, input: ProfileUpdateInput) -> MeType:
        user = signed_in_user(info)
        data = {
            name: ("" if value is None else value)
            for name, value in vars(input).items()
            if value is not strawberry.UNSET
        }
        profile_update(actor=user, user=user_get_me(user), data=data)
        return user_get_me(user)  # type: ignore[return-value]

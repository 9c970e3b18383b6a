from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth.models import Group

from nexus.accounts.models import Profile, User


class UserFactory(factory.django.DjangoModelFactory):
    """A member with a profile; `profile__<field>=...` sets profile fields, `roles=[...]` groups."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"learner{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("a long enough password")

    @factory.post_generation
    def profile(self, create: bool, extracted: Any, **fields: Any) -> None:
        profile, _ = Profile.objects.get_or_create(user=self)
        if fields:
            for name, value in fields.items():
                setattr(profile, name, value)
            profile.save()

    @factory.post_generation
    def roles(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        for role in extracted or ():
            self.groups.add(Group.objects.get_or_create(name=str(role))[0])

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from nexus.accounts.caching import profiles_changed
from nexus.accounts.models import Profile, User
from nexus.accounts.roles import role_holders_changed


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False


@admin.register(User)
class NexusUserAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "email", "is_active", "date_joined"]

    def save_related(self, request, form, formsets, change) -> None:  # type: ignore[no-untyped-def]
        super().save_related(request, form, formsets, change)
        role_holders_changed()  # the groups field may have changed someone's role
        profiles_changed()

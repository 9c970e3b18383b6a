from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from nexus.accounts.models import Profile, User


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False


@admin.register(User)
class NexusUserAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "email", "is_active", "date_joined"]

"""Pages of accounts: sign up, log in and out, edit your profile, see anyone's profile."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from nexus.accounts.forms import ProfileForm, SignupForm
from nexus.accounts.roles import user_roles
from nexus.accounts.selectors import user_get_me, user_get_public
from nexus.accounts.services import profile_update, user_register
from nexus.core.errors import NexusError
from nexus.core.forms import form_add_error_details


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:profile-edit")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_register(**form.cleaned_data)
        except NexusError as error:
            form_add_error_details(form, error)
        else:
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            messages.success(request, "Welcome to Nexus! Tell the cohort a little about yourself.")
            return redirect("accounts:profile-edit")
    return render(request, "accounts/signup.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    user = user_get_me(request.user)
    form = ProfileForm(request.POST or None, instance=user.profile)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            profile_update(actor=request.user, user=user, data=data)
        except NexusError as error:
            form_add_error_details(form, error)
        else:
            messages.success(request, "Profile saved.")
            return redirect("accounts:public-profile", username=user.username)
    return render(request, "accounts/profile_edit.html", {"form": form}, status=400 if form.errors else 200)


def public_profile(request: HttpRequest, username: str) -> HttpResponse:
    member = user_get_public(username)
    roles = sorted(role.value for role in user_roles(member))
    return render(request, "accounts/profile.html", {"member": member, "roles": roles})

"""Pages: notifications, e-mail preference, one-click unsubscribe, follow buttons, and
webhooks management. Each view parses, calls a selector or service, renders."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from nexus.accounts.roles import Role, user_has_role
from nexus.core.errors import InvalidInput, NexusError
from nexus.knowledge.selectors import hub_get_for_user
from nexus.notifications.errors import WebhookUrlRefused
from nexus.notifications.forms import PreferenceForm, WebhookForm, WebhookStateForm
from nexus.notifications.selectors import (
    follow_exists,
    follow_list_for,
    follow_target_get,
    notification_list_for,
    preference_get,
    webhook_delivery_list,
    webhook_get_for_manager,
    webhook_list_for,
)
from nexus.notifications.services import (
    follow_create,
    follow_delete,
    notification_mark_all_read,
    notification_mark_read,
    preference_set,
    unsubscribe,
    webhook_create,
    webhook_delete,
    webhook_update,
)

PAGE_SIZE = 30


def _before(request: HttpRequest) -> int | None:
    before = request.GET.get("before", "")
    if not before:
        return None
    if not (before.isascii() and before.isdigit() and len(before) <= 18):
        raise InvalidInput(details={"before": ["Use the link at the end of the page."]})
    return int(before)


def _posted(request: HttpRequest) -> Any:
    """The POSTed data for a bound form (even when empty: an unticked box sends nothing)."""
    return request.POST if request.method == "POST" else None


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.headers.get("Referer") or fallback
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    items = notification_list_for(request.user, unread_only=unread_only)
    before = _before(request)
    if before is not None:
        items = items.filter(pk__lt=before)
    rows = list(items[: PAGE_SIZE + 1])
    next_before = rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None
    context = {"notifications": rows[:PAGE_SIZE], "next_before": next_before, "unread_only": unread_only}
    return render(request, "notifications/list.html", context)


@login_required
@require_POST
def notification_read_view(request: HttpRequest) -> HttpResponse:
    if request.POST.get("all"):
        count = notification_mark_all_read(actor=request.user)
        messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
    else:
        # Ids that cannot be a 64-bit key name nothing; at most a page of them at once.
        ids = [int(v) for v in request.POST.getlist("id") if v.isascii() and v.isdigit() and len(v) <= 18][:100]
        notification_mark_read(actor=request.user, notification_ids=ids)
    return redirect(_safe_next(request, reverse("notifications:list")))


@login_required
@require_http_methods(["GET", "POST"])
def preference_edit(request: HttpRequest) -> HttpResponse:
    form = PreferenceForm(_posted(request), initial={"email_frequency": preference_get(request.user)})
    if request.method == "POST" and form.is_valid():
        preference_set(actor=request.user, email_frequency=form.cleaned_data["email_frequency"])
        messages.success(request, "Your e-mail preference is saved.")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


# A mail client's one-click unsubscribe (RFC 8058) POSTs without a session or CSRF token;
# the signed token in the URL is what authorises it.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        user = unsubscribe(token=token)
        return render(request, "notifications/unsubscribed.html", {"unsubscribed": user})
    return render(request, "notifications/unsubscribed.html", {"token": token})


@require_POST
def follow_toggle(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(_safe_next(request, "/"))
    target = follow_target_get(request.user, request.POST.get("target_type", ""), request.POST.get("target_id", ""))
    if request.POST.get("action") == "unfollow":
        follow_delete(actor=request.user, target=target)
    else:
        follow_create(actor=request.user, target=target)
    if request.htmx:  # type: ignore[attr-defined]
        context = {"target": target, "following": follow_exists(request.user, target)}
        return render(request, "notifications/_follow_form.html", context)
    return redirect(_safe_next(request, "/"))


@login_required
def follow_list(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/follows.html", {"follows": list(follow_list_for(request.user)[:200])})


@login_required
@require_http_methods(["GET", "POST"])
def webhook_list(request: HttpRequest) -> HttpResponse:
    site_wide = user_has_role(request.user, Role.ADMIN)
    form = WebhookForm(_posted(request), site_wide=site_wide)
    if request.method == "POST" and form.is_valid():
        hub = None
        if form.cleaned_data["scope"] == "hub":
            hub = hub_get_for_user(request.user, request.user.username)  # type: ignore[union-attr]
        try:
            webhook = webhook_create(actor=request.user, hub=hub, data=form.data_for_service())
        except (InvalidInput, WebhookUrlRefused) as error:
            _form_errors(form, error)
        else:
            messages.success(request, "Webhook added. Its signing secret is shown below.")
            return redirect("notifications:webhook-detail", webhook_id=webhook.pk)
    context = {"form": form, "webhooks": list(webhook_list_for(request.user)[:100])}
    return render(request, "notifications/webhooks.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def webhook_detail(request: HttpRequest, webhook_id: int) -> HttpResponse:
    webhook = webhook_get_for_manager(request.user, webhook_id)
    form = WebhookStateForm(_posted(request), initial={"is_active": webhook.is_active})
    if request.method == "POST" and form.is_valid():
        webhook_update(actor=request.user, webhook=webhook, data={"is_active": form.cleaned_data["is_active"]})
        messages.success(request, "Webhook switched on." if webhook.is_active else "Webhook switched off.")
        return redirect("notifications:webhook-detail", webhook_id=webhook.pk)
    deliveries = list(webhook_delivery_list(webhook)[:50])
    return render(request, "notifications/webhook.html", {"webhook": webhook, "form": form, "deliveries": deliveries})


@login_required
@require_POST
def webhook_delete_view(request: HttpRequest, webhook_id: int) -> HttpResponseRedirect:
    webhook = webhook_get_for_manager(request.user, webhook_id)
    webhook_delete(actor=request.user, webhook=webhook)
    messages.success(request, f"Webhook “{webhook.name}” deleted.")
    return redirect("notifications:webhooks")


def _form_errors(form: Any, error: NexusError) -> None:
    for name, problems in error.details.items():
        for problem in problems:
            form.add_error(name if name in form.fields else None, problem)
    if not error.details:
        form.add_error(None, error.message)

from django.urls import path

from nexus.notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/read/", views.notification_read_view, name="read"),
    path("notifications/preferences/", views.preference_edit, name="preferences"),
    path("notifications/follow/", views.follow_toggle, name="follow"),
    path("notifications/follows/", views.follow_list, name="follows"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe_view, name="unsubscribe"),
    path("notifications/webhooks/", views.webhook_list, name="webhooks"),
    path("notifications/webhooks/<int:webhook_id>/", views.webhook_detail, name="webhook-detail"),
    path("notifications/webhooks/<int:webhook_id>/delete/", views.webhook_delete_view, name="webhook-delete"),
]

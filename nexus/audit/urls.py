from django.urls import path

from nexus.audit import views

app_name = "audit"

urlpatterns = [
    path("audit/", views.audit_events, name="events"),
]

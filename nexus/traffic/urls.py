from django.urls import path

from nexus.traffic import views

app_name = "traffic"

urlpatterns = [
    path("traffic/", views.dashboard, name="dashboard"),
    path("traffic/flags/<int:flag_id>/review/", views.flag_review_view, name="flag-review"),
    path("traffic/rules/", views.rule_save_view, name="rule-save"),
    path("traffic/rules/delete/", views.rule_delete_view, name="rule-delete"),
    path("traffic/unlock/", views.unlock_view, name="unlock"),
]

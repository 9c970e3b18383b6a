from django.urls import path

from nexus.interchange import views

app_name = "interchange"

urlpatterns = [
    path("import/", views.readme_import_page, name="import"),
]

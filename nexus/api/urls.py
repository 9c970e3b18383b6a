"""The REST router: every app's `api_urlpatterns` under /api/v1/, plus the API docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from nexus.accounts.rest import api_urlpatterns as accounts_api
from nexus.audit.rest import api_urlpatterns as audit_api
from nexus.community.rest import api_urlpatterns as community_api
from nexus.interchange.rest import api_urlpatterns as interchange_api
from nexus.knowledge.rest import api_urlpatterns as knowledge_api
from nexus.notifications.rest import api_urlpatterns as notifications_api
from nexus.search.rest import api_urlpatterns as search_api
from nexus.traffic.rest import api_urlpatterns as traffic_api

app_name = "api"

v1 = [
    *accounts_api,
    *knowledge_api,
    *interchange_api,
    *audit_api,
    *traffic_api,
    *community_api,
    *search_api,
    *notifications_api,
]

urlpatterns = [
    path("v1/", include((v1, "v1"))),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]

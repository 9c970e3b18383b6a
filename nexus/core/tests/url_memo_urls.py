"""A URLconf of its own for the {% url %} memo's tests (the kernel knows no app's URLs)."""

from django.http import HttpResponse
from django.urls import include, path


def _view(request: object, **kwargs: object) -> HttpResponse:
    return HttpResponse()


members = (
    [path("", _view, name="list"), path("<str:name>/", _view, name="detail")],
    "members",
)

urlpatterns = [
    path("", _view, name="home"),
    path("items/<int:pk>/", _view, name="item"),
    path("words/<str:word>/", _view, name="word"),
    path("members/", include(members)),
]

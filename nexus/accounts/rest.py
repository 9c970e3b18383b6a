"""REST face of accounts: registration, JWT tokens, /me and public profiles."""

from __future__ import annotations

from typing import Any

import django_filters
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt import serializers as jwt_serializers
from rest_framework_simplejwt import views as jwt_views
from rest_framework_simplejwt.tokens import RefreshToken

from nexus.accounts.models import Profile, Track, User
from nexus.accounts.roles import user_roles
from nexus.accounts.selectors import user_get_me, user_get_public, user_list_public
from nexus.accounts.services import profile_update, user_register
from nexus.api.serializers import ErrorOutput, InputSerializer, StrictInputMixin, representer

ERRORS = {
    400: OpenApiResponse(ErrorOutput, description="Invalid input"),
    401: OpenApiResponse(ErrorOutput, description="Not authenticated"),
}


# --- Output -----------------------------------------------------------------------------


# Output serializers declare their fields: ModelSerializer would rebuild them from the
# model on every instantiation, which costs more than the query on a detail endpoint.


class ProfileOutput(serializers.Serializer):
    display_name = serializers.CharField()
    track = serializers.ChoiceField(choices=Track.choices)
    cohort = serializers.CharField()
    bio = serializers.CharField()
    github = serializers.CharField()
    discord = serializers.CharField()


class UserOutput(serializers.Serializer):
    """A member as anyone sees them."""

    username = serializers.CharField()
    date_joined = serializers.DateTimeField()
    profile = ProfileOutput()
    roles = serializers.SerializerMethodField()

    def get_roles(self, user: User) -> list[str]:
        return sorted(role.value for role in user_roles(user))


user_output = representer(UserOutput)


class MeOutput(UserOutput):
    """The signed-in member, with what only they see."""

    email = serializers.EmailField()


class TokenPairOutput(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class RegisterOutput(serializers.Serializer):
    user = MeOutput()
    tokens = TokenPairOutput()


# --- Input ------------------------------------------------------------------------------


class RegisterInput(InputSerializer):
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, style={"input_type": "password"})
    display_name = serializers.CharField(max_length=80, required=False, allow_blank=True)
    track = serializers.ChoiceField(choices=Track.choices, required=False)
    cohort = serializers.CharField(max_length=60, required=False, allow_blank=True)


class ProfileUpdateInput(StrictInputMixin, serializers.ModelSerializer):
    class Meta:
        model = Profile
        fields = ["display_name", "track", "cohort", "bio", "github", "discord"]


class LogoutInput(InputSerializer):
    refresh = serializers.CharField()


class TokenObtainInput(StrictInputMixin, jwt_serializers.TokenObtainPairSerializer):
    pass


class TokenRefreshInput(StrictInputMixin, jwt_serializers.TokenRefreshSerializer):
    pass


class TokenVerifyInput(StrictInputMixin, jwt_serializers.TokenVerifySerializer):
    pass


# --- Views ------------------------------------------------------------------------------


def token_pair_for(user: User) -> dict[str, str]:
    refresh = RefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


class RegisterApi(APIView):
    permission_classes = [AllowAny]
    throttle_scope = "auth"

    @extend_schema(
        operation_id="auth_register",
        tags=["auth"],
        request=RegisterInput,
        responses={201: RegisterOutput, 400: ERRORS[400]},
        summary="Create an account and receive a JWT pair",
    )
    def post(self, request: Request) -> Response:
        data = RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_register(**data.validated_data)
        user = user_get_me(user)
        body = {"user": MeOutput(user).data, "tokens": token_pair_for(user)}
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(tags=["auth"], summary="Exchange username and password for a JWT pair")
class TokenObtainApi(jwt_views.TokenObtainPairView):
    serializer_class = TokenObtainInput  # type: ignore[assignment]
    throttle_scope = "auth"


@extend_schema(tags=["auth"], summary="Rotate a refresh token: returns a new pair, the old refresh is blacklisted")
class TokenRefreshApi(jwt_views.TokenRefreshView):
    serializer_class = TokenRefreshInput  # type: ignore[assignment]
    throttle_scope = "auth"


@extend_schema(tags=["auth"], summary="Check that a token is valid")
class TokenVerifyApi(jwt_views.TokenVerifyView):
    serializer_class = TokenVerifyInput  # type: ignore[assignment]


class LogoutApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_logout",
        tags=["auth"],
        request=LogoutInput,
        responses={204: None, 400: ERRORS[400], 401: ERRORS[401]},
        summary="Blacklist a refresh token so it can no longer be used",
    )
    def post(self, request: Request) -> Response:
        data = LogoutInput(data=request.data)
        data.is_valid(raise_exception=True)
        # simplejwt validates and blacklists the token (401 token_not_valid when it is not).
        blacklist = jwt_serializers.TokenBlacklistSerializer(data={"refresh": data.validated_data["refresh"]})
        blacklist.is_valid(raise_exception=True)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="me_get", tags=["accounts"], responses={200: MeOutput, 401: ERRORS[401]})
    def get(self, request: Request) -> Response:
        return Response(MeOutput(user_get_me(request.user)).data)

    @extend_schema(
        operation_id="me_update",
        tags=["accounts"],
        request=ProfileUpdateInput,
        responses={200: MeOutput, 400: ERRORS[400], 401: ERRORS[401]},
        summary="Update your profile (send only the fields to change)",
    )
    def patch(self, request: Request) -> Response:
        data = ProfileUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        user = user_get_me(request.user)
        profile_update(actor=request.user, user=user, data=dict(data.validated_data))
        return Response(MeOutput(user_get_me(user)).data)


class UserFilter(django_filters.FilterSet):
    track = django_filters.ChoiceFilter(field_name="profile__track", choices=Track.choices)
    cohort = django_filters.CharFilter(field_name="profile__cohort", lookup_expr="iexact")

    class Meta:
        model = User
        fields: list[str] = []


@extend_schema(tags=["accounts"], summary="Members of the cohort, newest first")
class UserListApi(ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = UserOutput
    filterset_class = UserFilter

    def get_queryset(self) -> Any:
        return user_list_public()


class UserDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="users_retrieve",
        tags=["accounts"],
        responses={200: UserOutput, 404: OpenApiResponse(ErrorOutput, description="No such member")},
        summary="A member's public profile",
    )
    def get(self, request: Request, username: str) -> Response:
        return Response(user_output(user_get_public(username)))


api_urlpatterns = [
    path("auth/register", RegisterApi.as_view(), name="auth-register"),
    path("auth/token", TokenObtainApi.as_view(), name="auth-token"),
    path("auth/token/refresh", TokenRefreshApi.as_view(), name="auth-token-refresh"),
    path("auth/token/verify", TokenVerifyApi.as_view(), name="auth-token-verify"),
    path("auth/logout", LogoutApi.as_view(), name="auth-logout"),
    path("me", MeApi.as_view(), name="me"),
    path("users", UserListApi.as_view(), name="user-list"),
    path("users/<str:username>", UserDetailApi.as_view(), name="user-detail"),
]

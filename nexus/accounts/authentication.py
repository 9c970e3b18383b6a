"""Bearer tokens for API clients: simplejwt's JWTAuthentication, with its user lookup
read by accounts.selectors.user_by_id (a statement written once), where the ORM's
`User.objects.get` cost a signed-in API request as much as the entry it asked for."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import get_md5_hash_password

from nexus.accounts.selectors import user_by_id


class BearerAuthentication(JWTAuthentication):
    def get_user(self, validated_token: Any) -> Any:
        if api_settings.USER_ID_FIELD != "id":  # user_by_id reads by primary key only
            return super().get_user(validated_token)
        # The checks of JWTAuthentication.get_user, in its order and with its messages.
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as error:
            raise InvalidToken(_("Token contained no recognizable user identification")) from error
        user = user_by_id(user_id)
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(_("The user's password has been changed."), code="password_changed")
        return user


class BearerScheme(SimpleJWTScheme):
    """The OpenAPI security scheme of BearerAuthentication: simplejwt's own (jwtAuth)."""

    target_class = "nexus.accounts.authentication.BearerAuthentication"

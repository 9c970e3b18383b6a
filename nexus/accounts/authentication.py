"""Bearer tokens for API clients: simplejwt's JWTAuthentication, with its user lookup
read by accounts.selectors.user_by_id (a statement written once), where the ORM's
`User.objects.get` cost a signed-in API request as much as the entry it asked for, and
each token's verification remembered for as long as it has not expired. The user is still
read, and checked (active, password unchanged), on every request."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import aware_utcnow, get_md5_hash_password

from nexus.accounts.selectors import user_by_id

# Tokens whose signature and claims were verified in this process: a client sends the same
# access token for its whole lifetime (15 minutes), and verifying it (base64, JSON, HMAC)
# cost 0.14 ms of a 2 ms signed-in read. Keyed by the exact bytes, so a changed token is
# verified afresh; bounded, so made-up tokens only churn it.
VERIFIED_TOKENS = 2048
_verified: OrderedDict[bytes, Token] = OrderedDict()


class BearerAuthentication(JWTAuthentication):
    def get_validated_token(self, raw_token: bytes) -> Token:
        """simplejwt's validation, remembered per token; a remembered token is checked
        for expiry again on every use (the only claim time can break), and anything
        amiss goes back through simplejwt for its usual error."""
        token = _verified.get(raw_token)
        if token is not None:
            try:
                token.check_exp(current_time=aware_utcnow())
            except TokenError:
                _verified.pop(raw_token, None)
            else:
                return token
        token = super().get_validated_token(raw_token)
        _verified[raw_token] = token
        if len(_verified) > VERIFIED_TOKENS:
            _verified.popitem(last=False)
        return token

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

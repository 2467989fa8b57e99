"""HTTP endpoints of accounts: users, profiles, follows, and the OAuth2 token endpoints."""

import json
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from oauth2_provider.models import AbstractApplication
from oauth2_provider.views import IntrospectTokenView as DOTIntrospectTokenView
from oauth2_provider.views import RevokeTokenView as DOTRevokeTokenView
from oauth2_provider.views import TokenView as DOTTokenView
from oauthlib.common import Request as OAuthlibRequest
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.models import User
from accounts.schema import USER_ID
from accounts.serializers import (
    OwnProfileSerializer,
    PasswordChangeSerializer,
    PublicProfileSerializer,
    RegistrationSerializer,
    UserSummarySerializer,
)
from accounts.throttling import (
    Refused,
    RegistrationRateThrottle,
    limited_attempt,
    password_change_budgets,
    token_budgets,
)
from api.permissions import TokenScopes
from api.schema import OAuthErrorSerializer, error_responses
from api.serializers import NO_NUL
from api.throttling import FollowRateThrottle, client_ip


def _caller(request: Request) -> User:
    # Only called behind IsAuthenticated: the user is a real account.
    assert isinstance(request.user, User)  # noqa: S101
    return request.user


class UserRegistrationView(APIView):
    permission_classes = [TokenScopes, AllowAny]
    throttle_classes = [RegistrationRateThrottle]

    @extend_schema(
        operation_id="users_register",
        request=RegistrationSerializer,
        responses={201: OwnProfileSerializer, **error_responses(400, 401, 409, 429)},
        summary="Sign up",
        description="Creates an account; sign in afterwards at /api/oauth/token/. "
        "A username or e-mail another account has (in any case) is a 409. "
        "Throttled per client IP.",
    )
    def post(self, request: Request) -> Response:
        serializer = RegistrationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.register_user(**serializer.validated_data)
        return Response(OwnProfileSerializer(user).data, status=status.HTTP_201_CREATED)


class MeView(APIView):
    permission_classes = [TokenScopes, IsAuthenticated]

    @extend_schema(
        operation_id="users_me_retrieve",
        responses={200: OwnProfileSerializer, **error_responses(401)},
        summary="My profile",
    )
    def get(self, request: Request) -> Response:
        return Response(OwnProfileSerializer(_caller(request)).data)

    @extend_schema(
        operation_id="users_me_update",
        request=OwnProfileSerializer,
        responses={200: OwnProfileSerializer, **error_responses(400, 401, 409)},
        summary="Change my profile",
        description="A username or e-mail another account has (in any case) is a 409.",
    )
    def patch(self, request: Request) -> Response:
        serializer = OwnProfileSerializer(_caller(request), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.update_profile(user=_caller(request), **serializer.validated_data)
        return Response(OwnProfileSerializer(user).data)


class PasswordChangeView(APIView):
    permission_classes = [TokenScopes, IsAuthenticated]

    @extend_schema(
        operation_id="users_me_password",
        request=PasswordChangeSerializer,
        responses={
            204: OpenApiResponse(description="Changed."),
            **error_responses(400, 401, 429),
        },
        summary="Change my password",
        description="Every other token of the user is revoked; the caller's token stays valid. "
        "Wrong `old_password`s are limited per user and per client IP, with a growing "
        "lockout (429 with `Retry-After`, the password not even checked).",
    )
    def post(self, request: Request) -> Response:
        user = _caller(request)
        serializer = PasswordChangeSerializer(data=request.data, context={"user": user})
        budgets = password_change_budgets(user.pk, client_ip(request))
        try:
            with limited_attempt(budgets) as attempt:
                if not serializer.is_valid():
                    if serializer.wrong_old_password():
                        attempt.failed()
                    raise exceptions.ValidationError(serializer.errors)
                attempt.succeeded()
        except Refused as refused:
            raise exceptions.Throttled(wait=refused.retry_after) from refused
        services.change_password(
            user=user,
            new_password=serializer.validated_data["new_password"],
            current_token=request.auth,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class PublicProfileView(APIView):
    permission_classes = [TokenScopes, AllowAny]

    @extend_schema(
        operation_id="users_retrieve",
        parameters=[USER_ID],
        responses={200: PublicProfileSerializer, **error_responses(401, 404)},
        summary="A user's public profile",
        description="Never e-mail or names. Unknown, deleted or malformed ids answer 404.",
    )
    def get(self, request: Request, user_id: str) -> Response:
        return Response(PublicProfileSerializer(selectors.get_public_profile(user_id)).data)


class FollowView(APIView):
    permission_classes = [TokenScopes, IsAuthenticated]
    throttle_classes = [FollowRateThrottle]  # counts following only (POST)

    @extend_schema(
        operation_id="users_follow",
        parameters=[USER_ID],
        request=None,
        responses={
            204: OpenApiResponse(description="Following."),
            **error_responses(400, 401, 404, 429),
        },
        summary="Follow a user",
        description="Idempotent: following again answers 204 too. Following oneself is a 400.",
    )
    def post(self, request: Request, user_id: str) -> Response:
        return _change_follow(services.follow_user, request, user_id)

    @extend_schema(
        operation_id="users_unfollow",
        parameters=[USER_ID],
        responses={204: OpenApiResponse(description="Not following."), **error_responses(401, 404)},
        summary="Unfollow a user",
        description="Idempotent: unfollowing someone one does not follow answers 204 too.",
    )
    def delete(self, request: Request, user_id: str) -> Response:
        return _change_follow(services.unfollow_user, request, user_id)


def _change_follow(change: Callable[..., object], request: Request, user_id: str) -> Response:
    """Follow or unfollow the user of the path; both are idempotent, both answer 204."""
    change(follower=_caller(request), followee=selectors.get_user(user_id))
    return Response(status=status.HTTP_204_NO_CONTENT)


class _FollowListView(generics.ListAPIView[User]):
    permission_classes = [TokenScopes, AllowAny]
    serializer_class = UserSummarySerializer

    def get_queryset(self) -> QuerySet[User]:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the view
            return User.objects.none()
        return self.select(selectors.get_user(self.kwargs["user_id"]))

    def select(self, user: User) -> QuerySet[User]:
        raise NotImplementedError


def _follow_list_schema(
    operation_id: str, summary: str
) -> Callable[[type[_FollowListView]], type[_FollowListView]]:
    """The schema of a list of a user's follow links: who follows them, or whom they follow."""
    return extend_schema_view(
        get=extend_schema(
            operation_id=operation_id,
            parameters=[USER_ID],
            responses={200: UserSummarySerializer(many=True), **error_responses(401, 404)},
            summary=summary,
        )
    )


@_follow_list_schema("users_followers", "Who follows a user")
class FollowersView(_FollowListView):
    select = staticmethod(selectors.list_followers)


@_follow_list_schema("users_following", "Whom a user follows")
class FollowingView(_FollowListView):
    select = staticmethod(selectors.list_following)


# --- OAuth2 endpoints ---------------------------------------------------------------------
# django-oauth-toolkit does the work; these DRF views add the rate limit, the schema and the
# error body for 405/429. Their own answers keep RFC 6749's shape (`{"error": "invalid_grant"}`)
# because OAuth2 client libraries parse it.


class _ConfidentialClientIntrospectTokenView(DOTIntrospectTokenView):
    """DOT's introspection, for confidential clients (resource servers) only.

    DOT would also accept a public client's bare client_id (its secret is empty), which
    would let anyone probe tokens."""

    def authenticate_client(self, request: HttpRequest) -> bool:
        core = self.get_oauthlib_core()
        uri, http_method, body, headers = core._extract_params(request)
        oauth_request = OAuthlibRequest(uri, http_method, body, headers)
        if not core.server.request_validator.authenticate_client(oauth_request):
            return False
        return bool(oauth_request.client.client_type == AbstractApplication.CLIENT_CONFIDENTIAL)

    def unauthenticated_response(
        self, request: HttpRequest, oauthlib_request: Any = None
    ) -> HttpResponse:
        response = JsonResponse(
            {"error": "invalid_client", "error_description": "Client authentication failed."},
            status=401,
        )
        response["WWW-Authenticate"] = 'Basic realm="api"'
        return response


class _OAuthEndpoint(APIView):
    """Hands the untouched Django request to a DOT view (form-encoded, RFC-shaped answers)."""

    authentication_classes: list[Any] = []
    permission_classes = [TokenScopes, AllowAny]
    parser_classes = [FormParser]
    # The request guard (api.middleware) answers its 400/413 here in RFC 6749's shape too,
    # and minds NUL characters only in the documented fields (RFC 6749 §3.2: others are
    # ignored).
    rfc6749_errors = True
    form_fields: frozenset[str]
    dot_view: Any

    def delegate(self, request: Request) -> HttpResponse:
        response: HttpResponse = self.dot_view(request._request)
        response["Cache-Control"] = "no-store"
        return response

    def post(self, request: Request) -> HttpResponse:
        return self.delegate(request)


def _form_text(**kwargs: Any) -> serializers.CharField:
    """A form field of the OAuth endpoints: any text but NUL (the request guard refuses it)."""
    return serializers.CharField(validators=[NO_NUL], **kwargs)


_token_request = inline_serializer(
    name="TokenRequest",
    fields={
        "grant_type": serializers.ChoiceField(choices=["password", "refresh_token"]),
        "client_id": _form_text(help_text="The first-party client: `storefront`."),
        "username": _form_text(required=False, help_text="password grant"),
        "password": _form_text(required=False, help_text="password grant"),
        "refresh_token": _form_text(required=False, help_text="refresh grant"),
        "scope": _form_text(required=False, help_text="default `read write`"),
    },
)
_revoke_request = inline_serializer(
    name="RevokeTokenRequest",
    fields={
        "token": _form_text(),
        "token_type_hint": serializers.ChoiceField(
            choices=["access_token", "refresh_token"], required=False
        ),
        "client_id": _form_text(),
    },
)
_introspect_request = inline_serializer(
    # Not `allow_blank`: drf-spectacular would write `oneOf: [pattern, maxLength 0]`, which
    # the empty text matches twice (so it would be invalid anyway); an empty token is 400.
    name="IntrospectRequest",
    fields={"token": _form_text()},
)
_token_response = inline_serializer(
    name="TokenResponse",
    fields={
        "access_token": serializers.CharField(),
        "token_type": serializers.CharField(help_text="`Bearer`"),
        "expires_in": serializers.IntegerField(),
        "refresh_token": serializers.CharField(help_text="Rotates: a refresh returns a new one."),
        "scope": serializers.CharField(),
    },
)


def _oauth_endpoint(
    operation_id: str,
    form: Any,
    answer: Any,
    *,
    summary: str,
    description: str,
    bad_request: str = "RFC 6749 error body.",
    bad_client: str = "Unknown client.",
    more: dict[int, Any] | None = None,
) -> Callable[[type[_OAuthEndpoint]], type[_OAuthEndpoint]]:
    """An OAuth endpoint declared by its form: the fields the request guard reads (the only
    ones) and the schema of its POST: the form in, `answer` for 200, RFC 6749's error body
    for 400 and 401, no authentication scheme (the client authenticates in the form)."""
    schema = extend_schema(
        operation_id=operation_id,
        tags=["oauth"],
        auth=[],
        request={"application/x-www-form-urlencoded": form},
        responses={
            200: answer,
            400: OpenApiResponse(OAuthErrorSerializer, description=bad_request),
            401: OpenApiResponse(OAuthErrorSerializer, description=bad_client),
            **(more or {}),
        },
        summary=summary,
        description=description,
    )

    def declare(view: type[_OAuthEndpoint]) -> type[_OAuthEndpoint]:
        view.form_fields = frozenset(form.fields)
        return extend_schema_view(post=schema)(view)

    return declare


@_oauth_endpoint(
    "oauth_token",
    _token_request,
    _token_response,
    more=error_responses(429),
    summary="Get or refresh a token (RFC 6749 §4.3, §6)",
    description="Form-encoded. Failed attempts are limited per (username, client IP) "
    "tightly, per username loosely and per client IP, with a growing lockout; successes "
    "never count. While a limit applies the attempt is refused unseen (429 with "
    "`Retry-After`); the right password from another address still signs in.",
)
class TokenView(_OAuthEndpoint):
    dot_view = staticmethod(DOTTokenView.as_view())

    def post(self, request: Request) -> HttpResponse:
        try:
            with limited_attempt(token_budgets(request._request)) as attempt:
                response = self.delegate(request)
                if response.status_code == status.HTTP_200_OK:
                    attempt.succeeded()
                elif _is_wrong_password(request, response):
                    attempt.failed()
                else:
                    # An unknown client or a guessed refresh token: the address's failure.
                    attempt.failed("sign-in:address")
        except Refused as refused:
            raise exceptions.Throttled(wait=refused.retry_after) from refused
        return response


def _is_wrong_password(request: Request, response: HttpResponse) -> bool:
    """DOT answers a wrong username or password with RFC 6749's 400 `invalid_grant`."""
    if request._request.POST.get("grant_type") != "password" or response.status_code != 400:
        return False
    try:
        return bool(json.loads(response.content).get("error") == "invalid_grant")
    except (ValueError, AttributeError):
        return False


@_oauth_endpoint(
    "oauth_revoke_token",
    _revoke_request,
    OpenApiResponse(description="Revoked (or already unknown: RFC 7009 §2.2)."),
    summary="Revoke a token (RFC 7009)",
    description="Revoking a refresh token revokes its access token, and the reverse.",
)
class RevokeTokenView(_OAuthEndpoint):
    dot_view = staticmethod(DOTRevokeTokenView.as_view())


@_oauth_endpoint(
    "oauth_introspect",
    _introspect_request,
    inline_serializer(
        name="IntrospectResponse",
        fields={
            "active": serializers.BooleanField(),
            "scope": serializers.CharField(required=False),
            "exp": serializers.IntegerField(required=False),
            "client_id": serializers.CharField(required=False),
            "username": serializers.CharField(required=False),
        },
    ),
    bad_request="No `token` given.",
    bad_client="Not a confidential client (HTTP Basic).",
    summary="Introspect a token (RFC 7662)",
    description="For resource servers: a confidential client authenticating with HTTP "
    "Basic (client_id:client_secret). The public storefront client cannot introspect.",
)
class IntrospectTokenView(_OAuthEndpoint):
    dot_view = staticmethod(_ConfidentialClientIntrospectTokenView.as_view())

    def post(self, request: Request) -> HttpResponse:
        # RFC 7662 §2.1: `token` is required; an empty one is refused like a missing one
        # (DOT would answer `{"active": false}`), as the schema says (`minLength: 1`).
        if not request._request.POST.get("token"):
            response = JsonResponse(
                {"error": "invalid_request", "error_description": "No `token` given."},
                status=400,
            )
            response["Cache-Control"] = "no-store"
            return response
        return self.delegate(request)

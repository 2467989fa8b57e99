from django.urls import path

from accounts import views

# `<str:user_id>`, not `<uuid:...>`: a malformed id reaches the view and answers the JSON 404.
user_patterns = [
    path("users/", views.UserRegistrationView.as_view(), name="user-register"),
    path("users/me/", views.MeView.as_view(), name="user-me"),
    path("users/me/password/", views.PasswordChangeView.as_view(), name="user-password"),
    path("users/<str:user_id>/", views.PublicProfileView.as_view(), name="user-detail"),
    path("users/<str:user_id>/follow/", views.FollowView.as_view(), name="user-follow"),
    path("users/<str:user_id>/followers/", views.FollowersView.as_view(), name="user-followers"),
    path("users/<str:user_id>/following/", views.FollowingView.as_view(), name="user-following"),
]

# Only these three of django-oauth-toolkit's endpoints: no authorization or app-management views.
oauth_patterns = [
    path("oauth/token/", views.TokenView.as_view(), name="oauth-token"),
    path("oauth/revoke_token/", views.RevokeTokenView.as_view(), name="oauth-revoke-token"),
    path("oauth/introspect/", views.IntrospectTokenView.as_view(), name="oauth-introspect"),
]

urlpatterns = user_patterns + oauth_patterns

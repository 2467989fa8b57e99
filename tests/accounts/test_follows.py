import uuid

import pytest

from accounts.models import Follow
from tests.accounts.helpers import (
    NOT_AUTHENTICATED,
    assert_error,
    assert_unauthorized,
    bearer,
    get_tokens,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(api_client):
    user = make_user("ada")
    api_client.credentials(**bearer(get_tokens(api_client, "ada")["access_token"]))
    return user


def follow_url(user):
    return f"/api/users/{user.pk}/follow/"


def test_follow_is_idempotent(api_client, ada):
    bob = make_user("bob")
    assert api_client.post(follow_url(bob)).status_code == 204
    assert api_client.post(follow_url(bob)).status_code == 204
    assert Follow.objects.filter(follower=ada, followee=bob).count() == 1

    profile = api_client.get(f"/api/users/{bob.pk}/").json()
    assert profile["followers"] == 1
    assert api_client.get(f"/api/users/{ada.pk}/").json()["following"] == 1


def test_unfollow_is_idempotent_and_soft(api_client, ada):
    bob = make_user("bob")
    api_client.post(follow_url(bob))
    assert api_client.delete(follow_url(bob)).status_code == 204
    assert api_client.delete(follow_url(bob)).status_code == 204
    assert not Follow.objects.filter(follower=ada, followee=bob).exists()
    assert Follow.all_objects.filter(follower=ada, followee=bob).count() == 1
    assert api_client.get(f"/api/users/{bob.pk}/").json()["followers"] == 0


def test_follow_again_after_unfollow_adds_a_new_link(api_client, ada):
    bob = make_user("bob")
    api_client.post(follow_url(bob))
    api_client.delete(follow_url(bob))
    assert api_client.post(follow_url(bob)).status_code == 204
    assert Follow.objects.filter(follower=ada, followee=bob).count() == 1
    assert Follow.all_objects.filter(follower=ada, followee=bob).count() == 2


def test_following_oneself_is_400(api_client, ada):
    error = assert_error(api_client.post(follow_url(ada)), 400, "invalid")
    assert "user" in error["details"]


@pytest.mark.parametrize("user_id", [str(uuid.uuid4()), "nope"])
def test_following_an_unknown_user_is_404(api_client, ada, user_id):
    assert_error(api_client.post(f"/api/users/{user_id}/follow/"), 404, "not_found")


def test_following_a_deleted_user_is_404(api_client, ada):
    bob = make_user("bob")
    bob.delete()
    assert_error(api_client.post(follow_url(bob)), 404, "not_found")


def test_follow_needs_a_token(api_client):
    bob = make_user("bob")
    assert_unauthorized(api_client.post(follow_url(bob)), NOT_AUTHENTICATED)
    assert_unauthorized(api_client.delete(follow_url(bob)), NOT_AUTHENTICATED)


def test_followers_and_following_are_paginated(api_client):
    star = make_user("star")
    fans = [make_user(f"fan{n:02d}") for n in range(25)]
    for fan in fans:
        Follow.objects.create(follower=fan, followee=star)
    Follow.objects.create(follower=star, followee=fans[0])

    first = api_client.get(f"/api/users/{star.pk}/followers/").json()
    assert first["count"] == 25
    assert len(first["results"]) == 20
    assert set(first["results"][0]) == {"id", "username"}
    second = api_client.get(f"/api/users/{star.pk}/followers/?page=2").json()
    assert len(second["results"]) == 5
    seen = {row["username"] for row in first["results"] + second["results"]}
    assert seen == {fan.username for fan in fans}

    small = api_client.get(f"/api/users/{star.pk}/followers/?page_size=10&page=3").json()
    assert len(small["results"]) == 5

    following = api_client.get(f"/api/users/{star.pk}/following/").json()
    assert following["count"] == 1
    assert following["results"] == [{"id": str(fans[0].pk), "username": "fan00"}]
    assert api_client.get(f"/api/users/{fans[0].pk}/following/").json()["count"] == 1


def test_follow_lists_hide_unfollowed_and_deleted_users(api_client):
    star = make_user("star")
    gone, left, stays = make_user("gone"), make_user("left"), make_user("stays")
    for fan in (gone, left, stays):
        Follow.objects.create(follower=fan, followee=star)
    gone.delete()
    Follow.objects.filter(follower=left).delete()

    body = api_client.get(f"/api/users/{star.pk}/followers/").json()
    assert [row["username"] for row in body["results"]] == ["stays"]
    assert api_client.get(f"/api/users/{star.pk}/").json()["followers"] == 1


def test_follow_lists_of_unknown_users_are_404(api_client):
    assert_error(api_client.get(f"/api/users/{uuid.uuid4()}/followers/"), 404, "not_found")
    assert_error(api_client.get("/api/users/bad/following/"), 404, "not_found")

"""Hostile text wherever text goes in: a clear 400, or the text kept exactly and found again;
never a 500 (issue 9, findings 9, 10 and 14, and "hostile text")."""

import pytest

from catalog.models import Product, Tag

pytestmark = pytest.mark.django_db

ME = "/api/users/me/"

# Text a person may really type: it must be stored exactly and read back.
FRIENDLY = {
    "rtl": "מנורת שולחן عتيقة",
    "emoji": "Lamp 💡 with 👨‍👩‍👧 family",
    "cjk": "木製のランプ",
    "combining": "Cafe\u0301 lamp",
    "sql": "Robert'); DROP TABLE catalog_product;--",
    "sql_like": "100% _pure_ wool",
    "es_syntax": 'name:(lamp OR "desk") AND tags.slug:* ~2 ^3 [a TO z] \\/',
    "html": "<script>alert(1)</script>",
    "direction_marks": "Lamp \u200f(new)\u200e",
}

# Names nobody can read, or that deceive whoever reads them.
BAD_NAMES = {
    "zero_width_only": "\u200b\u200b",
    "hangul_filler": "\u3164",
    "braille_blank": "\u2800\u2800",
    "bidi_override": "Lamp \u202egnp.exe",
    "isolate": "Lamp \u2066x\u2069",
    "control": "Lamp\x01",
    "escape": "Lamp \x1b[31mred",
    "newline": "Lamp\nsecond line",
    "tab": "Lamp\tx",
    "c1_control": "Lamp\x85x",
    "soft_hyphen_only": "\u00ad",
}


def product(**fields):
    body = {"name": "Lamp", "description": "", "price": "10.00", "stock": 1}
    body.update(fields)
    return body


@pytest.mark.parametrize("text", FRIENDLY.values(), ids=FRIENDLY.keys())
def test_friendly_text_is_stored_exactly_in_names_descriptions_and_tags(owner_client, text):
    created = owner_client.post(
        "/api/products/",
        product(name=text, description=f"{text}\n\tsecond line", tags=[text[:50]]),
        format="json",
    )

    assert created.status_code == 201, created.content
    read = owner_client.get(f"/api/products/{created.json()['id']}/").json()
    assert read["name"] == text
    assert read["description"] == f"{text}\n\tsecond line"
    assert [t["name"] for t in read["tags"]] == [" ".join(text[:50].split())]


@pytest.mark.parametrize("name", BAD_NAMES.values(), ids=BAD_NAMES.keys())
def test_unreadable_or_deceiving_product_names_are_400(owner_client, name):
    response = owner_client.post("/api/products/", product(name=name), format="json")

    assert response.status_code == 400
    assert "name" in response.json()["error"]["details"]
    assert not Product.objects.exists()


@pytest.mark.parametrize("name", BAD_NAMES.values(), ids=BAD_NAMES.keys())
def test_unreadable_or_deceiving_tag_names_are_400_everywhere_tags_are_named(
    owner_client, make_product, name
):
    mine = make_product()

    as_tag = owner_client.post("/api/tags/", {"name": name}, format="json")
    on_product = owner_client.post(f"/api/products/{mine.id}/tags/", {"name": name}, format="json")
    at_creation = owner_client.post("/api/products/", product(tags=[name]), format="json")

    assert [as_tag.status_code, on_product.status_code, at_creation.status_code] == [400] * 3
    assert not Tag.objects.exists()


@pytest.mark.parametrize("text", ["Lamp\x01", "Lamp \x1b[2J", "\x7f"])
def test_control_characters_in_descriptions_and_bios_are_400(owner_client, text):
    described = owner_client.post("/api/products/", product(description=text), format="json")
    bio = owner_client.patch(ME, {"bio": text}, format="json")

    assert described.status_code == 400
    assert bio.status_code == 400
    assert "bio" in bio.json()["error"]["details"]


@pytest.mark.parametrize(
    "username",
    [
        "\u202eevil",  # right-to-left override
        "ada\x1b[0m",  # escape sequence
        "ada\x07",
        "%_%",  # SQL wildcards
        "ada lovelace",
        "ada\u200b",
        "",
        "x" * 151,
    ],
)
def test_a_profile_change_follows_the_sign_up_username_rule(owner_client, api_client, username):
    changed = owner_client.patch(ME, {"username": username}, format="json")
    signed_up = api_client.post(
        "/api/users/",
        {"username": username, "email": "new@example.com", "password": "plum-Tractor-41-velvet"},
        format="json",
    )

    assert changed.status_code == 400
    assert "username" in changed.json()["error"]["details"]
    assert signed_up.status_code == 400
    assert "username" in signed_up.json()["error"]["details"]


FULLWIDTH_FULL = "\uff46\uff55\uff4c\uff4c"


@pytest.mark.parametrize(
    "username", ["ada.lovelace", "Łukasz", "محمد", "user+shop@x", FULLWIDTH_FULL]
)
def test_usernames_of_any_script_are_welcome_and_normalised(owner_client, username):
    changed = owner_client.patch(ME, {"username": username}, format="json")

    assert changed.status_code == 200, changed.content
    assert changed.json()["username"] == ("full" if username == FULLWIDTH_FULL else username)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", 0),
        ("name", ["Lamp"]),
        ("description", 0),
        ("price", 19.9),
        ("price", True),
        ("stock", "5"),
        ("stock", 5.0),
        ("stock", True),
        ("publish", "true"),
        ("publish", 1),
        ("tags", "kitchen"),
        ("tags", [1]),
    ],
)
def test_json_types_other_than_the_documented_ones_are_400(owner_client, field, value):
    response = owner_client.post("/api/products/", product(**{field: value}), format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["details"]


@pytest.mark.parametrize(("field", "value"), [("bio", 0), ("username", 7), ("email", False)])
def test_profile_fields_take_strings_only(owner_client, field, value):
    response = owner_client.patch(ME, {field: value}, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["details"]


def test_very_long_text_is_a_400_naming_the_field(owner_client):
    response = owner_client.post(
        "/api/products/", product(name="x" * 201, description="y" * 10_001), format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"name", "description"}

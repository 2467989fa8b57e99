"""Usernames get one canonical form (accounts.identity.canonical_username) in a unique column.

Existing rows (soft-deleted ones included) are filled in. If two existing accounts share a
canonical name (e.g. `victimi` and `vıctimi` with a dotless ı, which the old lower-case index
let in), this migration FAILS and lists every such group with ids and usernames: nobody is
renamed silently. Rename or delete one account of each group (e.g. in a shell with
`User.all_objects.filter(pk=...).update(username=...)`), then run `migrate` again.
"""

from collections import defaultdict
from typing import Any

from django.db import migrations, models

from accounts.identity import canonical_username


class CanonicalUsernameCollision(Exception):
    """Existing accounts whose names are one name under the canonical rule."""


def fill_username_canonical(apps: Any, schema_editor: Any) -> None:
    """Fill `username_canonical` for every row; refuse (listing them) if two rows collide."""
    user_model = apps.get_model("accounts", "User")
    rows = user_model._base_manager.order_by("created").values_list("pk", "username")
    groups: dict[str, list[tuple[Any, str]]] = defaultdict(list)
    for pk, username in rows.iterator(chunk_size=2000):
        groups[canonical_username(username)].append((pk, username))
    collisions = {name: group for name, group in groups.items() if len(group) > 1}
    if collisions:
        lines = [
            f"  {name!r}: " + ", ".join(f"{username!r} (id {pk})" for pk, username in group)
            for name, group in sorted(collisions.items())
        ]
        raise CanonicalUsernameCollision(
            f"{len(collisions)} canonical username(s) are shared by several accounts; "
            "rename or delete all but one of each, then migrate again "
            "(see accounts/migrations/0003_username_canonical.py):\n" + "\n".join(lines)
        )
    changed = []
    for name, [(pk, _username)] in groups.items():
        changed.append(user_model(pk=pk, username_canonical=name))
    user_model._base_manager.bulk_update(changed, ["username_canonical"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_follow"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="username_canonical",
            field=models.TextField(editable=False, null=True),
        ),
        migrations.RunPython(fill_username_canonical, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="username_canonical",
            field=models.TextField(editable=False),
        ),
        migrations.RemoveConstraint(
            model_name="user",
            name="user_username_ci_unique",
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                fields=("username_canonical",), name="user_username_canonical_unique"
            ),
        ),
    ]

"""README: "On a fresh Debian machine (as root, or a user who can `sudo apt-get`)". Every
package the scripts install goes through one helper that uses sudo when not root."""

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "scripts" / "services.sh"


def test_every_apt_get_goes_through_the_helper():
    assert "apt-get" not in (ROOT / "Makefile").read_text()
    for script in (ROOT / "scripts").glob("*.sh"):
        if script != SERVICES:
            assert "apt-get" not in script.read_text(), script.name
    text = SERVICES.read_text()
    helper = re.search(r"^apt_install\(\) \{\n.*?^\}\n", text, flags=re.DOTALL | re.MULTILINE)
    assert helper is not None
    outside = text.replace(helper.group(0), "")
    commands = [line for line in outside.splitlines() if not line.lstrip().startswith("#")]
    assert [line for line in commands if re.search(r"\bapt-get\b", line)] == []
    assert '"${sudo[@]}" apt-get' in helper.group(0)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as an unprivileged user")
@pytest.mark.skipif(shutil.which("sudo") is not None, reason="sudo is installed here")
def test_a_user_without_root_or_sudo_is_told_what_to_do():
    # A copy `nobody` can read, wherever the checkout lives (/root is private).
    shared = Path(tempfile.mkdtemp(prefix="store-api-scripts-"))
    try:
        shared.chmod(0o755)
        script = shared / "services.sh"
        shutil.copy(SERVICES, script)
        script.chmod(0o755)
        result = subprocess.run(  # noqa: S603
            ["runuser", "-u", "nobody", "--", str(script), "apt-install", "store-api-no-such-pkg"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=60,
            cwd="/",
        )
    finally:
        shutil.rmtree(shared)
    assert result.returncode != 0
    assert "missing store-api-no-such-pkg: run as root, or install sudo" in result.stderr


def test_packages_already_installed_are_not_installed_again():
    # No apt-get at all (nothing to update or download): it must return at once.
    result = subprocess.run(  # noqa: S603
        [str(SERVICES), "apt-install", "bash", "coreutils"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "installing" not in result.stderr

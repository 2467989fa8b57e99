"""Headless Chromium as the storefront benchmark and the browser tests drive it: Debian's
Chromium and chromedriver (paths overridable by `CHROMIUM` / `CHROMEDRIVER`), no network
beyond localhost, nothing in the background, a profile of its own. No side effects on
import (the browser tests import it without the benchmarks' settings)."""

import os
from pathlib import Path
from typing import Any

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
]


def chromium_options(profile: str, *extra: str) -> Any:
    """Selenium's ChromeOptions for Chromium with FLAGS, `extra` flags and the profile
    directory `profile` (selenium is a dev dependency: imported here, not at the top)."""
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, *extra, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    return options


def chromedriver() -> Any:
    """The chromedriver service for webdriver.Chrome."""
    from selenium.webdriver.chrome.service import Service

    return Service(str(CHROMEDRIVER))

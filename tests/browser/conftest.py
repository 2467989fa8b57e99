"""The storefront in a real headless Chromium (Debian's, driven by Selenium through Debian's
chromedriver) against a live server on the real PostgreSQL, Redis and Elasticsearch.

`make test` installs Chromium, chromedriver and axe-core first (scripts/browser.sh)."""

import base64
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver import Chrome as WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from bench.chromium import CHROMEDRIVER, CHROMIUM, chromedriver, chromium_options
from tests.search.conftest import refresh

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / os.environ.get("STOREFRONT_SCREENSHOTS", ".screenshots")
WAIT_SECONDS = 10
PASSWORD = "not-a-secret-1"  # what tests.conftest.make_user gives every user


@pytest.fixture(scope="session")
def chromium() -> Iterator[WebDriver]:
    for needed in (CHROMIUM, CHROMEDRIVER, AXE):
        if not needed.exists():
            pytest.fail(f"{needed} is missing: run `make browser` (scripts/browser.sh)")
    with tempfile.TemporaryDirectory(prefix="storefront-chromium-") as profile:
        options = chromium_options(profile, "--lang=en-GB")
        # "performance": every network event, read for the answers the page's requests got.
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        driver = webdriver.Chrome(service=chromedriver(), options=options)
        driver.set_page_load_timeout(30)
        driver.set_script_timeout(30)
        try:
            yield driver
        finally:
            driver.quit()


class Page:
    """The browser pointed at the live server, with the waits and checks the tests share."""

    def __init__(self, driver: WebDriver, base_url: str) -> None:
        self.driver = driver
        self.base_url = base_url
        # (status, path) of error answers a test provokes on purpose; any other fails it.
        self.expected_errors: list[tuple[int, str]] = []

    # --- navigation and finding ------------------------------------------------------------

    def open(self, path: str) -> None:
        self.driver.get(self.base_url + path)
        self.wait_for_heading()

    @property
    def path(self) -> str:
        url: str = self.driver.current_url
        return url.removeprefix(self.base_url)

    def wait(self, condition: Callable[[WebDriver], Any], what: str) -> Any:
        try:
            # The page rebuilds parts of itself as answers arrive: a stale element means "not yet".
            return WebDriverWait(
                self.driver,
                WAIT_SECONDS,
                poll_frequency=0.05,
                ignored_exceptions=[StaleElementReferenceException],
            ).until(condition)
        except TimeoutException:
            raise AssertionError(
                f"waited {WAIT_SECONDS}s for {what}; at {self.path}, page says: "
                f"{self.text('main')[:600]!r}; console: {self.console()}"
            ) from None

    def wait_for_heading(self, text: str | None = None) -> WebElement:
        def heading(driver: WebDriver) -> WebElement | None:
            found = driver.find_elements(By.CSS_SELECTOR, "main h1")
            if not found or (text is not None and text not in found[0].text):
                return None
            if driver.find_elements(By.CSS_SELECTOR, "main .loading"):
                return None
            return found[0]

        element: WebElement = self.wait(heading, f"a page heading {text or ''!r}")
        return element

    def wait_for_path(self, fragment: str) -> None:
        self.wait(lambda d: fragment in d.current_url, f"the URL to contain {fragment!r}")

    def find(self, css: str) -> WebElement:
        element: WebElement = self.wait(
            lambda d: next(
                (e for e in d.find_elements(By.CSS_SELECTOR, css) if e.is_displayed()), None
            ),
            f"a visible {css!r}",
        )
        return element

    def all(self, css: str) -> list[WebElement]:
        return list(self.driver.find_elements(By.CSS_SELECTOR, css))

    def find_all(self, css: str) -> list[WebElement]:
        return [e for e in self.driver.find_elements(By.CSS_SELECTOR, css) if e.is_displayed()]

    def button(self, name: str, within: str = "main") -> WebElement:
        """A visible button (or link styled as one) whose text starts with `name`."""

        def found(driver: WebDriver) -> WebElement | None:
            for element in driver.find_elements(By.CSS_SELECTOR, f"{within} button, {within} a"):
                if element.is_displayed() and element.text.strip().startswith(name):
                    return element
            return None

        element: WebElement = self.wait(found, f"a button or link {name!r} in {within}")
        return element

    def link(self, text: str, within: str = "main") -> WebElement:
        return self.button(text, within)

    def field(self, label: str, within: str = "main") -> WebElement:
        """The input a visible <label> with this text is for."""
        xpath = f"//label[normalize-space()='{label}' or starts-with(normalize-space(), '{label}')]"

        def found(driver: WebDriver) -> WebElement | None:
            for element in driver.find_element(By.CSS_SELECTOR, within).find_elements(
                By.XPATH, "." + xpath
            ):
                if element.is_displayed():
                    return driver.find_element(By.ID, element.get_attribute("for"))
            return None

        element: WebElement = self.wait(found, f"a field labelled {label!r}")
        return element

    def fill(self, fields: dict[str, str]) -> None:
        """Type into the fields with these labels (what was there is cleared first)."""
        for label, value in fields.items():
            element = self.field(label)
            element.clear()
            element.send_keys(value)

    def submit(self, name: str, within: str = "main") -> None:
        """Click a button and wait until the request it started has answered."""
        button = self.button(name, within)
        button.click()
        self.wait(lambda d: button.get_attribute("aria-disabled") != "true", f"{name!r} to finish")

    def text(self, css: str) -> str:
        found = self.driver.find_elements(By.CSS_SELECTOR, css)
        return found[0].text if found else ""

    def wait_for_text(self, css: str, text: str) -> WebElement:
        element: WebElement = self.wait(
            lambda d: next(
                (e for e in d.find_elements(By.CSS_SELECTOR, css) if text in e.text), None
            ),
            f"{text!r} in {css!r}",
        )
        return element

    def console(self) -> list[str]:
        return [entry["message"] for entry in self.driver.get_log("browser")]

    def focused(self) -> WebElement:
        element: WebElement = self.driver.switch_to.active_element
        return element

    # --- checks ----------------------------------------------------------------------------

    def screenshot(self, name: str, width: int = 1280) -> Path:
        """The whole page as tall as its content (at most 2,400 px), `width` wide, as a PNG."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        size = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        clip = {
            "x": 0,
            "y": 0,
            "width": width,
            "height": min(max(size["height"], 800), 2400),
            "scale": 1,
        }
        shot = self.driver.execute_cdp_cmd(
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
        )
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def axe(self, name: str) -> None:
        """axe-core on the page as it is: no serious or critical violation."""
        self.driver.execute_script(AXE.read_text())
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']}).then("
            "  r => done(JSON.stringify(r.violations)),"
            "  e => done(JSON.stringify({error: String(e)})));"
        )
        violations = json.loads(result)
        assert isinstance(violations, list), violations
        bad = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]][:5],
            }
            for v in violations
            if v["impact"] in ("serious", "critical")
        ]
        assert bad == [], f"axe-core on the {name} page: {json.dumps(bad, indent=1)}"

    @contextmanager
    def viewport(self, width: int, height: int = 844) -> Iterator[None]:
        """Lay the page out as on a screen `width` CSS pixels wide (a phone: 390)."""
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True}
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
        try:
            yield
        finally:
            self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    def errors_in_console(self) -> list[str]:
        # A 4xx/5xx answer logs "Failed to load resource": unexpected_error_answers() judges those.
        return [
            entry["message"]
            for entry in self.driver.get_log("browser")
            if entry["level"] == "SEVERE" and "Failed to load resource" not in entry["message"]
        ]

    def expect_error(self, status: int, path: str) -> None:
        """The test provokes an answer `status` from `path` (a path prefix) on purpose."""
        self.expected_errors.append((status, path))

    def unexpected_error_answers(self) -> list[str]:
        """Every 4xx/5xx answer the page's requests got, from Chromium's network log, except
        those the test said it provokes."""
        unexpected = []
        for entry in self.driver.get_log("performance"):
            event = json.loads(entry["message"])["message"]
            if event["method"] != "Network.responseReceived":
                continue
            response = event["params"]["response"]
            status, url = int(response["status"]), str(response["url"])
            if status < 400 or not url.startswith(self.base_url):
                continue
            path = url.removeprefix(self.base_url)
            if not any(
                status == expected and path.startswith(prefix)
                for expected, prefix in self.expected_errors
            ):
                unexpected.append(f"{status} {path}")
        return unexpected


class ServerRequests:
    """How many requests the live server (a thread of this process) is handling now."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0

    def started(self, **kwargs: Any) -> None:
        with self.lock:
            self.running += 1

    def finished(self, **kwargs: Any) -> None:
        with self.lock:
            self.running -= 1

    def wait_idle(self, quiet_seconds: float = 0.2, timeout: float = WAIT_SECONDS) -> None:
        """Until no request has run for `quiet_seconds`: the test database is flushed after
        each test, and a request still running then would deadlock with the flush."""
        deadline = time.monotonic() + timeout
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            if self.running > 0:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= quiet_seconds:
                return
            time.sleep(0.02)
        raise AssertionError(f"the live server still runs {self.running} requests")


@pytest.fixture
def page(chromium: WebDriver, live_server: Any) -> Iterator[Page]:
    """A fresh start for each test: no tokens, nothing left from the previous test."""
    server = ServerRequests()
    request_started.connect(server.started)
    request_finished.connect(server.finished)
    chromium.get(live_server.url + "/api/health/")
    chromium.execute_script("sessionStorage.clear(); localStorage.clear();")
    chromium.get_log("browser")  # drop what earlier tests logged
    chromium.get_log("performance")
    browser = Page(chromium, live_server.url)
    try:
        yield browser
        errors = browser.errors_in_console()
        assert errors == [], f"the page logged errors: {errors}"
        answers = browser.unexpected_error_answers()
        assert answers == [], f"the page's requests got error answers: {answers}"
    finally:
        chromium.get("about:blank")  # the page sends nothing more
        server.wait_idle()
        request_started.disconnect(server.started)
        request_finished.disconnect(server.finished)


@pytest.fixture
def searchable() -> Callable[[], None]:
    """Make every indexed change visible to searches now (instead of within a second)."""
    return refresh

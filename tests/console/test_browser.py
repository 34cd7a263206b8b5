"""The console in a real browser (Playwright driving Debian's Chromium, never a downloaded one) against
`tms-netsuite serve` over a real socket, with served emulators as NetSuite: a clerk signs in, sees documents fail
on a mapping mistake, uploads the corrected mapping, retries them and watches them sync, opens a document's
NetSuite link and runs the doctor; an account's key cannot reach another account by URL or by forged form posts.
The main pages' screenshots are saved on every run; `make screenshots` saves them into docs/screenshots/ (the
README shows them), other runs into a temporary folder, so a test run leaves the checkout as it found it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from netsuite_emulator.testing import ServedEmulator, start_emulator
from tests.conftest import require
from tests.service.conftest import MAPPING, cli, cli_environ, documents, start_serve

CHROMIUM = Path("/usr/bin/chromium")
# Chromium's flags for a container: no sandbox (no user namespaces), no GPU, and nothing that phones home.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(
    os.environ.get("TMS_NETSUITE_SCREENSHOTS") or Path(tempfile.gettempdir()) / "tms-netsuite-screenshots"
)
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# The Canadian company left out of the mapping: the doctor finds nothing wrong (every record it names exists),
# and the company's documents fail with the mapping named.
BROKEN = MAPPING.replace(
    '[companies.FCCA]\nsubsidiary = "Freight Co Canada"\ntrip_type = "carrier"\n', ""
).replace('[[dimensions]]\ndimension = "location"\ncompany = "FCCA"\nvalue = "Toronto Terminal"\n', "")

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
expect = playwright_api.expect


@dataclass
class Console:
    url: str  # the service's root; the console is at /ui
    admin: str
    key: str  # acme's key
    other_key: str
    folder: Path


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    """`tms-netsuite serve` with two accounts: acme (documents failing on a mapping mistake) and other."""
    folder = tmp_path_factory.mktemp("console")
    emulators: list[ServedEmulator] = []
    process = None
    try:
        for name, scenario in [("acme", "healthy"), ("other", "sandbox-account")]:
            (folder / name).mkdir()
            emulators.append(start_emulator(folder / name, "--scenario", scenario, environ=cli_environ()))
        ledger = str(folder / "service.db")
        (folder / "broken.toml").write_text(BROKEN, encoding="utf-8")
        for slug, emulator, mapping in [
            ("acme", emulators[0], folder / "broken.toml"),
            ("other", emulators[1], folder / "broken.toml"),
        ]:
            added = cli(
                "accounts",
                "add",
                slug,
                "--env-file",
                str(emulator.env_file),
                "--mapping",
                str(mapping),
                "--ledger",
                ledger,
            )
            assert added.returncode == 0, added.stderr
        admin = json.loads(cli("api-keys", "create", "--admin", "--json", "--ledger", ledger).stdout)["key"]
        key = json.loads(cli("api-keys", "create", "--account", "acme", "--json", "--ledger", ledger).stdout)[
            "key"
        ]
        other = json.loads(
            cli("api-keys", "create", "--account", "other", "--json", "--ledger", ledger).stdout
        )["key"]
        process, url, log = start_serve(ledger, folder, "--grace", "5")
        assert f"the console at {url}/ui" in log.read_text()
        with httpx.Client(base_url=url, timeout=30, headers={"Authorization": f"Bearer {key}"}) as client:
            answer = client.post("/v1/accounts/acme/documents", json=documents(3))
            assert answer.status_code == 202, answer.text
            _wait(client, lambda totals: totals.get("failed", 0) > 0 and not totals.get("pending"))
        yield Console(url, admin, key, other, folder)
    finally:
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for emulator in emulators:
            emulator.stop()


def _wait(client: httpx.Client, done: Any, within: float = 60) -> dict[str, int]:
    deadline = time.monotonic() + within
    while True:
        summary = client.get("/v1/accounts/acme/summary").json()
        if done(summary["totals"]) and summary["last_run"]:
            totals: dict[str, int] = summary["totals"]
            return totals
        assert time.monotonic() < deadline, summary
        time.sleep(0.2)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium for the module (Debian's; the tests never download a browser)."""
    require(CHROMIUM.exists(), f"{CHROMIUM} is absent: `apt-get install chromium` runs the browser tests")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


def _sign_in(page: Any, console: Console, key: str) -> None:
    page.goto(f"{console.url}/ui/")
    assert "/ui/sign-in" in page.url
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def _fits(page: Any, width: int) -> None:
    """Nothing wider than the window but the tables' own scrolling boxes."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _labelled(page: Any) -> None:
    """Every visible field has a label a screen reader announces."""
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
            .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
            .map(e => e.name)"""
    )
    assert unlabelled == []


def test_a_clerk_fixes_a_mapping_mistake_retries_and_sees_the_documents_sync(
    browser: Any, console: Console
) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        _sign_in(page, console, console.admin)
        expect(page).to_have_url(re.compile(r"/ui/accounts$"))
        expect(page.get_by_role("link", name="acme")).to_be_visible()
        expect(page.get_by_role("link", name="other")).to_be_visible()
        _labelled(page)
        _shot(page, "accounts")

        # The skip link is the first thing the keyboard reaches.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to content"

        page.get_by_role("link", name="acme").click()
        page.get_by_role("link", name="Errors").click()
        cause = page.locator("section.cause").first
        expect(cause).to_contain_text("company 'FCCA' is not in the mapping")
        expect(cause).to_contain_text("Fix: add [companies.FCCA]")
        failed = int(cause.locator(".count").inner_text())
        assert failed > 0
        _shot(page, "errors")
        page.set_viewport_size(PHONE)
        _fits(page, PHONE["width"])
        _shot(page, "errors-phone")
        page.set_viewport_size(DESKTOP)

        # Exports paused while the mapping is corrected (so the failures wait for "Retry these"), then the
        # corrected mapping uploaded: the doctor checks it before it takes effect.
        cause.get_by_role("link", name="correct the mapping in Settings").click()
        page.get_by_role("button", name="Pause exports").click()
        expect(page.locator(".flash")).to_have_text("Exports paused.")
        fixed = console.folder / "fixed.toml"
        fixed.write_text(MAPPING, encoding="utf-8")
        page.get_by_label("Mapping file (TOML)").set_input_files(str(fixed))
        page.get_by_role("button", name="Check and save the mapping").click()
        expect(page.locator(".flash")).to_contain_text("Mapping v2 saved: the doctor's checks passed")
        _labelled(page)
        _shot(page, "settings")

        page.get_by_role("link", name="Errors").click()
        page.get_by_role("button", name=f"Retry these {failed}").click()
        expect(page.locator(".flash")).to_have_text(f"{failed} document version(s) queued again.")
        page.get_by_role("link", name="Settings").click()
        page.get_by_role("button", name="Resume exports").click()
        expect(page.locator(".flash")).to_have_text("Exports resumed.")

        # Watch them sync: the overview's counts of pending, failed and blocked documents come down to zero.
        deadline = time.monotonic() + 60
        while True:
            page.goto(f"{console.url}/ui/accounts/acme")
            counts = page.locator("dl.counts").inner_text()
            if all(re.search(rf"{name}\s+0\b", counts) for name in ("Pending", "Failed", "Blocked")):
                break
            assert time.monotonic() < deadline, counts
            time.sleep(0.5)
        page.goto(f"{console.url}/ui/accounts/acme/documents?state=failed")
        expect(page.get_by_text("No documents match.")).to_be_visible()
        page.goto(f"{console.url}/ui/accounts/acme/errors")
        expect(page.get_by_text("Nothing has failed")).to_be_visible()

        # A document that had failed: now synced, with its NetSuite record one click away.
        page.get_by_role("link", name="Documents").click()
        page.get_by_label("TMS id, load number or NetSuite id").fill("INV-L2610")
        page.get_by_label("Kind").select_option("invoice")
        page.get_by_role("button", name="Show").click()
        expect(page).to_have_url(re.compile(r"q=INV-L2610"))
        _labelled(page)
        _shot(page, "documents")
        page.get_by_role("link", name=re.compile(r"^invoice INV-")).first.click()
        expect(page.locator(".badge.state-synced").first).to_be_visible()
        link = page.get_by_role("link", name=re.compile(r"^invoice \d+$")).first
        href = link.get_attribute("href")
        assert re.fullmatch(
            r"https://\d+\.app\.netsuite\.com/app/accounting/transactions/custinvc\.nl\?id=\d+", href
        )
        _shot(page, "document")
        # NetSuite itself is not reachable from the tests: the browser's request for the link is answered here.
        opened: list[str] = []
        context.route(
            re.compile(r"https://[^/]+\.app\.netsuite\.com/.*"),
            lambda route: (opened.append(route.request.url), route.fulfill(body="<h1>NetSuite</h1>")),
        )
        with context.expect_page() as new_tab:
            link.click()
        new_tab.value.wait_for_load_state()
        assert opened == [href]
        new_tab.value.close()

        # The doctor, run now; its history grows.
        page.get_by_role("link", name="Doctor").click()
        expect(page).to_have_url(re.compile(r"/doctor$"))
        runs = page.locator("section:has(h2:text('History')) tbody tr").count()
        page.get_by_role("button", name="Run now").click()
        expect(page.locator(".flash")).to_contain_text("The doctor ran")
        expect(page.locator("section:has(h2:text('History')) tbody tr")).to_have_count(runs + 1)
        _shot(page, "doctor")

        page.get_by_role("link", name="Overview").click()
        expect(page).to_have_url(re.compile(r"/ui/accounts/acme$"))
        _shot(page, "overview")
    finally:
        context.close()


def test_an_account_key_cannot_reach_another_account(browser: Any, console: Console) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        _sign_in(page, console, console.key)
        expect(page).to_have_url(re.compile(r"/ui/accounts/acme$"))
        _fits(page, PHONE["width"])
        page.goto(f"{console.url}/ui/accounts")
        assert page.get_by_role("link", name="acme").count() == 1
        assert page.get_by_role("link", name="other").count() == 0
        for path in ["", "/errors", "/documents", "/doctor", "/settings"]:
            answer = page.goto(f"{console.url}/ui/accounts/other{path}")
            assert answer is not None
            assert answer.status == 404, path
            expect(page.get_by_role("heading", name="Not found")).to_be_visible()

        # Forged posts from the signed-in browser: a form built in the page with this session's token, aimed at
        # the other account, then the same without a token.
        page.goto(f"{console.url}/ui/accounts/acme/doctor")
        token = page.locator("input[name=csrf]").first.get_attribute("value")
        forge = """([action, token]) => {
            const form = document.createElement('form');
            form.method = 'post';
            form.action = action;
            for (const [name, value] of [['csrf', token], ['row', '1'], ['paused', 'true']]) {
                if (value === null) continue;
                const input = document.createElement('input');
                input.type = 'hidden'; input.name = name; input.value = value;
                form.appendChild(input);
            }
            document.body.appendChild(form);
            form.submit();
        }"""
        for action in ["retry", "doctor", "pause", "test-connection", "keys"]:
            with page.expect_navigation() as navigation:
                page.evaluate(forge, [f"{console.url}/ui/accounts/other/{action}", token])
            assert navigation.value.status == 404, action
            page.goto(f"{console.url}/ui/accounts/acme/doctor")
            with page.expect_navigation() as navigation:
                page.evaluate(forge, [f"{console.url}/ui/accounts/acme/{action}", None])
            assert navigation.value.status == 403, action
            page.goto(f"{console.url}/ui/accounts/acme/doctor")
    finally:
        context.close()
    with httpx.Client(base_url=console.url, headers={"Authorization": f"Bearer {console.admin}"}) as client:
        other = next(a for a in client.get("/v1/accounts").json() if a["slug"] == "other")
        assert not other["paused"] or "administrator" not in (other["pause_reason"] or "")

"""Pictures of each role's main pages, for README.md: `make screenshots`.

Starts the service on a free port with a scratch SQLite database (migrate, seed_demo), then
drives Chromium through the demo journey (a survivor asks, a coordinator runs matching and
offers, a supporter accepts) and saves PNGs at a phone's width (390 px) and a desktop's
(1280 px) into docs/screenshots/. Nothing outside the scratch folder is written but the
pictures. CHROMIUM_PATH points at the browser (default /usr/bin/chromium).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PASSWORD = "demo-pass-2026"  # noqa: S105 - seed_demo's, printed by `make run` too
WIDTHS = {"phone": (390, 844), "desktop": (1280, 800)}  # width, height
# A long page is cut at this many viewport heights, so each picture stays small.
MAX_SCREENS = 2


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(scratch: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DEBUG="true",
        DATABASE_URL=f"sqlite:///{scratch / 'db.sqlite3'}",
        CELERY_TASK_ALWAYS_EAGER="true",  # no worker, no broker folder: emails printed now
        SITE_URL=f"http://127.0.0.1:{port}",
        QUICK_EXIT_URL="about:blank",
        PYTHONUNBUFFERED="1",
    )
    return env


def _wait_for(url: str, server: subprocess.Popen) -> None:
    for _ in range(120):
        if server.poll() is not None:
            sys.exit(f"the server stopped (exit {server.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own local server
                return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"the server did not answer at {url}")


class Camera:
    """One browser context per person, at both widths; a picture is taken at each width."""

    def __init__(self, browser, base: str):
        self.browser, self.base = browser, base
        self.count = 0

    def person(self, email: str | None = None):
        context = self.browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        if email:
            page.goto(f"{self.base}/accounts/login/")
            page.fill("input[name=login]", email)
            page.fill("input[name=password]", PASSWORD)
            with page.expect_navigation():
                page.click("main form button[type=submit]")
        return page

    def shoot(self, page, name: str) -> None:
        for label, (width, height) in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": height})
            page.evaluate("window.scrollTo(0, 0)")
            full = page.evaluate("document.documentElement.scrollHeight")
            clip = {"x": 0, "y": 0, "width": width, "height": min(full, height * MAX_SCREENS)}
            path = OUT / f"{name}-{label}.png"
            page.screenshot(path=path, full_page=True, clip=clip, animations="disabled")
            self.count += 1
            print(f"  {path.relative_to(ROOT)}")
        page.set_viewport_size({"width": 1280, "height": 800})


def journey(camera: Camera) -> None:
    base = camera.base
    visitor = camera.person()
    visitor.goto(f"{base}/")
    camera.shoot(visitor, "01-welcome")

    survivor = camera.person("survivor@example.org")
    survivor.click("text=Ask for a peer supporter")
    survivor.wait_for_load_state()
    camera.shoot(survivor, "02-survivor-request")
    # Through the steps ("Continue" on each) to the check-your-answers page, then send.
    for _ in range(12):
        if survivor.url.rstrip("/").endswith("/check"):
            break
        with survivor.expect_navigation():
            survivor.locator("main form button[type=submit]").last.click()
    with survivor.expect_navigation():
        survivor.locator("main form button[type=submit]").last.click()
    survivor.goto(f"{base}/home/")
    camera.shoot(survivor, "03-survivor-waiting")

    coordinator = camera.person("coordinator@example.org")
    camera.shoot(coordinator, "04-coordinator-queue")
    coordinator.goto(f"{base}/team/proposals/")
    with coordinator.expect_navigation():
        coordinator.click("text=Run matching now")
    camera.shoot(coordinator, "05-coordinator-proposals")
    with coordinator.expect_navigation():
        coordinator.click("button[name=decision][value=offer]")

    # The matcher chose one of the two demo supporters: whoever has the offer.
    for email in ("supporter1@example.org", "supporter2@example.org"):
        supporter = camera.person(email)
        offer = supporter.locator("main a[href*='/requests/offers/']")
        if offer.count():
            break
        supporter.context.close()
    with supporter.expect_navigation():
        offer.first.click()
    camera.shoot(supporter, "06-supporter-offer")
    with supporter.expect_navigation():
        supporter.click("main form button:has-text('Accept')")
    supporter.goto(f"{base}/home/")
    camera.shoot(supporter, "07-supporter-caseload")

    survivor.goto(f"{base}/home/")
    camera.shoot(survivor, "08-survivor-matched")


def main() -> None:
    if not Path(CHROMIUM).exists():
        sys.exit(f"Chromium not found at {CHROMIUM} (apt-get install chromium, or CHROMIUM_PATH)")
    OUT.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="willow-screenshots-") as scratch:
        env = _environment(Path(scratch), port)
        for command in (["migrate", "--noinput"], ["seed_demo"]):
            subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
                [python, "manage.py", *command],
                cwd=ROOT,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        server = subprocess.Popen(  # noqa: S603 - our own manage.py, fixed arguments
            [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_for(f"{base}/", server)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
                )
                camera = Camera(browser, base)
                journey(camera)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"{camera.count} pictures in {OUT.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()

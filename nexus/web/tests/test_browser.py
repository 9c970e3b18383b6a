"""A person in Chromium: sign up, log in, edit the profile, see it on the public page."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_log_in_edit_profile_and_see_it_public(live_server: Any, page: Any) -> None:
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("#id_username", "tomas")
    page.fill("#id_email", "tomas@example.org")
    page.fill("#id_password", "a long enough password")
    page.fill("#id_display_name", "Tomás")
    page.select_option("#id_track", "frontend")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/accounts/profile/")
    assert "Welcome to Nexus" in page.content()

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "tomas")
    page.fill("#id_password", "a long enough password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accounts/profile/")

    page.fill("#id_bio", "I build the poll app's voting screen.")
    page.fill("#id_github", "tomas-dev")
    page.fill("#id_discord", "tomas.dev")
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_url("**/u/tomas/")

    page.context.clear_cookies()  # what anyone else sees
    page.goto(f"{live_server.url}/u/tomas/")
    assert page.text_content("h1") == "Tomás"
    assert "I build the poll app's voting screen." in page.text_content(".bio")
    assert page.get_attribute("a[href^='https://github.com/']", "href") == "https://github.com/tomas-dev"
    assert "Frontend" in page.text_content(".facts")
    page.screenshot(path=str(live_server_screenshot_dir() / "profile.png"), full_page=True)


def live_server_screenshot_dir() -> Any:
    from nexus.env import VAR_DIR

    path = VAR_DIR / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path

"""How the tests work the app's screens: one place that knows its element ids (from web/), so
that the tests read as what a person does. Nothing here depends on the language shown."""

import pathlib
import re

from playwright.sync_api import expect

SESSION_COOKIE = "msai_session"

WEB = pathlib.Path(__file__).resolve().parents[2] / "web"


def message(lang, key):
    """A message of a catalogue, as plain text (for messages without variables)."""
    text = (WEB / "locales" / f"{lang}.ftl").read_text(encoding="utf-8")
    found = re.search(rf"^{re.escape(key)} = (.*)$", text, re.MULTILINE)
    assert found, f"{key} in {lang}.ftl"
    return found.group(1).strip()


LANGUAGES = ["en", "fil", "id", "ne"]


def wait_for_screen(page, lang=None):
    """Waits until the screen at the current address has been drawn (not "Loading…", in any
    language), and fails if it is the app's error or not-found screen."""
    loading = [message(each, "loading") for each in LANGUAGES]
    page.wait_for_function(
        """(loading) => {
            const title = document.getElementById("screen-title");
            return title !== null && !loading.includes(title.textContent);
        }""",
        arg=loading,
    )
    title = page.locator("#screen-title").text_content()
    for each in [lang] if lang else LANGUAGES:
        for failure in ("error-title", "not-found-title"):
            assert title != message(each, failure), f"{page.url}: {page.locator('#main').inner_text()}"


def go(page, address, lang=None):
    """Opens a screen by its address (`#/g/...`) once the screen shown has been drawn (a
    screen still loading would replace the next one when its answer came)."""
    wait_for_screen(page, lang)
    page.evaluate("(address) => { location.hash = address; }", address)
    page.wait_for_function("(address) => location.hash === address", arg=address)
    wait_for_screen(page, lang)


def sign_in(page, username, password):
    form = page.locator("#signin-form")
    expect(form).to_be_visible()
    page.fill("#username", username)
    page.fill("#password", password)
    form.locator("button[type=submit]").click()
    # Signed in (the app leaves the sign-in screen) or refused (its status says why).
    page.wait_for_function(
        """() => !location.hash.startsWith("#/signin")
            || document.querySelector("#signin-form .status.bad") !== null"""
    )
    refusal = page.locator("#signin-form .status.bad")
    assert refusal.count() == 0, f"{username} could not sign in: {refusal.text_content()}"
    wait_for_screen(page)


def expect_sign_in(page):
    expect(page.locator("#signin-form")).to_be_visible()


def sign_in_again_to_send(page, username, password):
    """When the session ended while the phone was offline, the app asks to sign in once online,
    says that the outbox waits, and sends it after."""
    expect_sign_in(page)
    expect(page.locator("#main .notice")).to_be_visible()
    sign_in(page, username, password)
    go(page, "#/outbox")


def sign_out(page):
    page.click("#signout")


def confirm(page):
    """Says yes to the app's question."""
    page.locator("dialog[open] button.primary").click()


def expect_group_home(page, group):
    expect(page).to_have_url(re.compile(rf"#/g/{group.id}$"))
    expect(page.locator("#screen-title")).to_have_text(group.name)


def wait_for_service_worker(page):
    """Waits until the service worker keeps the app and controls the page (so that it opens
    with no connection)."""
    page.wait_for_function(
        "async () => { await navigator.serviceWorker.ready; return navigator.serviceWorker.controller !== null; }"
    )


def sheet_row(page, member):
    return page.locator(f'fieldset.sheet-row[data-member-id="{member["id"]}"]')


def fill_sheet_row(page, member, present=True, savings="", capital="", social=""):
    row = sheet_row(page, member)
    checkbox = row.locator("input[name=attended]")
    if present:
        checkbox.check()
    else:
        checkbox.uncheck()
    for name, value in (("savings", savings), ("capital", capital), ("social", social)):
        row.locator(f"input[name={name}]").fill(value)


def save_meeting(page):
    page.click("#save-meeting")
    confirm(page)
    expect(page).to_have_url(re.compile(r"#/outbox$"))


def outbox_items(page, kind=None):
    selector = "#outbox li[data-state]"
    if kind:
        selector += f'[data-kind="{kind}"]'
    return page.locator(selector)


def expect_outbox_state(page, state, kind="meeting", timeout=15_000):
    expect(outbox_items(page, kind)).to_have_count(1)
    expect(outbox_items(page, kind).first).to_have_attribute("data-state", state, timeout=timeout)

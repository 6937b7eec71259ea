"""Every screen in every language: axe-core finds no violation of the WCAG 2.1 A and AA rules at
360x640, and the page never scrolls sideways at 360x640 nor at 390x844."""

import pytest
from axe_playwright_python.sync_playwright import Axe

import app
from conftest import ADMIN_PASSWORD, LANGUAGES, PHONE, TALL_PHONE

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

_axe = Axe()


def check_screen(page, name):
    """Axe at 360x640 and no sideways scroll at both phone sizes; returns what is wrong."""
    wrong = []
    results = _axe.run(page, options=WCAG_21_AA)
    if not results.response["passes"]:
        wrong.append(f"{name}: axe checked nothing")
    for violation in results.response["violations"]:
        targets = [", ".join(node["target"]) for node in violation["nodes"]][:5]
        wrong.append(f"{name}: {violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    for viewport in (PHONE, TALL_PHONE):
        page.set_viewport_size(viewport)
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if widths[0] > widths[1]:
            wrong.append(f"{name}: scrolls sideways at {viewport['width']}x{viewport['height']}: {widths}")
    page.set_viewport_size(PHONE)
    return wrong


@pytest.fixture(scope="module")
def seeded(api):
    """A group with twelve members, a meeting and a withdrawal, so that lists, tables and the
    passbook have rows."""
    from conftest import MEMBER_NAMES, Group, unique

    group = Group(api, unique("Melati Savers"), MEMBER_NAMES, ["250.00"] * len(MEMBER_NAMES))
    first, second = group.members[0], group.members[1]
    api.create(
        group.path("/meetings"),
        {
            "attendance": [first["id"], second["id"]],
            "events": [
                {"type": "contribution", "member_id": first["id"], "amount": "40.00", "fund": "savings", "channel": "cash"},
                {"type": "contribution", "member_id": second["id"], "amount": "15.00", "fund": "capital", "channel": "cash"},
            ],
        },
        keyed=True,
    )
    api.create(
        group.path("/withdrawals"),
        {"member_id": first["id"], "amount": "30.00", "from": "savings", "channel": "cash"},
        keyed=True,
    )
    return group


def screens(group):
    g, m = group.id, group.members[0]["id"]
    return [
        "#/groups",
        "#/network",
        "#/admin/groups/new",
        "#/admin/users/new",
        "#/outbox",
        "#/me",
        f"#/g/{g}",
        f"#/g/{g}/members",
        f"#/g/{g}/members/new",
        f"#/g/{g}/m/{m}",
        f"#/g/{g}/meeting",
        f"#/g/{g}/withdraw",
        f"#/g/{g}/remit",
        f"#/g/{g}/investments",
        f"#/g/{g}/distribute",
        f"#/g/{g}/trial-balance",
        f"#/me/{g}/{m}",
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_screen_passes_axe_and_fits_a_phone(lang, seeded, new_context):
    page = new_context(lang).new_page()
    page.goto("/")
    app.wait_for_screen(page, lang)
    assert page.evaluate("document.documentElement.lang") == lang
    wrong = check_screen(page, "sign-in")
    app.sign_in(page, "admin", ADMIN_PASSWORD)
    for address in screens(seeded):
        app.go(page, address, lang)
        wrong += check_screen(page, address.replace(seeded.id, "{group}"))
    assert not wrong, "\n".join(wrong)

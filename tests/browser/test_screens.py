"""Every screen in every language: axe-core finds no violation of the WCAG 2.1 A and AA rules at
360x640; the page never scrolls sideways at 360x640 nor at 390x844, nor with its text at 200 %;
and every control a finger uses is at least 44x44 CSS pixels (itself or the label around it)."""

import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe

import app
from conftest import ADMIN_PASSWORD, LANGUAGES, MEMBER_NAMES, PASSWORD, PHONE, TALL_PHONE, Api, Group, unique

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

_axe = Axe()


# Controls smaller than 44x44 CSS pixels, measured on the control or on the label that holds it
# (a tap on the label works the control). Links inside running text are exempt, as WCAG's
# target-size rule exempts them, and so is the skip link, which only a keyboard reaches.
SMALL_TARGETS = """() => [...document.querySelectorAll("a[href], button, input, select, textarea, summary")]
    .filter((e) => e.offsetParent !== null && !e.classList.contains("skip") && !e.closest("p, td, dd"))
    .map((e) => [e, (e.closest("label") || e).getBoundingClientRect()])
    .filter(([, r]) => r.height < 44 || r.width < 44)
    .map(([e, r]) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}[name=${e.name || ""}] `
        + `"${(e.textContent || "").trim().slice(0, 24)}" ${Math.round(r.width)}x${Math.round(r.height)}`)"""

SIDEWAYS = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


def check_screen(page, name):
    """Axe at 360x640, no sideways scroll at both phone sizes and at 200 % text, and touch
    targets of 44 px; returns what is wrong."""
    wrong = []
    results = _axe.run(page, options=WCAG_21_AA)
    if not results.response["passes"]:
        wrong.append(f"{name}: axe checked nothing")
    for violation in results.response["violations"]:
        targets = [", ".join(node["target"]) for node in violation["nodes"]][:5]
        wrong.append(f"{name}: {violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    for viewport in (PHONE, TALL_PHONE):
        page.set_viewport_size(viewport)
        widths = page.evaluate(SIDEWAYS)
        if widths[0] > widths[1]:
            wrong.append(f"{name}: scrolls sideways at {viewport['width']}x{viewport['height']}: {widths}")
    page.set_viewport_size(PHONE)
    small = page.evaluate(SMALL_TARGETS)
    if small:
        wrong.append(f"{name}: touch targets under 44x44 px: {small}")
    page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
    widths = page.evaluate(SIDEWAYS)
    page.evaluate("() => { document.documentElement.style.fontSize = ''; }")
    if widths[0] > widths[1]:
        wrong.append(f"{name}: scrolls sideways with its text at 200 %: {widths}")
    return wrong


@pytest.fixture(scope="module")
def seeded(api):
    """A group with twelve members, a meeting, a withdrawal, a remittance on its way and a
    withdrawal waiting for approval, so that lists, tables and the passbook have rows."""
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
    # A remittance on its way, so that the remittance screen shows what records its arrival
    # and the passbook its status.
    api.create(
        group.path("/remittances"),
        {
            "member_id": first["id"],
            "send_amount": "100.00",
            "send_currency": "HKD",
            "fee": "0.50",
            "receive_amount": "700.00",
            "receive_currency": "PHP",
            "provider": "Padala Express",
            "channel": "money_transfer_operator",
            "send_country": "HK",
            "receive_country": "PH",
            "uses": [{"purpose": "group_savings", "amount": "700.00"}],
            "status": "in_transit",
        },
        keyed=True,
    )
    # A withdrawal above the group's limit, waiting for approval, so that the approvals
    # screens show an item with its buttons.
    policy = api.send("PUT", group.path("/approval-policy"), {"withdrawals_above": {"HKD": "50.00"}}, key=str(uuid.uuid4()))
    assert policy.status == 200, policy
    treasurer = Api.sign_in(group.user("treasurer"), PASSWORD)
    waiting = treasurer.send(
        "POST",
        group.path("/withdrawals"),
        {"member_id": second["id"], "amount": "80.00", "from": "savings", "channel": "cash"},
        key=str(uuid.uuid4()),
    )
    assert waiting.status == 202, waiting
    return group


def screens(group):
    g, m = group.id, group.members[0]["id"]
    return [
        "#/groups",
        "#/network",
        "#/dashboard?host_country=HK&from=2026-01-01&to=2026-12-31",
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
        f"#/g/{g}/dashboard?from=2026-01-01",
        f"#/g/{g}/approvals",
        f"#/g/{g}/approval-policy",
        f"#/g/{g}/performance",
        f"#/g/{g}/accreditation",
        "#/approvals",
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

"""The keyboard alone: a treasurer signs in, opens the meeting sheet, types a member's savings
and saves the meeting with Tab, Space and Enter only, and it is posted; another approves a
withdrawal waiting for a second person, with a note, the same way."""

from decimal import Decimal

from playwright.sync_api import expect

import app
from conftest import PASSWORD, Api

MAX_TABS = 60


def tab_to(page, selector):
    """Presses Tab until the focus is on `selector`, as a keyboard user moves."""
    for _ in range(MAX_TABS):
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reaches {selector}")


def test_a_meeting_recorded_with_the_keyboard_alone(group, new_context):
    treasurer = group.user("treasurer")
    amihan = group.members[0]
    page = new_context().new_page()
    page.goto("/")
    app.wait_for_screen(page)

    tab_to(page, "#username")
    page.keyboard.type(treasurer)
    tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    app.expect_group_home(page, group)

    tab_to(page, f'a[href="#/g/{group.id}/meeting"]')
    page.keyboard.press("Enter")
    app.wait_for_screen(page)
    row = f'fieldset[data-member-id="{amihan["id"]}"]'
    tab_to(page, f"{row} input[name=attended]")
    page.keyboard.press("Space")
    tab_to(page, f"{row} input[name=savings]")
    page.keyboard.type("25")
    tab_to(page, "#save-meeting")
    page.keyboard.press("Enter")
    dialog = page.locator("dialog[open]")
    expect(dialog).to_be_visible()
    tab_to(page, "dialog[open] button.primary")
    page.keyboard.press("Enter")
    app.expect_outbox_state(page, "sent")

    meetings = group.meetings()
    assert len(meetings) == 1, meetings
    assert meetings[0]["attendance"] == [amihan["id"]]
    assert [(e["member_id"], Decimal(e["amount"])) for e in meetings[0]["events"]] == [
        (amihan["id"], Decimal("25"))
    ]


def test_an_approval_decided_with_the_keyboard_alone(group, new_context):
    policy = group.api.send(
        "PUT",
        group.path("/approval-policy"),
        {"withdrawals_above": {"HKD": "50.00"}},
        key="keyboard-policy-" + group.id,
    )
    assert policy.status == 200, policy
    maker = Api.sign_in(group.user("treasurer"), PASSWORD)
    bituin = group.members[1]
    asked = maker.send(
        "POST",
        group.path("/withdrawals"),
        {"member_id": bituin["id"], "amount": "60.00", "from": "savings", "channel": "cash"},
        key="keyboard-withdrawal-" + group.id,
    )
    assert asked.status == 202, asked
    checker = group.user("treasurer")
    page = new_context().new_page()
    page.goto("/")
    app.wait_for_screen(page)
    tab_to(page, "#username")
    page.keyboard.type(checker)
    tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    app.expect_group_home(page, group)

    tab_to(page, f'#home-approvals a[href="#/g/{group.id}/approvals"]')
    page.keyboard.press("Enter")
    app.wait_for_screen(page)
    card = f'#approvals li[data-id="{asked.json["id"]}"]'
    tab_to(page, f"{card} textarea[name=note]")
    page.keyboard.type("Checked at the meeting.")
    tab_to(page, f"{card} button.approve")
    page.keyboard.press("Enter")
    expect(page.locator(card)).to_have_attribute("data-status", "approved")
    decided = group.api.get(group.path(f"/approvals/{asked.json['id']}"))
    assert decided["status"] == "approved" and decided["note"] == "Checked at the meeting.", decided
    assert Decimal(group.balances()[bituin["name"]]["balances"][0]["savings"]) == Decimal("40.00")

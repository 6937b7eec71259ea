"""Four eyes on money going out: a treasurer's withdrawal above the group's limit waits for a
second person (in the outbox too, even when it was saved offline), another treasurer sees it,
approves or rejects it with a note, and a refusal on approval (an overdraft that arose
meanwhile) is shown and leaves the item waiting."""

import uuid
from decimal import Decimal

from playwright.sync_api import expect

import app
from conftest import ADMIN_PASSWORD, PASSWORD, Api

LIMIT = "50.00"


def set_limit(group, limit=LIMIT):
    """The administrator makes withdrawals above `limit` wait (it applies at once)."""
    reply = group.api.send(
        "PUT",
        group.path("/approval-policy"),
        {"withdrawals_above": {"HKD": limit}},
        key=str(uuid.uuid4()),
    )
    assert reply.status == 200, reply


def savings(group, member):
    return Decimal(group.balances()[member["name"]]["balances"][0]["savings"])


def pending(group):
    return group.api.all(group.path("/approvals?status=pending"))


def ask_withdrawal(treasurer_api, group, member, amount):
    """A withdrawal asked for through the API by a treasurer; returns the waiting item."""
    reply = treasurer_api.send(
        "POST",
        group.path("/withdrawals"),
        {"member_id": member["id"], "amount": amount, "from": "savings", "channel": "cash"},
        key=str(uuid.uuid4()),
    )
    assert reply.status == 202, reply
    return reply.json


def signed_in(new_context, username, lang="en"):
    page = new_context(lang).new_page()
    page.goto("/")
    app.sign_in(page, username, PASSWORD)
    return page


def signed_in_as_admin(new_context):
    page = new_context().new_page()
    page.goto("/")
    app.sign_in(page, "admin", ADMIN_PASSWORD)
    return page


def withdraw(page, group, member, amount):
    """Fills the withdrawal screen and saves it (into the outbox, which sends it)."""
    app.go(page, f"#/g/{group.id}/withdraw")
    page.select_option("#w-member", member["id"])
    page.fill("#w-amount", amount)
    page.locator("#withdrawal-form button[type=submit]").click()
    page.click("#w-submit")
    expect(page).to_have_url(f"{page.url.split('#')[0]}#/outbox")
    app.wait_for_screen(page)


def card(page, item_id):
    return page.locator(f'#approvals li.approval[data-id="{item_id}"]')


def test_a_withdrawal_above_the_limit_waits_and_another_treasurer_approves_it(group, new_context):
    set_limit(group)
    maker = group.user("treasurer")
    checker = group.user("treasurer")
    amira = group.members[0]

    page = signed_in(new_context, maker)
    app.expect_group_home(page, group)
    expect(page.locator("#home-approvals")).to_have_attribute("data-count", "0")
    withdraw(page, group, amira, "80.00")
    # Sent, and waiting for a second person: neither done nor refused, and not sent again.
    item = app.outbox_items(page, "withdrawal")
    expect(item).to_have_attribute("data-state", "awaiting")
    expect(item.locator(".state.approval")).to_have_text(app.message("en", "approval-waiting") + " " + app.message("en", "approval-see-list"))
    assert savings(group, amira) == Decimal("100.00")
    waiting = pending(group)
    assert len(waiting) == 1, waiting
    item_id = waiting[0]["id"]
    assert waiting[0]["operation"]["amount"] == "80.00", waiting

    # The maker sees her own item as waiting for another person, with no button to approve.
    app.go(page, f"#/g/{group.id}/approvals")
    mine = card(page, item_id)
    expect(mine).to_be_visible()
    expect(mine.locator(".waiting-other")).to_have_text(app.message("en", "approval-waiting-other"))
    expect(mine.locator("button")).to_have_count(0)
    page.reload()
    app.wait_for_screen(page)
    assert len(pending(group)) == 1

    # The other treasurer lands on the group's home, sees that something waits, and approves.
    other = signed_in(new_context, checker)
    app.expect_group_home(other, group)
    expect(other.locator("#home-approvals")).to_have_attribute("data-count", "1")
    other.locator("#home-approvals a").click()
    app.wait_for_screen(other)
    theirs = card(other, item_id)
    expect(theirs).to_contain_text(amira["name"])
    expect(theirs).to_contain_text("80.00")
    # Who asked, by name.
    expect(theirs.locator("dl.facts")).to_contain_text(maker)
    # What it would post: out of her savings, out of the cash box.
    expect(theirs.locator("table")).to_contain_text(f'{app.message("en", "fund-savings")}: #1 {amira["name"]}')
    expect(theirs.locator("table")).to_contain_text("assets:cash")
    theirs.locator("textarea[name=note]").fill("Counted the cash box with the chair.")
    theirs.locator("button.approve").click()
    expect(theirs).to_have_attribute("data-status", "approved")
    expect(theirs.locator(".status.good")).to_have_text(app.message("en", "approval-approved-done"))
    expect(theirs.locator("button")).to_have_count(0)

    assert savings(group, amira) == Decimal("20.00")
    decided = group.api.get(group.path(f"/approvals/{item_id}"))
    assert decided["status"] == "approved" and decided["note"] == "Counted the cash box with the chair.", decided
    app.go(other, f"#/g/{group.id}/m/{amira['id']}")
    expect(other.locator("#main table").first).to_contain_text("20.00")

    # The maker sees who decided, by name.
    app.go(page, f"#/g/{group.id}/approvals")
    page.select_option("#approval-status", "approved")
    decided_card = card(page, item_id)
    expect(decided_card.locator("dl.facts")).to_contain_text(app.message("en", "approval-decided-by"))
    expect(decided_card.locator("dl.facts")).to_contain_text(checker)

    # The maker's outbox learns that it was approved.
    app.go(page, "#/outbox")
    expect(app.outbox_items(page, "withdrawal").locator(".state.approval")).to_have_attribute("data-approval", "approved")


def test_rejection_with_a_note_in_filipino(group, new_context):
    set_limit(group)
    maker = group.user("treasurer")
    checker = group.user("treasurer")
    bituin = group.members[1]
    item = ask_withdrawal(Api.sign_in(maker, PASSWORD), group, bituin, "75.00")

    page = signed_in(new_context, checker, "fil")
    app.go(page, f"#/g/{group.id}/approvals", "fil")
    theirs = card(page, item["id"])
    expect(theirs.locator("button.approve")).to_have_text(app.message("fil", "approval-approve"))
    expect(theirs.locator("h3 .tag")).to_have_text(app.message("fil", "approval-status-pending"))
    theirs.locator("textarea[name=note]").fill("Kulang ang pera sa kahon.")
    theirs.locator("button.reject").click()
    expect(theirs).to_have_attribute("data-status", "rejected")
    expect(theirs.locator(".status.good")).to_have_text(app.message("fil", "approval-rejected-done"))

    decided = group.api.get(group.path(f"/approvals/{item['id']}"))
    assert decided["status"] == "rejected" and decided["note"] == "Kulang ang pera sa kahon.", decided
    assert savings(group, bituin) == Decimal("100.00")
    # Listed among the rejected ones, with its note.
    page.select_option("#approval-status", "rejected")
    expect(card(page, item["id"])).to_contain_text("Kulang ang pera sa kahon.")


def test_an_overdraft_at_approval_is_shown_and_the_item_stays(group, new_context):
    set_limit(group)
    maker = group.user("treasurer")
    checker = group.user("treasurer")
    dalisay = group.members[2]
    item = ask_withdrawal(Api.sign_in(maker, PASSWORD), group, dalisay, "80.00")
    # Meanwhile two withdrawals under the limit leave her 20.00.
    for _ in range(2):
        group.api.create(
            group.path("/withdrawals"),
            {"member_id": dalisay["id"], "amount": "40.00", "from": "savings", "channel": "cash"},
            keyed=True,
        )

    page = signed_in(new_context, checker)
    app.go(page, f"#/g/{group.id}/approvals")
    theirs = card(page, item["id"])
    theirs.locator("button.approve").click()
    expect(theirs.locator(".status.bad")).to_contain_text(app.message("en", "problem-overdraft"))
    expect(theirs).to_have_attribute("data-status", "pending")
    expect(theirs.locator("button.approve")).to_be_visible()
    assert [i["id"] for i in pending(group)] == [item["id"]]
    assert savings(group, dalisay) == Decimal("20.00")
    page.reload()
    app.wait_for_screen(page)
    expect(card(page, item["id"]).locator("button.approve")).to_be_visible()


def test_a_withdrawal_saved_offline_is_sent_once_and_waits(group, new_phone, guard):
    set_limit(group)
    treasurer = group.user("treasurer")
    ligaya = group.members[3]
    phone = new_phone()
    page = phone.open().new_page()
    page.goto("/")
    app.sign_in(page, treasurer, PASSWORD)
    app.expect_group_home(page, group)
    app.wait_for_service_worker(page)

    phone.context.set_offline(True)
    guard.allow_network_failures()
    withdraw(page, group, ligaya, "60.00")
    app.expect_outbox_state(page, "waiting", kind="withdrawal")
    assert pending(group) == []

    phone.context.set_offline(False)
    app.expect_outbox_state(page, "awaiting", kind="withdrawal")
    expect(app.outbox_items(page, "withdrawal").locator(".state.approval")).to_have_attribute("data-approval", "pending")
    # Not a failure, not retried: one item waits, the balance is untouched, and sending again
    # changes nothing.
    page.click("#send-now")
    page.reload()
    app.wait_for_screen(page)
    app.expect_outbox_state(page, "awaiting", kind="withdrawal")
    waiting = pending(group)
    assert len(waiting) == 1 and waiting[0]["operation"]["amount"] == "60.00", waiting
    assert savings(group, ligaya) == Decimal("100.00")
    app.go(page, f"#/g/{group.id}")
    expect(page.locator("#home-waiting")).to_have_text(app.message("en", "home-nothing-waiting"))


def test_the_policy_is_shown_and_a_treasurers_change_waits(group, new_context):
    set_limit(group)
    treasurer = group.user("treasurer")
    page = signed_in(new_context, treasurer)
    app.go(page, f"#/g/{group.id}/approvals")
    expect(page.locator("#approval-policy")).to_contain_text("50.00")
    app.go(page, f"#/g/{group.id}/approval-policy")
    page.fill("#policy-limit", "20")
    page.locator("#policy-form button[type=submit]").click()
    expect(page.locator("#policy-form .status.waiting")).to_have_text(app.message("en", "policy-waits"))
    # Nothing changed yet: the change waits as an item of its own.
    policy = group.api.get(group.path("/approval-policy"))
    assert policy["withdrawals_above"] == {"HKD": "50.00"}, policy
    waiting = pending(group)
    assert [i["operation"]["kind"] for i in waiting] == ["policy"], waiting
    assert waiting[0]["operation"]["policy"]["withdrawals_above"] == {"HKD": "20.00"}, waiting


def test_the_chair_lands_on_the_group_sees_what_waits_and_approves(group, new_context):
    set_limit(group)
    maker = group.user("treasurer")
    chair = group.user("chair")
    mayumi = group.members[4]
    item = ask_withdrawal(Api.sign_in(maker, PASSWORD), group, mayumi, "90.00")

    page = signed_in(new_context, chair)
    app.expect_group_home(page, group)
    expect(page.locator("#home-approvals")).to_have_attribute("data-count", "1")
    # Read-only otherwise: no screen that writes money is offered.
    for screen in ("meeting", "withdraw", "remit", "investments", "distribute"):
        expect(page.locator(f'#main a[href="#/g/{group.id}/{screen}"]')).to_have_count(0)
    app.go(page, "#/approvals")
    theirs = card(page, item["id"])
    expect(theirs).to_contain_text(mayumi["name"])
    theirs.locator("button.approve").click()
    expect(theirs).to_have_attribute("data-status", "approved")
    assert savings(group, mayumi) == Decimal("10.00")
    # The policy is shown to her, and changing it is not offered.
    app.go(page, f"#/g/{group.id}/approvals")
    expect(page.locator("#approval-policy")).to_contain_text("50.00")
    expect(page.locator(f'a[href="#/g/{group.id}/approval-policy"]')).to_have_count(0)
    app.go(page, f"#/g/{group.id}/approval-policy")
    expect(page.locator("#policy-now")).to_contain_text("50.00")
    expect(page.locator("#policy-form")).to_have_count(0)


def test_an_administrators_change_of_the_policy_applies_at_once(group, new_context):
    set_limit(group)
    page = signed_in_as_admin(new_context)
    app.go(page, f"#/g/{group.id}/approval-policy")
    page.fill("#policy-limit", "")
    page.locator("#policy-exits").check()
    page.locator("#policy-form button[type=submit]").click()
    expect(page.locator("#policy-form .status.good")).to_have_text(app.message("en", "policy-applied"))
    policy = group.api.get(group.path("/approval-policy"))
    assert policy["withdrawals_above"] == {} and policy["exits"] is True, policy
    assert pending(group) == []

"""A refused item in the outbox shows its reason in the treasurer's language and can be corrected
and sent again; a member sees her own passbook and no other member's name."""

from decimal import Decimal

from playwright.sync_api import expect

import app
from conftest import PASSWORD
from test_screens import check_screen


def test_a_refused_withdrawal_shows_why_in_filipino_and_is_corrected(group, new_phone, guard):
    ligaya = group.members[3]
    treasurer = group.user("treasurer")
    phone = new_phone("fil")
    page = phone.open().new_page()
    page.goto("/")
    app.sign_in(page, treasurer, PASSWORD)
    app.expect_group_home(page, group)
    app.wait_for_service_worker(page)

    # Offline, the phone knows her last balance (100.00) only from what it kept, so a
    # withdrawal beyond it is saved with a warning, and the ledger decides when it is sent.
    phone.context.set_offline(True)
    guard.allow_network_failures()
    app.go(page, f"#/g/{group.id}/withdraw", "fil")
    page.select_option("#w-member", ligaya["id"])
    page.fill("#w-amount", "150")
    page.locator("#withdrawal-form button[type=submit]").click()
    expect(page.locator("#w-confirm")).to_contain_text(app.message("fil", "withdraw-may-be-refused"))
    page.click("#w-submit")
    app.expect_outbox_state(page, "waiting", kind="withdrawal")

    phone.context.set_offline(False)
    app.expect_outbox_state(page, "refused", kind="withdrawal")
    item = app.outbox_items(page, "withdrawal").first
    reason = item.locator(".reason")
    expect(reason).to_contain_text(app.message("fil", "outbox-refused"))
    expect(reason).to_contain_text(app.message("fil", "problem-overdraft"))
    wrong = check_screen(page, "the outbox with a refused item, in Filipino")
    assert not wrong, "\n".join(wrong)
    assert group.api.all(group.path("/withdrawals")) == []

    # Corrected to what she has, and sent again.
    item.locator("a.button.primary").click()
    app.wait_for_screen(page, "fil")
    expect(page.locator("#w-amount")).to_have_value("150.00")
    page.fill("#w-amount", "80")
    page.locator("#withdrawal-form button[type=submit]").click()
    expect(page.locator("#w-balance-after")).to_have_text("20.00 HKD")
    page.click("#w-submit")
    app.expect_outbox_state(page, "sent", kind="withdrawal")

    withdrawals = group.api.all(group.path("/withdrawals"))
    assert [(w["member_id"], Decimal(w["amount"])) for w in withdrawals] == [
        (ligaya["id"], Decimal("80"))
    ], withdrawals
    savings = group.balances()[ligaya["name"]]["balances"][0]["savings"]
    assert Decimal(savings) == Decimal("20"), savings


def test_a_member_sees_her_passbook_and_no_one_else(api, group, new_context):
    ligaya = group.members[3]
    api.create(
        group.path("/meetings"),
        {
            "attendance": [m["id"] for m in group.members],
            "events": [
                {
                    "type": "contribution",
                    "member_id": m["id"],
                    "amount": f"{10 + n}.00",
                    "fund": "savings",
                    "channel": "cash",
                }
                for n, m in enumerate(group.members)
            ],
        },
        keyed=True,
    )
    member = group.user("member", ligaya)
    context = new_context("en")
    page = context.new_page()
    page.goto("/")
    app.sign_in(page, member, PASSWORD)
    page.wait_for_url(f"**/#/me/{group.id}/{ligaya['id']}")
    app.wait_for_screen(page)
    expect(page.locator("#screen-title")).to_contain_text(ligaya["name"])
    passbook = page.locator("#passbook")
    # Her savings: 100.00, then 13.00 at the meeting.
    expect(passbook).to_contain_text("100.00")
    expect(passbook).to_contain_text("113.00")
    # Her signed receipts, each with its exact signed text, as the statement gives them.
    statement = group.api.get(group.path(f"/members/{ligaya['id']}/statement"))
    kept = statement["receipts"]
    assert kept, statement
    expect(page.locator("#receipts details.receipt")).to_have_count(len(kept))
    expect(page.locator("#receipts details.receipt pre").first).to_have_text(kept[0]["payload"])
    others = [m["name"] for m in group.members if m is not ligaya]

    def expect_no_one_else(where):
        text = page.locator("body").inner_text()
        kept = page.evaluate("() => JSON.stringify(Object.entries(localStorage))")
        for name in others:
            assert name not in text, f"{where}: {name} is shown"
            assert name not in kept, f"{where}: {name} is kept on the phone"

    expect_no_one_else("her passbook")
    # Addresses of the treasurer's screens show her nothing of the others either.
    for address in (f"#/g/{group.id}", f"#/g/{group.id}/members", f"#/g/{group.id}/meeting", "#/me"):
        page.evaluate("(address) => { location.hash = address; }", address)
        page.wait_for_function(
            """() => {
                const title = document.getElementById("screen-title");
                return title !== null && !title.textContent.startsWith("Loading");
            }"""
        )
        expect_no_one_else(address)


def test_two_treasurers_phones_withdrawing_for_one_member_offline_count_once(group, new_phone, guard):
    """Both phones saw her 100.00 and each saves 80.00 for her offline: both send, the ledger
    takes the first and refuses the second as an overdraft, and nothing is counted twice."""
    dalisay = group.members[2]
    phones = []
    for name in ("treasurer.one", "treasurer.two"):
        username = group.user("treasurer", username=f"{name}.{group.id[-6:]}")
        phone = new_phone("en")
        page = phone.open().new_page()
        page.goto("/")
        app.sign_in(page, username, PASSWORD)
        app.expect_group_home(page, group)
        phones.append((phone, page))
    guard.allow_network_failures()
    for phone, page in phones:
        phone.context.set_offline(True)
        app.go(page, f"#/g/{group.id}/withdraw")
        page.select_option("#w-member", dalisay["id"])
        page.fill("#w-amount", "80")
        page.locator("#withdrawal-form button[type=submit]").click()
        page.click("#w-submit")
        app.expect_outbox_state(page, "waiting", kind="withdrawal")

    states = []
    for phone, page in phones:
        phone.context.set_offline(False)
        expect(app.outbox_items(page, "withdrawal").first).not_to_have_attribute("data-state", "waiting", timeout=15_000)
        expect(app.outbox_items(page, "withdrawal").first).not_to_have_attribute("data-state", "sending")
        states.append(app.outbox_items(page, "withdrawal").first.get_attribute("data-state"))
    assert states == ["sent", "refused"], states
    expect(app.outbox_items(phones[1][1], "withdrawal").first.locator(".reason")).to_contain_text(
        app.message("en", "problem-overdraft")
    )
    withdrawals = group.api.all(group.path("/withdrawals"))
    assert [(w["member_id"], Decimal(w["amount"])) for w in withdrawals] == [
        (dalisay["id"], Decimal("80"))
    ], withdrawals
    savings = group.balances()[dalisay["name"]]["balances"][0]["savings"]
    assert Decimal(savings) == Decimal("20"), savings

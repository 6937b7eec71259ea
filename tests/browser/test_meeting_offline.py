"""The meeting sheet with no connection: a treasurer fills a twelve-member sheet offline; it
survives a reload and a closed and reopened browser; once online it is posted exactly once, even
when the connection drops while it is being sent."""

from decimal import Decimal

from playwright.sync_api import expect

import app
from conftest import BASE_URL, PASSWORD, origin_of, request


def cents(amount):
    return Decimal(amount).quantize(Decimal("0.01"))


def typed_sheet(group):
    """What the treasurer types for each of the twelve members: present or not, and savings,
    capital and social fund (empty is nothing)."""
    rows = []
    for n, member in enumerate(group.members):
        present = n % 5 != 4
        savings = f"{50 + 10 * n}.{n % 10}0" if present else ""
        capital = "20" if n % 3 == 0 and present else ""
        social = "5.50" if n % 4 == 1 else ""
        rows.append((member, present, savings, capital, social))
    return rows


def open_treasurer_phone(new_phone, group, lang="en"):
    """A treasurer's phone that has opened the app once online, signed in, and keeps it;
    returns the phone, its page and the treasurer's username."""
    treasurer = group.user("treasurer")
    phone = new_phone(lang)
    page = phone.open().new_page()
    page.goto("/")
    app.sign_in(page, treasurer, PASSWORD)
    app.expect_group_home(page, group)
    app.wait_for_service_worker(page)
    return phone, page, treasurer


def fill(page, rows):
    for member, present, savings, capital, social in rows:
        app.fill_sheet_row(page, member, present, savings, capital, social)


def expect_filled(page, rows):
    for member, present, savings, capital, social in rows:
        row = app.sheet_row(page, member)
        checkbox = row.locator("input[name=attended]")
        expect(checkbox).to_be_checked() if present else expect(checkbox).not_to_be_checked()
        expect(row.locator("input[name=savings]")).to_have_value(savings)
        expect(row.locator("input[name=capital]")).to_have_value(capital)
        expect(row.locator("input[name=social]")).to_have_value(social)


def expect_posted_once(group, rows):
    """Through the API: one meeting, with the attendance and every amount as typed, and each
    member's savings what she had plus what was typed."""
    meetings = group.meetings()
    assert len(meetings) == 1, meetings
    meeting = meetings[0]
    present = {m["id"] for m, p, *_ in rows if p}
    assert set(meeting["attendance"]) == present, meeting
    typed = sorted(
        (m["id"], fund, cents(amount))
        for m, _, savings, capital, social in rows
        for fund, amount in (("savings", savings), ("capital", capital), ("social_fund", social))
        if amount
    )
    posted = sorted(
        (e["member_id"], e["fund"], cents(e["amount"])) for e in meeting["events"]
    )
    assert posted == typed, meeting
    balances = group.balances()
    for member, _, savings, capital, _ in rows:
        line = balances[member["name"]]["balances"][0]
        assert Decimal(line["savings"]) == Decimal("100.00") + Decimal(savings or "0"), line
        assert Decimal(line["capital"]) == Decimal(capital or "0"), line


def test_a_meeting_filled_offline_is_posted_once_after_reload_and_restart(group, new_phone, guard):
    phone, page, _ = open_treasurer_phone(new_phone, group)
    rows = typed_sheet(group)

    phone.context.set_offline(True)
    guard.allow_network_failures()
    app.go(page, f"#/g/{group.id}/meeting")
    fill(page, rows[:6])
    # The half-filled sheet is kept on the phone as it is typed.
    page.reload()
    app.wait_for_screen(page)
    expect_filled(page, rows[:6])
    fill(page, rows[6:])
    expect_filled(page, rows)
    app.save_meeting(page)
    app.expect_outbox_state(page, "waiting")
    page.reload()
    app.wait_for_screen(page)
    app.expect_outbox_state(page, "waiting")

    # The browser is closed, as a phone's is, and opened again still offline.
    phone.close()
    page = phone.open(offline=True).new_page()
    page.goto("/")
    app.wait_for_screen(page)
    app.go(page, "#/outbox")
    app.expect_outbox_state(page, "waiting")
    assert group.meetings() == []

    phone.context.set_offline(False)
    app.expect_outbox_state(page, "sent")
    expect_posted_once(group, rows)
    # Nothing is sent again: a reload online leaves one meeting.
    page.reload()
    app.wait_for_screen(page)
    app.expect_outbox_state(page, "sent")
    expect_posted_once(group, rows)


def test_a_meeting_whose_answer_is_lost_is_still_posted_once(group, new_phone, guard):
    phone, page, _ = open_treasurer_phone(new_phone, group)
    rows = typed_sheet(group)
    posts = []

    def drop_the_first_answer(route):
        request = route.request
        if request.method != "POST":
            route.continue_()
            return
        posts.append(request.header_value("idempotency-key"))
        if len(posts) == 1:
            # The request reaches the service and is posted; its answer never comes back.
            answer = route.fetch()
            posts.append(answer.status)
            route.abort("connectionreset")
        else:
            route.continue_()

    phone.context.set_offline(True)
    guard.allow_network_failures()
    app.go(page, f"#/g/{group.id}/meeting")
    fill(page, rows)
    app.save_meeting(page)
    app.expect_outbox_state(page, "waiting")

    # Back online, on a connection that drops the first answer to the meeting's send.
    phone.context.route(f"**/v1/groups/{group.id}/meetings", drop_the_first_answer)
    phone.context.set_offline(False)
    # The first send is answered by the service, but the phone sees the connection drop.
    for _ in range(150):
        if len(posts) >= 2:
            break
        page.wait_for_timeout(100)
    assert len(posts) >= 2 and posts[1] == 201, posts
    assert len(group.meetings()) == 1
    app.expect_outbox_state(page, "waiting")
    # Sent again with the same key: the service answers with the first outcome.
    page.click("#send-now")
    app.expect_outbox_state(page, "sent")
    assert len(posts) == 3 and posts[2] == posts[0], posts
    expect_posted_once(group, rows)


def test_a_meeting_saved_offline_waits_for_a_new_sign_in_when_the_session_ended(group, new_phone, guard):
    phone, page, treasurer = open_treasurer_phone(new_phone, group)
    rows = typed_sheet(group)[:3]
    phone.context.set_offline(True)
    guard.allow_network_failures()
    app.go(page, f"#/g/{group.id}/meeting")
    fill(page, rows)
    app.save_meeting(page)
    app.expect_outbox_state(page, "waiting")

    # Meanwhile the session ends on the server (as when it expires or is signed out elsewhere).
    cookie = next(c["value"] for c in phone.context.cookies() if c["name"] == app.SESSION_COOKIE)
    session = request("GET", "/v1/auth/session", headers={"Cookie": f"{app.SESSION_COOKIE}={cookie}"})
    assert session.status == 200, session
    ended = request(
        "DELETE",
        "/v1/auth/session",
        headers={
            "Cookie": f"{app.SESSION_COOKIE}={cookie}",
            "Origin": origin_of(BASE_URL),
            "X-CSRF-Token": session.json["csrf_token"],
        },
    )
    assert ended.status == 204, ended

    phone.context.set_offline(False)
    app.sign_in_again_to_send(page, treasurer, PASSWORD)
    app.expect_outbox_state(page, "sent")
    meetings = group.meetings()
    assert len(meetings) == 1, meetings

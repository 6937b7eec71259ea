"""The whole story through the app alone: the administrator signs in, creates a group, its two
members and the users of a treasurer and a member; the treasurer records a meeting with no
connection and sends it later; the member sees it in her passbook, in Bahasa Indonesia."""

import re
from decimal import Decimal

from playwright.sync_api import expect

import app
from conftest import ADMIN_PASSWORD, PASSWORD, unique


def add_member(page, group_id, name):
    app.go(page, f"#/g/{group_id}/members/new")
    form = page.locator("#member-form")
    form.locator("input[name=name]").fill(name)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"#/g/{group_id}/m/[0-9a-f-]{{36}}$"))
    app.wait_for_screen(page)
    return page.url.rsplit("/", 1)[1]


def add_user(page, username, role, group_id, member_id=None):
    app.go(page, "#/admin/users/new")
    form = page.locator("#user-form")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("select[name=role]").select_option(role)
    form.locator("select[name=group_id]").select_option(group_id)
    if member_id:
        expect(form.locator(f'select[name=member_id] option[value="{member_id}"]')).to_be_attached()
        form.locator("select[name=member_id]").select_option(member_id)
    form.locator("button[type=submit]").click()
    expect(form.locator(".status.good")).to_contain_text(username)


def test_from_a_new_group_to_a_members_passbook(api, new_context, new_phone, guard):
    group_name = unique("Bayanihan Savers")
    treasurer, member = unique("rosa"), unique("ligaya")

    # The administrator sets everything up from her phone.
    admin_page = new_context("en").new_page()
    admin_page.goto("/")
    app.sign_in(admin_page, "admin", ADMIN_PASSWORD)
    app.go(admin_page, "#/admin/groups/new")
    form = admin_page.locator("#group-form")
    form.locator("input[name=name]").fill(group_name)
    form.locator("button[type=submit]").click()
    admin_page.wait_for_url(re.compile(r"#/g/[0-9a-f-]{36}$"))
    app.wait_for_screen(admin_page)
    group_id = admin_page.url.rsplit("/", 1)[1]
    expect(admin_page.locator("#screen-title")).to_have_text(group_name)
    ligaya = add_member(admin_page, group_id, "Ligaya Bautista")
    add_member(admin_page, group_id, "Amihan Reyes")
    add_user(admin_page, treasurer, "treasurer", group_id)
    add_user(admin_page, member, "member", group_id, ligaya)
    app.sign_out(admin_page)
    app.expect_sign_in(admin_page)

    # The treasurer records the meeting in a park with no connection and sends it at home.
    phone = new_phone("en")
    page = phone.open().new_page()
    page.goto("/")
    app.sign_in(page, treasurer, PASSWORD)
    expect(page).to_have_url(re.compile(rf"#/g/{group_id}$"))
    app.wait_for_service_worker(page)
    phone.context.set_offline(True)
    guard.allow_network_failures()
    app.go(page, f"#/g/{group_id}/meeting")
    app.fill_sheet_row(page, {"id": ligaya}, present=True, savings="250")
    app.save_meeting(page)
    app.expect_outbox_state(page, "waiting")
    phone.close()
    page = phone.open(offline=True).new_page()
    page.goto("/")
    app.wait_for_screen(page)
    phone.context.set_offline(False)
    app.go(page, "#/outbox")
    app.expect_outbox_state(page, "sent")
    meetings = api.all(f"/v1/groups/{group_id}/meetings")
    assert len(meetings) == 1, meetings
    assert [(e["member_id"], Decimal(e["amount"])) for e in meetings[0]["events"]] == [
        (ligaya, Decimal("250"))
    ]

    # The member reads her passbook in her language.
    member_page = new_context("id").new_page()
    member_page.goto("/")
    app.sign_in(member_page, member, PASSWORD)
    member_page.wait_for_url(f"**/#/me/{group_id}/{ligaya}")
    app.wait_for_screen(member_page, "id")
    assert member_page.evaluate("document.documentElement.lang") == "id"
    expect(member_page.locator("h2", has_text=app.message("id", "passbook-title"))).to_be_visible()
    amount = member_page.evaluate(
        "() => new Intl.NumberFormat('id-ID', {minimumFractionDigits: 2}).format(250)"
    )
    assert amount == "250,00"
    expect(member_page.locator("#passbook")).to_contain_text(amount)
    assert "Amihan Reyes" not in member_page.locator("body").inner_text()

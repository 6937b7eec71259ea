"""Remittances sent and not arrived yet: the treasurer records one as on its way, sees it on
the remittance screen, and records its arrival (with what arrived) or its failure (with what the
company kept); the member's passbook and her record show where each stands."""

import uuid

from playwright.sync_api import expect

import app
from conftest import PASSWORD


def send_in_transit(group, member, send="100.00", receive="700.00"):
    reply = group.api.send(
        "POST",
        group.path("/remittances"),
        {
            "member_id": member["id"],
            "send_amount": send,
            "send_currency": "HKD",
            "fee": "0.50",
            "receive_amount": receive,
            "receive_currency": "PHP",
            "provider": "Padala Express",
            "channel": "money_transfer_operator",
            "send_country": "HK",
            "receive_country": "PH",
            "uses": [{"purpose": "group_savings", "amount": receive}],
            "status": "in_transit",
        },
        key=str(uuid.uuid4()),
    )
    assert reply.status == 201, reply
    return reply.json


def test_a_remittance_on_its_way_is_recorded_as_arrived_or_failed(group, new_context):
    treasurer = group.user("treasurer")
    amihan, bituin, dalisay = group.members[:3]
    first = send_in_transit(group, amihan)
    second = send_in_transit(group, bituin, "50.00", "350.00")
    page = new_context().new_page()
    page.goto("/")
    app.sign_in(page, treasurer, PASSWORD)

    # One more, recorded on the form as not arrived yet.
    app.go(page, f"#/g/{group.id}/remit")
    form = page.locator("#remit-form")
    form.locator("select[name=member_id]").select_option(dalisay["id"])
    form.locator("input[name=send_amount]").fill("20")
    form.locator("input[name=receive_amount]").fill("140")
    form.locator("input[name=provider]").fill("Padala Express")
    form.locator("select[name=purpose]").select_option("group_savings")
    form.locator("input[name=in_transit]").check()
    form.locator("button[type=submit]").click()
    expect(form.locator(".status.good")).to_have_text(app.message("en", "remit-saved-in-transit"))
    items = page.locator("#in-transit li[data-id]")
    expect(items).to_have_count(3)

    arriving = page.locator(f'#in-transit li[data-id="{first["id"]}"]')
    arriving.locator("input[name=receive_amount]").fill("690.00")
    arriving.locator("button.arrived").click()
    expect(arriving.locator(".status.good")).to_have_text(app.message("en", "remit-arrived-done"))
    expect(arriving).to_have_attribute("data-status", "completed")
    done = group.api.get(group.path(f"/remittances/{first['id']}"))
    assert done["status"] == "completed" and done["receive_amount"] == "690.00", done

    failing = page.locator(f'#in-transit li[data-id="{second["id"]}"]')
    failing.locator("input[name=fee_kept]").fill("10")
    failing.locator("button.failed").click()
    expect(failing.locator(".status.good")).to_have_text(app.message("en", "remit-failed-done"))
    failed = group.api.get(group.path(f"/remittances/{second['id']}"))
    assert failed["status"] == "failed" and failed["settlement"]["fee_kept"] == "10.00", failed

    # Her record shows each remittance's status.
    app.go(page, f"#/g/{group.id}/m/{amihan['id']}")
    expect(page.locator('.remit-status[data-status="completed"]')).to_have_text(app.message("en", "remit-status-completed"))
    app.go(page, f"#/g/{group.id}/m/{dalisay['id']}")
    expect(page.locator('.remit-status[data-status="in_transit"]')).to_have_text(app.message("en", "remit-status-in_transit"))
    app.go(page, f"#/g/{group.id}/remit")
    expect(page.locator("#in-transit li[data-id]")).to_have_count(1)


def test_the_passbook_shows_a_remittance_on_its_way_in_indonesian(group, new_context):
    sari = group.members[6]
    send_in_transit(group, sari)
    member = group.user("member", sari)
    page = new_context("id").new_page()
    page.goto("/")
    app.sign_in(page, member, PASSWORD)
    app.wait_for_screen(page, "id")
    expect(page.locator('.remit-status[data-status="in_transit"]')).to_have_text(app.message("id", "remit-status-in_transit"))

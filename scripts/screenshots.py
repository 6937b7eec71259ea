#!/usr/bin/env python3
"""Phone-size pictures of the app's main screens, for README.md: docs/screens/*.png (360x640).

    scripts/screenshots.py            # uses target/debug/msai-ledger (built if missing)
    MSAI_LEDGER_BIN=target/release/msai-ledger scripts/screenshots.py

Starts the service over a throwaway SQLite database, seeds a group through the API (the
browser tests' helpers, tests/browser/conftest.py), and drives Debian's chromium through
Playwright (the pinned versions .ci/run installs) as its treasurer and one of its members.
"""

import os
import pathlib
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screens"
PASSWORD = "admin-password-for-screenshots"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_service(workdir):
    binary = os.path.abspath(os.environ.get("MSAI_LEDGER_BIN") or ROOT / "target" / "debug" / "msai-ledger")
    if not os.path.exists(binary):
        if os.environ.get("MSAI_LEDGER_BIN"):
            sys.exit(f"{binary} does not exist: build it first")
        subprocess.run(["cargo", "build", "--bin", "msai-ledger"], cwd=ROOT, check=True)
    port = free_port()
    env = dict(
        os.environ,
        MSAI_DATABASE_URL=f"sqlite://{workdir}/ledger.db",
        MSAI_LISTEN=f"127.0.0.1:{port}",
        MSAI_BOOTSTRAP_ADMIN_PASSWORD=PASSWORD,
        MSAI_BOOTSTRAP_PASSWORD_FILE=f"{workdir}/admin-password",
        MSAI_LOG="warn",
    )
    log = open(f"{workdir}/service.log", "w")
    process = subprocess.Popen([binary], cwd=workdir, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as reply:
                if reply.status == 200:
                    return process, base
        except OSError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    sys.exit(f"the service did not start; see {workdir}/service.log")


def main():
    workdir = tempfile.mkdtemp(prefix="msai-screens-")
    process, base = start_service(workdir)
    os.environ["MSAI_BASE_URL"] = base
    os.environ["MSAI_ADMIN_PASSWORD"] = PASSWORD
    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    try:
        take(base)
    finally:
        process.kill()
        process.wait()


def seed_network(api):
    """Half a year of a Hong Kong group of Indonesian workers, four women and three men: their
    monthly savings, two investments and a remittance home each month, for the dashboard."""
    group = api.create(
        "/v1/groups", {"name": "Bunga Savers", "currency": "HKD", "host_country": "HK", "home_country": "ID"}
    )["id"]
    api.send("PUT", f"/v1/groups/{group}/approval-policy", {"withdrawals_above": {}, "disbursements": False, "exits": False}, key=str(uuid.uuid4()))
    people = [("Siti", "female"), ("Dewi", "female"), ("Rina", "female"), ("Sari", "female"),
              ("Budi", "male"), ("Agus", "male"), ("Joko", "male")]
    members = []
    for name, sex in people:
        members.append(api.create(
            f"/v1/groups/{group}/members",
            {"name": name, "sex": sex, "home_country": "ID", "host_country": "HK", "joined_on": "2026-01-04"},
        )["id"])
    for month in range(1, 7):
        for n, who in enumerate(members):
            api.create(
                f"/v1/groups/{group}/contributions",
                {"member_id": who, "amount": f"{300 + 50 * ((n + month) % 4)}.00", "fund": "savings",
                 "channel": "cash", "booked_on": f"2026-{month:02}-07"},
                keyed=True,
            )
        fee = ["70.00", "60.00", "45.00", "40.00", "30.00", "25.00"][month - 1]
        # Three members send money home each month: a line of fewer senders is suppressed.
        for sender in (members[month % 7], members[(month + 2) % 7], members[(month + 4) % 7]):
            api.create(
                f"/v1/groups/{group}/remittances",
                {"member_id": sender, "send_amount": "1000.00", "send_currency": "HKD", "fee": fee,
                 "receive_amount": "2000000.00", "receive_currency": "IDR", "provider": "Kirim Cepat",
                 "channel": "money_transfer_operator", "send_country": "HK", "receive_country": "ID",
                 "uses": [{"purpose": "family_support", "amount": "2000000.00"}], "booked_on": f"2026-{month:02}-15"},
                keyed=True,
            )
    # Three women and a man go home at the end of June, paid their savings (the man alone is
    # a cell of one: suppressed).
    for who in members[:3] + members[4:5]:
        api.create(
            f"/v1/groups/{group}/members/{who}/exit",
            {"status": "returned_home", "on": "2026-06-28", "channel": "cash"},
            keyed=True,
        )
    for name, kind, committed, paid in [("Koperasi Tani", "cooperative", "6000.00", "2000.00"),
                                        ("Warung Ibu Siti", "enterprise", "3000.00", "3000.00")]:
        investment = api.create(
            f"/v1/groups/{group}/investments",
            {"name": name, "kind": kind, "sector": "agriculture", "country": "ID", "currency": "HKD",
             "committed_amount": committed},
            keyed=True,
        )["id"]
        api.create(
            f"/v1/groups/{group}/investments/{investment}/disbursements",
            {"amount": paid, "account": "assets:cash:HKD", "booked_on": "2026-05-20"},
            keyed=True,
        )


def take(base):
    from playwright.sync_api import sync_playwright

    import app
    from conftest import CHROMIUM, LAUNCH_ARGS, LOCALES, MEMBER_NAMES, PHONE, Api, Group
    from conftest import PASSWORD as USER_PASSWORD

    api = Api.sign_in("admin", PASSWORD)
    group = Group(api, "Sampaguita Savers", MEMBER_NAMES, ["500.00"] * len(MEMBER_NAMES))
    api.create(
        group.path("/meetings"),
        {
            "attendance": [m["id"] for m in group.members[:10]],
            "events": [
                {"type": "contribution", "member_id": m["id"], "amount": "200.00", "fund": "savings", "channel": "cash"}
                for m in group.members[:10]
            ],
        },
        keyed=True,
    )
    treasurer = group.user("treasurer", username="rosa.villanueva")
    ligaya = group.members[3]
    member = group.user("member", ligaya, username="ligaya.bautista")
    # Withdrawals above 300.00 wait for a second person; another treasurer asked for one.
    reply = api.send("PUT", group.path("/approval-policy"), {"withdrawals_above": {"HKD": "300.00"}}, key=str(uuid.uuid4()))
    assert reply.status == 200, reply
    other = Api.sign_in(group.user("treasurer", username="luz.aquino"), USER_PASSWORD)
    reply = other.send(
        "POST",
        group.path("/withdrawals"),
        {"member_id": group.members[1]["id"], "amount": "400.00", "from": "savings", "channel": "cash"},
        key=str(uuid.uuid4()),
    )
    assert reply.status == 202, reply
    seed_network(api)
    OUT.mkdir(parents=True, exist_ok=True)

    def shot(page, name):
        page.wait_for_timeout(150)
        page.screenshot(path=str(OUT / f"{name}.png"))
        print(f"docs/screens/{name}.png")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)

        def phone(lang):
            context = browser.new_context(viewport=PHONE, locale=LOCALES[lang], base_url=base)
            return context.new_page()

        page = phone("en")
        page.goto("/")
        app.wait_for_screen(page)
        shot(page, "sign-in")
        app.sign_in(page, treasurer, USER_PASSWORD)
        shot(page, "group-home")
        app.go(page, f"#/g/{group.id}/approvals")
        page.evaluate("() => document.querySelector('#approvals li.approval').scrollIntoView()")
        shot(page, "approvals")
        app.go(page, f"#/g/{group.id}/members")
        shot(page, "members")
        app.go(page, f"#/g/{group.id}/meeting")
        for n, m in enumerate(group.members[:3]):
            app.fill_sheet_row(page, m, True, f"{100 + 50 * n}")
        page.evaluate("() => { document.activeElement.blur(); window.scrollTo(0, 0); }")
        shot(page, "meeting-sheet")
        page.context.set_offline(True)
        app.save_meeting(page)
        app.wait_for_screen(page)
        shot(page, "outbox-offline")
        page.context.set_offline(False)
        app.expect_outbox_state(page, "sent")
        shot(page, "outbox-sent")
        app.go(page, f"#/g/{group.id}/performance")
        page.wait_for_selector("#figures details.figure")
        page.locator('#figures details[data-indicator="attendance_percent"] summary').click()
        page.evaluate("() => { document.activeElement.blur(); document.getElementById('perf-period').scrollIntoView(); }")
        shot(page, "group-performance")
        app.go(page, f"#/g/{group.id}/accreditation")
        page.wait_for_selector("#statement")
        page.evaluate("() => document.getElementById('screen-title').scrollIntoView()")
        shot(page, "accreditation")
        page.context.close()

        page = phone("fil")
        page.goto("/")
        app.sign_in(page, member, USER_PASSWORD)
        app.wait_for_screen(page, "fil")
        shot(page, "passbook-fil")
        page.context.close()

        page = phone("en")
        page.goto("/")
        app.sign_in(page, "admin", PASSWORD)
        app.go(page, "#/dashboard?host_country=HK&home_country=ID&from=2026-01-01&to=2026-06-30")
        page.locator("#corridors-chart svg").wait_for()
        page.evaluate("() => document.getElementById('savings-chart').scrollIntoView()")
        shot(page, "dashboard")
        page.evaluate("() => document.getElementById('corridors-chart').scrollIntoView()")
        shot(page, "dashboard-corridors")
        page.evaluate("() => document.getElementById('returned-chart').scrollIntoView()")
        shot(page, "dashboard-returned")
        page.context.close()
        browser.close()


if __name__ == "__main__":
    main()

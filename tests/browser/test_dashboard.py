"""The network dashboard as an auditor uses it: filtered to Hong Kong → Indonesia for 2026 from
the address, every figure of its charts and tables equals the reports' for the same filters, a
cell about fewer people than the threshold stays suppressed in the chart and its table, the
filters change the address, and the page prints on A4 without the controls."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

import app
from conftest import PASSWORD, Api, unique

FILTERS = "host_country=HK&home_country=ID&from=2026-01-01&to=2026-12-31"


# Workers in Qatar from Nepal: no other test has a group there, so the cells are known.
SMALL = "host_country=QA&home_country=NP&from=2026-01-01&to=2026-03-31"


def member(api, group, name, sex, host="HK", home="ID"):
    return api.create(
        f"/v1/groups/{group}/members",
        {"name": name, "sex": sex, "home_country": home, "host_country": host, "joined_on": "2026-01-05"},
    )["id"]


def small_group(api):
    """Three women and one man saving in Qatar: the man is a cell of one, under the threshold."""
    group = api.create(
        "/v1/groups", {"name": unique("Sagarmatha Savers"), "currency": "QAR", "host_country": "QA", "home_country": "NP"}
    )["id"]
    policy = api.send("PUT", f"/v1/groups/{group}/approval-policy", {"withdrawals_above": {}, "exits": False})
    assert policy.status == 200, policy
    for name, sex in [("Sita", "female"), ("Gita", "female"), ("Maya", "female"), ("Ram", "male")]:
        who = member(api, group, name, sex, "QA", "NP")
        for fund, amount in (("savings", "150.00"), ("capital", "100.00")):
            api.create(
                f"/v1/groups/{group}/contributions",
                {"member_id": who, "amount": amount, "fund": fund, "channel": "cash", "booked_on": "2026-02-01"},
                keyed=True,
            )
        # Each returns home in March, paid her savings and keeping her capital invested.
        api.create(
            f"/v1/groups/{group}/members/{who}/exit",
            {"status": "returned_home", "on": "2026-03-15", "channel": "cash", "keep_capital": True},
            keyed=True,
        )


@pytest.fixture(scope="module")
def network(api):
    """A Hong Kong group of Indonesian workers: four women who save and one man (a cell of one,
    under the threshold of 3), an investment, and a remittance home at a cost of 5 %."""
    group = api.create(
        "/v1/groups", {"name": unique("Bunga Savers"), "currency": "HKD", "host_country": "HK", "home_country": "ID"}
    )["id"]
    women = [member(api, group, name, "female") for name in ("Siti", "Dewi", "Rina", "Sari")]
    man = member(api, group, "Budi", "male")
    for who, amount, on in [
        (women[0], "500.00", "2026-01-10"),
        (women[1], "300.00", "2026-01-10"),
        (women[2], "250.00", "2026-02-07"),
        (women[3], "125.50", "2026-02-07"),
        (man, "400.00", "2026-01-10"),
    ]:
        api.create(
            f"/v1/groups/{group}/contributions",
            {"member_id": who, "amount": amount, "fund": "savings", "channel": "cash", "booked_on": on},
            keyed=True,
        )
    api.create(
        f"/v1/groups/{group}/investments",
        {"name": "Koperasi Tani", "kind": "cooperative", "sector": "agriculture", "country": "ID",
         "currency": "HKD", "committed_amount": "2000.00"},
        keyed=True,
    )
    # Three women send money home in February (three senders: the line is shown), and one
    # in March (one sender: the line is suppressed).
    for who, on in [(women[0], "2026-02-12"), (women[1], "2026-02-12"), (women[2], "2026-02-12"), (women[3], "2026-03-12")]:
        api.create(
            f"/v1/groups/{group}/remittances",
            {"member_id": who, "send_amount": "1000.00", "send_currency": "HKD", "fee": "50.00",
             "receive_amount": "2000000.00", "receive_currency": "IDR", "provider": "Kirim Cepat",
             "channel": "money_transfer_operator", "send_country": "HK", "receive_country": "ID",
             "uses": [{"purpose": "family_support", "amount": "2000000.00"}], "booked_on": on},
            keyed=True,
        )
    small_group(api)
    auditor = unique("auditor")
    api.create("/v1/users", {"username": auditor, "password": PASSWORD, "grants": [{"role": "auditor"}]})
    treasurer = unique("treasurer")
    api.create(
        "/v1/users",
        {"username": treasurer, "password": PASSWORD, "grants": [{"role": "treasurer", "group_id": group}]},
    )
    return {"auditor": auditor, "treasurer": treasurer, "group": group}


def digits(text):
    """The digits of a figure as shown or as the API writes it: "HKD 1,200.50" and "1200.50"
    both give "120050"."""
    return re.sub(r"[^0-9]", "", text)


def rows(page, section):
    return page.locator(f"#{section} table tbody tr").evaluate_all(
        "(trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent.trim()))"
    )


def bars(page, section):
    """The bars of a chart: (series, category, value) as the SVG draws them."""
    return page.locator(f"#{section} svg rect[data-series]").evaluate_all(
        "(rs) => rs.map((r) => [r.dataset.series, r.dataset.category, r.dataset.value])"
    )


def open_dashboard(new_context, user, query=FILTERS, drawn=True, address="#/dashboard"):
    page = new_context("en").new_page()
    page.goto("/")
    app.wait_for_screen(page)
    app.sign_in(page, user, PASSWORD)
    app.go(page, f"{address}?{query}")
    if drawn:
        expect(page.locator("#corridors-chart svg")).to_be_visible()
    return page


def check_savings(page, trend):
    """The savings table and chart show the report's figures, and nothing of a suppressed
    cell; returns the bars drawn."""
    shown = rows(page, "savings-chart")
    assert len(shown) == len(trend["cells"]) > 0
    suppressed = app.message("en", "dashboard-suppressed")
    for row, cell in zip(shown, trend["cells"]):
        assert row[0] == cell["month"] and row[2] == cell["currency"], (row, cell)
        if cell["suppressed"]:
            assert row[3:] == [suppressed] * 6, row
        else:
            figures = [str(cell[k]) for k in ("members", "joined", "left")]
            figures += [digits(cell[k]) for k in ("deposits", "withdrawals", "savings")]
            assert row[3:6] + [digits(x) for x in row[6:]] == figures, (row, cell)
    drawn = bars(page, "savings-chart")
    names = {"female": "Female", "male": "Male", "other": "Other", "undisclosed": "Prefers not to say"}
    currency = min(c["currency"] for c in trend["cells"])
    expected = {
        (names[c["sex"]], c["month"]): Decimal(c["savings"])
        for c in trend["cells"]
        if c["currency"] == currency and not c["suppressed"]
    }
    assert {(b[0], b[1]): Decimal(b[2]) for b in drawn} == expected
    return drawn


def test_the_dashboards_figures_are_the_reports_and_small_cells_stay_hidden(network, new_context):
    reader = Api.sign_in(network["auditor"], PASSWORD)
    page = open_dashboard(new_context, network["auditor"], SMALL)
    small = reader.get(f"/v1/reports/savings-trend?{SMALL}")
    # One man, threshold 3: his cells are suppressed, and no bar of his is drawn.
    assert [c["suppressed"] for c in small["cells"] if c["sex"] == "male"] == [True, True, True]
    drawn = check_savings(page, small)
    assert [b[0] for b in drawn] == ["Female", "Female", "Female"]
    # The returns: the three women's cell is shown, the man's is suppressed and not drawn.
    returned = reader.get(f"/v1/reports/returned-home?{SMALL}")
    assert [c["suppressed"] for c in returned["cells"]] == [False, True]
    shown = rows(page, "returned-chart")
    suppressed = app.message("en", "dashboard-suppressed")
    assert shown[1][3:] == [suppressed] * 4
    women = returned["cells"][0]
    assert [shown[0][3]] + [digits(x) for x in shown[0][4:]] == [str(women["members"])] + [
        digits(women[k]) for k in ("savings_at_return", "paid_out", "capital_held")
    ]
    assert [(b[1], Decimal(b[2])) for b in bars(page, "returned-chart")] == [
        ("NP · Female", Decimal(women["paid_out"])),
        ("NP · Female", Decimal(women["capital_held"])),
    ]

    page = open_dashboard(new_context, network["auditor"])
    trend = reader.get(f"/v1/reports/savings-trend?{FILTERS}")
    check_savings(page, trend)
    summary = page.locator("#savings-chart figcaption").text_content()
    assert trend["cells"][-1]["month"] in summary

    portfolio = reader.get("/v1/reports/portfolio?host_country=HK&home_country=ID")
    lines = rows(page, "portfolio-chart")
    assert [[r[1], r[2], digits(r[3]), digits(r[4]), digits(r[5])] for r in lines] == [
        [l["currency"], str(l["count"]), digits(l["committed"]), digits(l["disbursed"]), digits(l["book_value"])]
        for l in portfolio["by_kind"]
    ]
    corridors = reader.get(f"/v1/reports/remittance-corridors?{FILTERS}")
    lines = rows(page, "corridors-chart")
    assert [[r[0], r[1], r[4], r[5], r[6]] for r in lines] == [
        [f"{c['send_country']} → {c['receive_country']}", c["month"]]
        + (
            [suppressed] * 3
            if c["suppressed"]
            else [
                c["average_cost_percent"],
                c["median_cost_percent"],
                f"{c['lower_quartile_cost_percent']} – {c['upper_quartile_cost_percent']}",
            ]
        )
        for c in corridors["corridors"]
    ]
    # February (three senders) is drawn; March (one sender) is suppressed and not drawn.
    assert [c["suppressed"] for c in corridors["corridors"] if c["month"] in ("2026-02", "2026-03")] == [False, True]
    corridor_bars = [b for b in bars(page, "corridors-chart") if b[0] == "HK → ID (HKD → IDR)"]
    assert [(b[1], Decimal(b[2])) for b in corridor_bars] == [
        (c["month"], Decimal(c["median_cost_percent"])) for c in corridors["corridors"] if not c["suppressed"]
    ]
    svg = page.locator("#corridors-chart svg")
    expect(svg).to_contain_text("HK → ID (HKD → IDR)")
    expect(svg).to_contain_text(app.message("en", "chart-target-3"))


def test_the_filters_live_in_the_address_and_the_page_prints(network, new_context):
    page = open_dashboard(new_context, network["auditor"])
    form = page.locator("form.filters")
    assert form.locator("input[name=host_country]").input_value() == "HK"
    assert form.locator("input[name=from]").input_value() == "2026-01-01"
    form.locator("input[name=from]").fill("2026-02-01")
    form.locator("button[type=submit]").click()
    page.wait_for_function("() => location.hash.includes('from=2026-02-01')")
    expect(page.locator("#savings-chart table tbody tr").first).to_contain_text("2026-02")
    assert "host_country=HK" in page.url and "home_country=ID" in page.url
    # Opened again from the address alone, the view is the same.
    again = open_dashboard(new_context, network["auditor"], page.url.split("?", 1)[1])
    assert rows(again, "savings-chart") == rows(page, "savings-chart")

    page.emulate_media(media="print")
    assert not page.locator("form.filters").is_visible()
    assert not page.locator("#nav").is_visible()
    width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], width
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000


def test_a_bad_filter_is_shown_on_its_field(network, new_context):
    page = open_dashboard(new_context, network["auditor"], "host_country=hk", drawn=False)
    field = page.locator("form.filters input[name=host_country]")
    expect(page.locator(".status.bad")).to_be_visible()
    expect(field).to_have_attribute("aria-invalid", "true")
    assert page.locator("#savings-chart").count() == 0


def test_a_treasurer_sees_her_own_groups_dashboard(network, new_context):
    group = network["group"]
    period = "from=2026-01-01&to=2026-06-30"
    page = open_dashboard(new_context, network["treasurer"], period, address=f"#/g/{group}/dashboard")
    reader = Api.sign_in(network["treasurer"], PASSWORD)
    trend = reader.get(f"/v1/groups/{group}/reports/savings-trend?{period}")
    check_savings(page, trend)
    assert page.locator("form.filters input[name=host_country]").count() == 0
    corridors = reader.get(f"/v1/groups/{group}/reports/remittance-corridors?{period}")
    hidden = app.message("en", "dashboard-suppressed")
    assert [r[5] for r in rows(page, "corridors-chart")] == [
        hidden if c["suppressed"] else c["median_cost_percent"] for c in corridors["corridors"]
    ]
    form = page.locator("form.filters")
    form.locator("input[name=to]").fill("2026-03-31")
    form.locator("button[type=submit]").click()
    page.wait_for_function(f"() => location.hash === '#/g/{group}/dashboard?from=2026-01-01&to=2026-03-31'")
    expect(page.locator("#savings-chart table tbody tr").last).to_contain_text("2026-03")


def test_the_portfolio_breakdown_is_in_the_address_and_keeps_suppressed_lines_out(network, new_context):
    page = open_dashboard(new_context, network["auditor"], f"{FILTERS}&portfolio_by=women_led")
    assert page.locator("form.filters select[name=portfolio_by]").input_value() == "women_led"
    reader = Api.sign_in(network["auditor"], PASSWORD)
    portfolio = reader.get("/v1/reports/portfolio?host_country=HK&home_country=ID")
    lines = portfolio["by_women_led"]
    assert lines and all(l["suppressed"] for l in lines), lines
    suppressed = app.message("en", "dashboard-suppressed")
    assert [r[2:] for r in rows(page, "portfolio-chart")] == [[suppressed] * 6 for _ in lines]
    assert bars(page, "portfolio-chart") == []
    page.locator("form.filters select[name=portfolio_by]").select_option("sector")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_function("() => location.hash.includes('portfolio_by=sector')")
    expect(page.locator("#portfolio-chart table tbody tr").first).to_contain_text("agriculture")
    assert [r[0] for r in rows(page, "portfolio-chart")] == [l["key"] for l in portfolio["by_sector"]]
    page.locator("form.filters select[name=portfolio_by]").select_option("status")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_function("() => location.hash.includes('portfolio_by=status')")
    by_status = portfolio["by_status"]
    assert by_status, portfolio
    first = app.message("en", f"investment-status-{by_status[0]['key']}")
    expect(page.locator("#portfolio-chart table tbody tr").first).to_contain_text(first)
    assert [r[:3] for r in rows(page, "portfolio-chart")] == [
        [app.message("en", f"investment-status-{l['key']}"), l["currency"], str(l["count"])] for l in by_status
    ]


def test_remittance_costs_by_provider_type_are_the_reports(network, new_context):
    page = open_dashboard(new_context, network["auditor"], f"{FILTERS}&corridors_by=channel")
    assert page.locator("form.filters select[name=corridors_by]").input_value() == "channel"
    reader = Api.sign_in(network["auditor"], PASSWORD)
    corridors = reader.get(f"/v1/reports/remittance-corridors?{FILTERS}&by=channel")
    assert corridors["corridors"] and all(c["channel"] for c in corridors["corridors"]), corridors
    suppressed = app.message("en", "dashboard-suppressed")
    assert [[r[1], r[5], r[7]] for r in rows(page, "corridors-chart")] == [
        [
            c["month"],
            suppressed if c["suppressed"] else c["median_cost_percent"],
            app.message("en", f"channel-{c['channel']}"),
        ]
        for c in corridors["corridors"]
    ]
    page.locator("form.filters select[name=corridors_by]").select_option("")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_function("() => !location.hash.includes('corridors_by')")
    expect(page.locator("#corridors-chart table thead th")).to_have_count(7)


def test_the_network_dashboard_narrows_to_one_group_from_the_address(network, new_context):
    group = network["group"]
    page = open_dashboard(new_context, network["auditor"], f"group_id={group}&from=2026-01-01&to=2026-06-30")
    assert page.locator("form.filters select[name=group_id]").input_value() == group
    reader = Api.sign_in(network["auditor"], PASSWORD)
    trend = reader.get(f"/v1/reports/savings-trend?group_id={group}&from=2026-01-01&to=2026-06-30")
    assert trend == reader.get(f"/v1/groups/{group}/reports/savings-trend?from=2026-01-01&to=2026-06-30")
    check_savings(page, trend)
    page.locator("form.filters select[name=group_id]").select_option("")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_function("() => !location.hash.includes('group_id')")
    expect(page.locator("form.filters select[name=group_id]")).to_have_value("")


def test_an_auditor_reaches_a_groups_dashboard_from_the_list_of_groups(network, new_context):
    page = open_dashboard(new_context, network["auditor"])
    app.go(page, "#/groups")
    group = network["group"]
    page.locator(f'#group-list a[href="#/g/{group}/dashboard"]').click()
    page.wait_for_function(f"() => location.hash === '#/g/{group}/dashboard'")
    expect(page.locator("#returned-chart svg")).to_be_visible()

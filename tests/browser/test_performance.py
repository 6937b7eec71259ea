"""A group's performance page and its accreditation statement: every figure shown equals the
API's for the same dates (read with the same user's token), the dates in the address drive the
figures, each definition opens with a click and with the keyboard and is in the reader's
language (on the page and in the statement's table), the statement prints on A4
with nothing cut at the right edge and no navigation, and the signed file it downloads verifies
with the service's published key."""

import base64
import json
import re

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from playwright.sync_api import expect

import app
from conftest import MEMBER_NAMES, PASSWORD, Api, Group, request, unique

# A4 is 210 mm wide; less 15 mm margins each side, at 96 px to the inch.
A4_CONTENT_WIDTH = round((210 - 2 * 15) / 25.4 * 96)


@pytest.fixture(scope="module")
def books(api):
    """A group with a meeting, a withdrawal, an investment that earned something and a
    write-down, and its treasurer (a user with a token for the API)."""
    group = Group(api, unique("Kalayaan Savers"), MEMBER_NAMES, ["100.00"] * len(MEMBER_NAMES))
    members = group.members
    api.create(
        group.path("/meetings"),
        {
            "attendance": [m["id"] for m in members[:9]],
            "events": [
                {"type": "contribution", "member_id": m["id"], "amount": "25.50", "fund": "savings", "channel": "cash"}
                for m in members[:9]
            ]
            + [{"type": "contribution", "member_id": members[0]["id"], "amount": "12.00", "fund": "social_fund", "channel": "cash"}],
        },
        keyed=True,
    )
    api.create(
        group.path("/withdrawals"),
        {"member_id": members[2]["id"], "amount": "40.00", "from": "savings", "channel": "cash"},
        keyed=True,
    )
    investment = api.create(
        group.path("/investments"),
        {
            "name": "Sari-sari store",
            "kind": "enterprise",
            "sector": "retail",
            "country": "PH",
            "currency": "HKD",
            "committed_amount": "600.00",
            "women_led": True,
        },
        keyed=True,
    )
    base = group.path(f"/investments/{investment['id']}")
    api.create(base + "/disbursements", {"amount": "500.00", "account": "assets:cash:HKD"}, keyed=True)
    api.create(base + "/returns", {"kind": "income", "amount": "37.25"}, keyed=True)
    api.create(base + "/write-downs", {"amount": "50.00"}, keyed=True)
    treasurer = group.user("treasurer")
    return group, treasurer, Api.sign_in(treasurer, PASSWORD)


def english_number(text):
    """What an English figure says, as the API writes it: "1,234.50 HKD" -> "1234.50",
    "66.67%" -> "66.67", "−3.50%" -> "-3.50"."""
    text = text.strip().replace("\u2212", "-").replace(",", "")
    return re.sub(r"(\s[A-Z]{3}|%)$", "", text)


def wait_for_figures(page, period):
    page.wait_for_function(
        """([from, to]) => {
            const f = document.getElementById("figures");
            return f && f.dataset.from === from && f.dataset.to === to && f.children.length > 0;
        }""",
        arg=[period["from"], period["to"]],
    )


def check_figures(page, answer):
    """Every indicator of the API's answer is on the page, with its value and its definition,
    and nothing else is."""
    shown = page.locator("#figures details.figure")
    expect(shown).to_have_count(len(answer["indicators"]))
    for name, item in answer["indicators"].items():
        details = page.locator(f'#figures details[data-indicator="{name}"]')
        value = item["value"]
        expect(details).to_have_attribute("data-value", "" if value is None else str(value))
        text = details.locator(".figure-value").text_content()
        if value is None:
            assert text == app.message("en", "perf-not-available"), f"{name}: {text}"
        else:
            assert english_number(text) == str(value), f"{name}: shown {text!r}, the API says {value!r}"
        assert details.locator(".definition").text_content() == item["definition"], name


def test_every_figure_equals_the_api_s_and_the_dates_in_the_address_drive_them(books, new_context):
    group, treasurer, token = books
    page = new_context("en").new_page()
    page.goto("/")
    app.sign_in(page, treasurer, PASSWORD)
    # The group's home leads to the page.
    page.locator(f'a[href="#/g/{group.id}/performance"]').click()
    app.wait_for_screen(page, "en")
    whole = token.get(group.path("/performance"))
    wait_for_figures(page, whole)
    check_figures(page, whole)
    # Something is written down: its share is a figure, not "not available".
    assert whole["indicators"]["portfolio_written_down_percent"]["value"] == "10.00", whole

    # Changing the dates rewrites the address and the figures.
    page.fill("#filter-from", "2026-01-01")
    page.fill("#filter-to", "2026-06-30")
    expect(page).to_have_url(re.compile(rf"#/g/{group.id}/performance\?from=2026-01-01&to=2026-06-30$"))
    first_half = token.get(group.path("/performance?from=2026-01-01&to=2026-06-30"))
    wait_for_figures(page, first_half)
    check_figures(page, first_half)
    # The statement it leads to is for the period's last day.
    expect(page.locator("#main .actions a")).to_have_attribute("href", f"#/g/{group.id}/accreditation?on=2026-06-30")
    # Nothing was saved in the first half-year: per member it is 0, and the returns on
    # nothing are not available, each saying why.
    assert first_half["indicators"]["return_on_savings_percent"]["value"] is None, first_half
    missing = page.locator('#figures details[data-indicator="return_on_savings_percent"]')
    expect(missing.locator(".figure-value")).to_have_text(app.message("en", "perf-not-available"))
    assert "None here" in missing.locator(".definition").text_content()
    # In English the reason needs no language of its own.
    assert missing.locator(".none-here .reason").get_attribute("lang") is None

    # The address opened as it is (a bookmark, a link shared) shows the same dates.
    other = new_context("en").new_page()
    other.goto("/")
    app.sign_in(other, treasurer, PASSWORD)
    address = f"#/g/{group.id}/performance?from=2026-02-01&to=2026-11-30"
    app.go(other, address)
    expect(other.locator("#filter-from")).to_have_value("2026-02-01")
    expect(other.locator("#filter-to")).to_have_value("2026-11-30")
    answer = token.get(group.path("/performance?from=2026-02-01&to=2026-11-30"))
    wait_for_figures(other, answer)
    check_figures(other, answer)

    # A period that ends before it begins is refused, the service saying so on the page.
    app.go(other, f"#/g/{group.id}/performance?from=2026-05-01&to=2026-04-01")
    expect(other.locator("#main .status.bad")).to_have_text(app.message("en", "problem-invalid-parameter"))
    expect(other.locator("#figures details")).to_have_count(0)


def test_a_definition_opens_with_a_click_and_with_the_keyboard(books, new_context):
    group, treasurer, token = books
    page = new_context("en").new_page()
    page.goto("/")
    app.sign_in(page, treasurer, PASSWORD)
    app.go(page, f"#/g/{group.id}/performance")
    answer = token.get(group.path("/performance"))
    wait_for_figures(page, answer)
    savings = page.locator('#figures details[data-indicator="savings_per_member"]')
    definition = savings.locator(".definition")
    expect(definition).to_be_hidden()
    savings.locator("summary").click()
    expect(savings).to_have_attribute("open", "")
    expect(definition).to_be_visible()
    expect(definition).to_have_text(answer["indicators"]["savings_per_member"]["definition"])

    dropout = page.locator('#figures details[data-indicator="dropout_percent"]')
    dropout.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(dropout.locator(".definition")).to_be_visible()
    page.keyboard.press("Space")
    expect(dropout.locator(".definition")).to_be_hidden()


def catalogue_definition(lang, name, currency):
    """An indicator's definition as the catalogue of `lang` gives it, with the group's currency."""
    return app.message(lang, f"perf-def-{name}").replace("{ $currency }", currency)


def check_definition(where, lang, name, item, currency):
    """The definition shown in `where` (a figure, or a row of the statement) is the catalogue's,
    not the service's English; a figure without a value says so in the reader's language, then
    gives the service's reason, in English and marked so."""
    english, separator, reason = item["definition"].partition(" None here: ")
    text = where.locator(".definition-text")
    shown = text.text_content()
    assert shown == catalogue_definition(lang, name, currency), f"{name}: {shown!r}"
    assert shown != english, f"{name}: still the service's English"
    assert text.get_attribute("lang") is None, name
    line = where.locator(".none-here")
    if item["value"] is None:
        assert separator, f"{name}: no value, and no reason given: {item!r}"
        assert line.text_content() == f"{app.message(lang, 'perf-none-here')} {reason}", name
        assert line.locator(".reason").text_content() == reason, name
        assert line.locator(".reason").get_attribute("lang") == "en", name
    else:
        assert line.count() == 0, f"{name} has a value and says there is none"


@pytest.mark.parametrize("lang", ["id", "ne"])
def test_the_definitions_are_in_the_reader_s_language(lang, books, new_context):
    group, treasurer, token = books
    page = new_context(lang).new_page()
    page.goto("/")
    app.sign_in(page, treasurer, PASSWORD)
    # A period with a figure that cannot be worked out, and one with every figure.
    for period in ("?from=2026-01-01&to=2026-06-30", ""):
        app.go(page, f"#/g/{group.id}/performance{period}", lang)
        answer = token.get(group.path(f"/performance{period}"))
        wait_for_figures(page, answer)
        if period:
            assert any(item["value"] is None for item in answer["indicators"].values()), answer
        expect(page.locator("#figures details.figure")).to_have_count(len(answer["indicators"]))
        for name, item in answer["indicators"].items():
            figure = page.locator(f'#figures details[data-indicator="{name}"]')
            check_definition(figure, lang, name, item, answer["currency"])
        # The page no longer says that the definitions are in English.
        assert page.locator("#figures [lang=en]").count() == sum(
            1 for item in answer["indicators"].values() if item["value"] is None
        )

    # A definition opens in the reader's language.
    savings = page.locator('#figures details[data-indicator="savings_per_member"]')
    savings.locator("summary").click()
    expect(savings.locator(".definition-text")).to_be_visible()
    expect(savings.locator(".definition-text")).to_have_text(
        catalogue_definition(lang, "savings_per_member", answer["currency"])
    )

    # The statement's table shows the same definitions; the signed file keeps the service's.
    app.go(page, f"#/g/{group.id}/accreditation", lang)
    expect(page.locator("#statement")).to_be_visible()
    on = page.locator("#statement").get_attribute("data-on")
    signed = json.loads(token.get(group.path(f"/accreditation?on={on}"))["payload"])
    performance = signed["performance"]
    table = page.locator("#indicators table")
    expect(table.locator("thead th").nth(2)).to_have_text(app.message(lang, "accr-definition"))
    for name, item in performance["indicators"].items():
        row = table.locator("tbody tr").filter(
            has=page.locator(f'[data-path="performance.indicators.{name}.value"]')
        )
        expect(row).to_have_count(1)
        check_definition(row, lang, name, item, performance["currency"])
        assert item["definition"].startswith(
            catalogue_definition("en", name, performance["currency"])
        ), f"{name}: the signed definition is the service's English"


def test_a_statement_without_values_says_why_in_the_reader_s_language(api, new_context):
    """A group with no members yet: its statement's ratios cannot be worked out, each saying
    so in Filipino, with the service's reason in English."""
    group = Group(api, unique("Bagong Simula"), [])
    treasurer = group.user("treasurer")
    token = Api.sign_in(treasurer, PASSWORD)
    page = new_context("fil").new_page()
    page.goto("/")
    app.sign_in(page, treasurer, PASSWORD)
    app.go(page, f"#/g/{group.id}/accreditation", "fil")
    expect(page.locator("#statement")).to_be_visible()
    on = page.locator("#statement").get_attribute("data-on")
    performance = json.loads(token.get(group.path(f"/accreditation?on={on}"))["payload"])["performance"]
    assert performance["indicators"]["women_percent"]["value"] is None, performance
    table = page.locator("#indicators table")
    expect(table.locator("thead th").nth(2)).to_have_text(app.message("fil", "accr-definition"))
    for name, item in performance["indicators"].items():
        row = table.locator("tbody tr").filter(
            has=page.locator(f'[data-path="performance.indicators.{name}.value"]')
        )
        check_definition(row, "fil", name, item, performance["currency"])


def test_an_indicator_the_catalogue_does_not_know_keeps_the_service_s_english(books, new_context):
    group, treasurer, token = books
    # The service's answer as a later service could give it, with an indicator more.
    added = {"value": None, "definition": "Loans outstanding ÷ savings × 100. None here: nothing is lent."}

    def with_an_indicator_more(route):
        answer = route.fetch()
        body = answer.json()
        body["indicators"]["loans_outstanding_percent"] = added
        route.fulfill(response=answer, json=body)

    context = new_context("id", service_workers="block")
    context.route(re.compile(rf"/v1/groups/{group.id}/performance(\?.*)?$"), with_an_indicator_more)
    page = context.new_page()
    page.goto("/")
    app.sign_in(page, treasurer, PASSWORD)
    app.go(page, f"#/g/{group.id}/performance", "id")
    answer = token.get(group.path("/performance"))
    wait_for_figures(page, answer)
    figure = page.locator('#figures details[data-indicator="loans_outstanding_percent"]')
    expect(figure).to_have_count(1)
    text = figure.locator(".definition-text")
    assert text.text_content() == "Loans outstanding ÷ savings × 100."
    assert text.get_attribute("lang") == "en"
    line = figure.locator(".none-here")
    assert line.text_content() == f"{app.message('id', 'perf-none-here')} nothing is lent."
    assert line.locator(".reason").get_attribute("lang") == "en"
    # The indicators the catalogue knows are still in Indonesian.
    for name, item in answer["indicators"].items():
        figure = page.locator(f'#figures details[data-indicator="{name}"]')
        check_definition(figure, "id", name, item, answer["currency"])


def resolve(document, path):
    """The value at a dotted path (`statements.0.balance_sheet.total_assets`)."""
    for part in path.split("."):
        document = document[int(part)] if isinstance(document, list) else document[part]
    return document


def signed_text(document, path):
    """The value at `path` as the page keeps it: a string as it is, true/false as JSON writes them."""
    value = resolve(document, path)
    return json.dumps(value) if isinstance(value, bool) else str(value)


def statement_figures(page):
    """Every figure the statement shows: its path in the signed document, the text signed and
    the text shown."""
    return page.evaluate(
        """() => [...document.querySelectorAll("#statement [data-path]")]
            .map((e) => [e.dataset.path, e.dataset.value, e.textContent])"""
    )


def test_the_accreditation_statement_shows_the_signed_figures_prints_on_a4_and_verifies(books, new_context):
    group, treasurer, token = books
    page = new_context("en").new_page()
    page.goto("/")
    app.sign_in(page, treasurer, PASSWORD)
    page.locator(f'a[href="#/g/{group.id}/accreditation"]').click()
    app.wait_for_screen(page, "en")
    expect(page.locator("#statement")).to_be_visible()
    on = page.locator("#statement").get_attribute("data-on")

    # The figures equal the API's for the same date.
    answer = token.get(group.path(f"/accreditation?on={on}"))
    signed = json.loads(answer["payload"])
    figures = statement_figures(page)
    paths = {path for path, _, _ in figures}
    for name in signed["performance"]["indicators"]:
        assert f"performance.indicators.{name}.value" in paths, name
    for n, currency in enumerate(signed["statements"]):
        for side in ("assets", "liabilities", "equity"):
            for k in range(len(currency["balance_sheet"][side])):
                assert f"statements.{n}.balance_sheet.{side}.{k}.amount" in paths
        for side in ("income", "expenses"):
            for k in range(len(currency["income_statement"][side])):
                assert f"statements.{n}.income_statement.{side}.{k}.amount" in paths
        assert f"statements.{n}.income_statement.net_income" in paths
    assert len(signed["investments"]) == 1 and "investments.0.book_value" in paths, signed["investments"]
    assert "savings_mobilised" in paths
    for path, value, text in figures:
        assert value == signed_text(signed, path), f"{path}: shown {value!r}, signed {resolve(signed, path)!r}"
        if value and re.fullmatch(r"-?\d+(\.\d+)?", value):
            assert english_number(text) == value, f"{path}: {text!r} for {value!r}"
    # The reading copy of the answer says the same (numbers as numbers there).
    assert answer["statement"]["savings_mobilised"] == signed["savings_mobilised"]
    assert signed["investments"][0]["book_value"] == "450.00", signed["investments"]
    expect(page.locator("#chain-status")).to_have_attribute("data-ok", "true")
    expect(page.locator("#head-hash")).to_have_text(signed["chain"]["head_hash"])
    expect(page.locator("#key-id")).to_have_text(answer["key_id"])
    expect(page.locator("#keys-link")).to_have_attribute("href", "/.well-known/msai-ledger/keys")

    # The signed file, exactly as the service answered, verifies with the published key, and
    # holds the figures the page shows.
    with page.expect_download() as event:
        page.click("#download-signed")
    saved = json.loads(open(event.value.path(), "rb").read().decode("utf-8"))
    assert set(saved) >= {"payload", "signature", "key_id", "algorithm", "statement"}, saved.keys()
    keys = request("GET", "/.well-known/msai-ledger/keys")
    assert keys.status == 200, keys
    key = next(k for k in keys.json["items"] if k["key_id"] == saved["key_id"])
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key["public_key"]))
    public.verify(base64.b64decode(saved["signature"]), saved["payload"].encode("utf-8"))
    kept = json.loads(saved["payload"])
    for path, value, _ in figures:
        assert value == signed_text(kept, path), path
    assert kept["type"] == "msai-ledger/accreditation/v1"

    # Printed: no navigation, no buttons, and nothing wider than an A4 page's text.
    page.set_viewport_size({"width": A4_CONTENT_WIDTH, "height": 1000})
    page.emulate_media(media="print")
    for hidden in ("#nav", ".bar", "#print", "#download-signed", "#filter-on"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator("#statement")).to_be_visible()
    wide = page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const out = [...document.querySelectorAll("body *")]
                .filter((e) => e.getClientRects().length > 0)
                .filter((e) => Math.round(e.getBoundingClientRect().right) > width + 1)
                .map((e) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`);
            return [document.documentElement.scrollWidth, width, out.slice(0, 10)];
        }"""
    )
    assert wide[0] <= wide[1] and not wide[2], f"wider than the page: {wide}"
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF"), pdf[:20]
    assert len(pdf) > 10_000


def test_the_accreditation_date_is_kept_in_the_address(books, new_context):
    group, treasurer, token = books
    page = new_context("en").new_page()
    page.goto("/")
    app.sign_in(page, treasurer, PASSWORD)
    app.go(page, f"#/g/{group.id}/accreditation")
    expect(page.locator("#statement")).to_be_visible()
    today = page.locator("#statement").get_attribute("data-on")
    # Before the group began: refused, the field says so, nothing to print or keep.
    page.fill("#filter-on", "2025-01-01")
    expect(page).to_have_url(re.compile(rf"#/g/{group.id}/accreditation\?on=2025-01-01$"))
    expect(page.locator("#main .status.bad")).to_have_text(app.message("en", "problem-invalid-parameter"))
    expect(page.locator("#filter-on")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#download-signed")).to_be_disabled()
    page.fill("#filter-on", today)
    expect(page.locator("#statement")).to_have_attribute("data-on", today)
    expect(page.locator("#download-signed")).to_be_enabled()
    expect(page).to_have_url(re.compile(rf"accreditation\?on={today}$"))

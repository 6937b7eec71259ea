"""Fixtures of the browser tests: the service under test, an API client for seeding and checking
(stdlib only), and chromium at phone size, watched for console errors and for requests to any
host but the service.

tests/browser.rs starts the service and runs pytest with MSAI_BASE_URL (the service),
MSAI_ADMIN_PASSWORD (its bootstrap administrator's password), MSAI_CHROMIUM (the browser
binary) and MSAI_BACKEND (sqlite or postgres, for messages). Run by hand against a service you
started: MSAI_BASE_URL=http://127.0.0.1:8080 MSAI_ADMIN_PASSWORD=... python3 -m pytest tests/browser
"""

import itertools
import json
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
from playwright.sync_api import sync_playwright

BASE_URL = os.environ.get("MSAI_BASE_URL", "http://127.0.0.1:8080").rstrip("/")
ADMIN_PASSWORD = os.environ.get("MSAI_ADMIN_PASSWORD", "")
CHROMIUM = os.environ.get("MSAI_CHROMIUM", "/usr/bin/chromium")

# The flags matter on a closed network: without them chromium keeps trying to reach Google's
# services in the background.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

PHONE = {"width": 360, "height": 640}
TALL_PHONE = {"width": 390, "height": 844}
LANGUAGES = ["en", "fil", "id", "ne"]
# The Accept-Language a phone set to each language sends.
LOCALES = {"en": "en-US", "fil": "fil-PH", "id": "id-ID", "ne": "ne-NP"}

# Every user the tests create has this password (long enough for the service's rules).
PASSWORD = "a long enough password for tests"

_counter = itertools.count(1)


def unique(prefix):
    """A name no other test of this run uses (usernames are unique in the service)."""
    return f"{prefix}.{next(_counter)}.{uuid.uuid4().hex[:6]}"


def origin_of(url):
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# --- The API, for seeding and for checking what the app did -----------------------------------


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.raw = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def __repr__(self):
        return f"{self.status} {self.raw[:500]!r}"


class Api:
    """A client of the service's API with a bearer token (or none)."""

    def __init__(self, token=None, base=BASE_URL):
        self.base = base
        self.token = token

    @classmethod
    def sign_in(cls, username, password):
        reply = request("POST", "/v1/auth/token", {"username": username, "password": password})
        assert reply.status == 200, f"{username} signs in: {reply}"
        return cls(reply.json["access_token"])

    def send(self, method, path, body=None, headers=None, key=None):
        headers = dict(headers or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if key is not None:
            headers["Idempotency-Key"] = key
        return request(method, path, body, headers, base=self.base)

    def get(self, path):
        reply = self.send("GET", path)
        assert reply.status == 200, f"GET {path}: {reply}"
        return reply.json

    def create(self, path, body, keyed=False):
        reply = self.send("POST", path, body, key=str(uuid.uuid4()) if keyed else None)
        assert reply.status == 201, f"POST {path}: {reply}"
        return reply.json

    def all(self, path):
        """Every item of a paged list."""
        items, cursor = [], None
        while True:
            sep = "&" if "?" in path else "?"
            page = self.get(path + (f"{sep}cursor={cursor}" if cursor else ""))
            items.extend(page["items"])
            cursor = page.get("next_cursor")
            if not cursor:
                return items


def request(method, path, body=None, headers=None, base=BASE_URL):
    """One HTTP request; any answer (2xx or not) comes back as a Reply."""
    headers = dict(headers or {})
    data = None
    if body is not None:
        if isinstance(body, (bytes, str)):
            data = body.encode() if isinstance(body, str) else body
        else:
            data = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return Reply(response.status, response.headers, response.read().decode())
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.headers, error.read().decode())


@pytest.fixture(scope="session")
def api():
    """The bootstrap administrator, through the API."""
    assert ADMIN_PASSWORD, "MSAI_ADMIN_PASSWORD names the administrator's password"
    return Api.sign_in("admin", ADMIN_PASSWORD)


class Group:
    """A group seeded through the API: its id and its members, in the order they joined."""

    def __init__(self, api, name, member_names, savings=None):
        self.api = api
        self.name = name
        self.id = api.create(
            "/v1/groups",
            {"name": name, "currency": "HKD", "host_country": "HK", "home_country": "PH"},
        )["id"]
        # A new group makes disbursements, distributions and exits wait for a second person
        # (the safe default); the screens tested here carry them out at once, as a group
        # whose policy says so does.
        policy = api.send(
            "PUT",
            f"/v1/groups/{self.id}/approval-policy",
            {
                "withdrawals_above": {},
                "exits": False,
                "disbursements": False,
                "distributions": False,
                "reversals": False,
                "period_closes": False,
            },
        )
        assert policy.status == 200, f"PUT approval-policy: {policy}"
        self.members = []
        for member_name in member_names:
            member = api.create(
                f"/v1/groups/{self.id}/members",
                {
                    "name": member_name,
                    "sex": "female",
                    "home_country": "PH",
                    "host_country": "HK",
                    "joined_on": "2026-01-10",
                },
            )
            self.members.append({"id": member["id"], "name": member_name})
        for member, amount in zip(self.members, savings or []):
            api.create(
                f"/v1/groups/{self.id}/contributions",
                {
                    "member_id": member["id"],
                    "amount": amount,
                    "fund": "savings",
                    "channel": "cash",
                },
                keyed=True,
            )

    def path(self, rest=""):
        return f"/v1/groups/{self.id}{rest}"

    def user(self, role, member=None, username=None):
        """A new user with a treasurer grant on the group, or a member grant for `member`;
        returns its username (its password is PASSWORD)."""
        username = username or unique(role)
        grant = {"role": role, "group_id": self.id}
        if member is not None:
            grant["member_id"] = member["id"]
        self.api.create(
            "/v1/users", {"username": username, "password": PASSWORD, "grants": [grant]}
        )
        return username

    def meetings(self):
        return self.api.all(self.path("/meetings"))

    def balances(self):
        """Each member's savings by name, as the service reports them."""
        report = self.api.get(self.path("/reports/member-balances"))
        return {line["name"]: line for line in report["members"]}


MEMBER_NAMES = [
    "Amihan Reyes",
    "Bituin Santos",
    "Dalisay Cruz",
    "Ligaya Bautista",
    "Mayumi Garcia",
    "Tala Mendoza",
    "Sari Wulandari",
    "Dewi Lestari",
    "Sita Gurung",
    "Maya Tamang",
    "Rosa Villanueva",
    "Luz Aquino",
]


@pytest.fixture
def group(api):
    """A fresh group of twelve members, each with 100.00 of savings."""
    return Group(api, unique("Sampaguita Savers"), MEMBER_NAMES, ["100.00"] * len(MEMBER_NAMES))


# --- The browser, watched -------------------------------------------------------------------


class Guard:
    """Collects what must not happen on the pages it watches: an error in the console or an
    uncaught exception, and a request to any origin but the service's (and those a test names).

    The browser itself logs a failed request as a console error ("Failed to load resource").
    Those are accepted only where the app meets them by design: an API answer of 4xx (a refusal
    or "not signed in", which the app reads and shows), and, once a test has cut the connection
    (`allow_network_failures`), a request that never got an answer."""

    LOAD_FAILURE = re.compile(r"^Failed to load resource: (?:the server responded with a status of (\d+)|(net::\S+))")

    def __init__(self):
        self.allowed_origins = {origin_of(BASE_URL)}
        self.network_failures_allowed = False
        self.problems = []

    def allow_origin(self, origin):
        self.allowed_origins.add(origin)

    def allow_network_failures(self):
        self.network_failures_allowed = True

    def watch_context(self, context):
        context.on("request", self._on_request)
        context.on("page", self.watch_page)
        for page in context.pages:
            self.watch_page(page)

    def watch_page(self, page):
        page.on("console", lambda message: self._on_console(page, message))
        page.on("pageerror", lambda error: self.problems.append(f"uncaught error on {page.url}: {error}"))

    def _on_request(self, req):
        url = req.url
        if url.startswith(("data:", "blob:", "about:", "chrome-extension:")):
            return
        if origin_of(url) not in self.allowed_origins:
            self.problems.append(f"request to a foreign host: {req.method} {url}")

    def _on_console(self, page, message):
        if message.type != "error":
            return
        if origin_of(page.url) != origin_of(BASE_URL) or urllib.parse.urlsplit(page.url).path.startswith("/v1/"):
            # Not the app: a page of another origin a test serves on purpose, or an API answer
            # shown as a page (the browser then asks for /favicon.ico).
            return
        text = message.text
        where = (message.location or {}).get("url", "")
        failure = self.LOAD_FAILURE.match(text)
        if failure:
            status, net_error = failure.groups()
            path = urllib.parse.urlsplit(where).path
            if status and 400 <= int(status) < 500 and path.startswith("/v1/"):
                return
            if net_error and self.network_failures_allowed:
                return
        self.problems.append(f"console error on {page.url}: {text} ({where})")

    def check(self):
        problems, self.problems = self.problems, []
        assert not problems, "\n".join(problems)


@pytest.fixture(scope="session")
def playwright_instance():
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def guard():
    guard = Guard()
    yield guard
    guard.check()


@pytest.fixture
def new_context(browser, guard):
    """Opens a fresh browser context (no cookies, no storage) at phone size in a language."""
    contexts = []

    def open_context(lang="en", viewport=PHONE, **options):
        context = browser.new_context(
            viewport=viewport, locale=LOCALES[lang], base_url=BASE_URL, **options
        )
        context.set_default_timeout(15_000)
        guard.watch_context(context)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


class Phone:
    """A browser profile kept on disk (cookies, localStorage, IndexedDB, the service worker),
    which can be closed and opened again like a phone's browser that was shut and restarted."""

    def __init__(self, playwright, guard, lang="en", viewport=PHONE):
        self.playwright = playwright
        self.guard = guard
        self.lang = lang
        self.viewport = viewport
        self.dir = tempfile.mkdtemp(prefix="msai-phone-", dir=os.environ.get("MSAI_BROWSER_TMP"))
        self.context = None

    def open(self, offline=False):
        assert self.context is None, "the phone's browser is already open"
        self.context = self.playwright.chromium.launch_persistent_context(
            self.dir,
            executable_path=CHROMIUM,
            args=LAUNCH_ARGS,
            viewport=self.viewport,
            locale=LOCALES[self.lang],
            base_url=BASE_URL,
            offline=offline,
        )
        self.context.set_default_timeout(15_000)
        self.guard.watch_context(self.context)
        return self.context

    def page(self):
        return self.context.pages[0] if self.context.pages else self.context.new_page()

    def close(self):
        if self.context is not None:
            self.context.close()
            self.context = None

    def discard(self):
        self.close()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def new_phone(playwright_instance, guard):
    phones = []

    def open_phone(lang="en", viewport=PHONE):
        phone = Phone(playwright_instance, guard, lang, viewport)
        phones.append(phone)
        return phone

    yield open_phone
    for phone in phones:
        phone.discard()

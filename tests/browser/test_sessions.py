"""Browser sessions: a write authenticated by the session cookie is refused unless it comes from
the service's own origin with the CSRF token, whether a page of another origin sends it from the
browser or a client forges the headers; and signing out ends the session on the server."""

import http.server
import json
import threading

import pytest

import app
from conftest import BASE_URL, PASSWORD, origin_of, request


class CookieSession:
    """A session opened through the API, replayed by hand: its cookie and CSRF token."""

    def __init__(self, cookie, csrf_token):
        self.cookie = cookie
        self.csrf_token = csrf_token

    @classmethod
    def sign_in(cls, username, password):
        reply = request(
            "POST",
            "/v1/auth/session",
            {"username": username, "password": password},
            {"Origin": origin_of(BASE_URL)},
        )
        assert reply.status in (200, 201), f"{username} opens a session: {reply}"
        return cls(session_cookie(reply.headers), reply.json["csrf_token"])

    def send(self, method, path, body=None, headers=None):
        headers = {"Cookie": f"{app.SESSION_COOKIE}={self.cookie}", **(headers or {})}
        return request(method, path, body, headers)


def session_cookie(headers):
    """The session cookie's value in a reply's Set-Cookie headers."""
    for header in headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        if name.strip() == app.SESSION_COOKIE:
            return rest.split(";", 1)[0]
    raise AssertionError(f"no {app.SESSION_COOKIE} cookie in {headers}")


def new_member(name):
    return {
        "name": name,
        "sex": "female",
        "home_country": "PH",
        "host_country": "HK",
        "joined_on": "2026-02-01",
    }


def member_names(api, group):
    return sorted(m["name"] for m in api.all(group.path("/members")))


def test_a_forged_cookie_write_is_refused_and_changes_nothing(api, group):
    treasurer = group.user("treasurer")
    session = CookieSession.sign_in(treasurer, PASSWORD)
    before = member_names(api, group)
    own = origin_of(BASE_URL)
    token = session.csrf_token
    forgeries = {
        "another site": {"Origin": "http://attacker.example", "X-CSRF-Token": token},
        "another port of this host": {"Origin": own.rsplit(":", 1)[0] + ":9", "X-CSRF-Token": token},
        "an opaque origin": {"Origin": "null", "X-CSRF-Token": token},
        "no origin": {"X-CSRF-Token": token},
        "no token": {"Origin": own},
        "a wrong token": {"Origin": own, "X-CSRF-Token": "not-the-token"},
    }
    for what, headers in forgeries.items():
        reply = session.send("POST", group.path("/members"), new_member("Mallory"), headers)
        assert reply.status == 403, f"{what}: {reply}"
        assert reply.json["type"].endswith("/csrf"), f"{what}: {reply}"
    assert member_names(api, group) == before
    # The same request from the service's own origin with the token is the app's, and is taken.
    reply = session.send(
        "POST", group.path("/members"), new_member("Marisol Dizon"), {"Origin": own, "X-CSRF-Token": token}
    )
    assert reply.status == 201, reply
    assert member_names(api, group) == sorted(before + ["Marisol Dizon"])


class _AttackerPage(http.server.BaseHTTPRequestHandler):
    """A page of another origin on this host (the same site, so the browser sends a SameSite
    cookie along) that writes to the service with the visitor's session."""

    target = ""

    def do_GET(self):
        body = f"""<!DOCTYPE html><html lang="en"><head><title>Prize</title></head><body>
<form id="form" method="POST" action="{self.target}" enctype="text/plain">
<input name='{{"name":"Mallory Form","sex":"female","home_country":"PH","host_country":"HK","x":"' value='"}}'>
</form></body></html>""".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def attacker_site():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _AttackerPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_a_page_of_another_origin_cannot_write_with_the_session(
    api, group, new_context, guard, attacker_site
):
    treasurer = group.user("treasurer")
    context = new_context()
    page = context.new_page()
    page.goto("/")
    app.sign_in(page, treasurer, PASSWORD)
    app.expect_group_home(page, group)
    before = member_names(api, group)

    guard.allow_origin(attacker_site)
    _AttackerPage.target = BASE_URL + group.path("/members")
    attacker = context.new_page()
    attacker.goto(attacker_site + "/")
    target = BASE_URL + group.path("/members")
    sent = []
    attacker.on("request", lambda r: r.url == target and sent.append(r))
    # A script of that page: a "simple" request (no preflight), which the browser sends with the
    # cookie; the service must refuse it itself. (Its answer is not shown to the page either:
    # the service's Cross-Origin-Resource-Policy blocks it.)
    attacker.evaluate(
        """([url, body]) => fetch(url, {method: "POST", mode: "no-cors", credentials: "include",
            headers: {"Content-Type": "text/plain"}, body}).then(() => "sent", () => "blocked")""",
        [target, json.dumps(new_member("Mallory Fetch"))],
    )
    assert len(sent) == 1, sent
    # A script that asks for JSON is stopped by the browser (no CORS), or refused likewise.
    outcome = attacker.evaluate(
        """([url, body]) => fetch(url, {method: "POST", credentials: "include",
            headers: {"Content-Type": "application/json"}, body})
            .then(r => r.status, () => "blocked")""",
        [target, json.dumps(new_member("Mallory Json"))],
    )
    assert outcome in ("blocked", 403), outcome
    # A form of that page posted to the service: the browser shows the service's answer.
    with attacker.expect_response(lambda r: r.url == target) as posted:
        attacker.locator("#form").evaluate("form => form.submit()")
    assert f"{app.SESSION_COOKIE}=" in (posted.value.request.all_headers().get("cookie") or "")
    assert posted.value.status == 403, posted.value.status
    assert posted.value.json()["type"].endswith("/csrf"), posted.value.text()

    assert member_names(api, group) == before
    # The session itself still works from the app's own page.
    page.reload()
    app.expect_group_home(page, group)


def test_signing_out_ends_the_session_on_the_server(group, new_context):
    treasurer = group.user("treasurer")
    context = new_context()
    page = context.new_page()
    page.goto("/")
    app.sign_in(page, treasurer, PASSWORD)
    app.expect_group_home(page, group)
    cookie = next(c["value"] for c in context.cookies() if c["name"] == app.SESSION_COOKIE)
    replayed = CookieSession(cookie, "")
    assert replayed.send("GET", "/v1/auth/session").status == 200
    assert replayed.send("GET", group.path("/members")).status == 200

    app.sign_out(page)
    app.expect_sign_in(page)
    assert replayed.send("GET", "/v1/auth/session").status == 401
    assert replayed.send("GET", group.path("/members")).status == 401
    # Reloading the page does not bring the session back.
    page.reload()
    app.expect_sign_in(page)

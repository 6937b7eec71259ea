// The app: signing in and out, the menu, and which screen each address shows.

import { Problem, Unreachable, call, currentSession, setSession } from "./api.js";
import { t, setLanguage, preferredLanguage, language } from "./i18n.js";
import { h, show, field, statusLine, showProblem, confirmDialog, problemText, nextScreen, isCurrent } from "./ui.js";
import * as outbox from "./outbox.js";
import * as group from "./screens/group.js";
import * as meeting from "./screens/meeting.js";
import * as money from "./screens/money.js";
import * as member from "./screens/member.js";
import * as oversight from "./screens/oversight.js";
import * as admin from "./screens/admin.js";
import * as dashboard from "./screens/dashboard.js";
import * as performance from "./screens/performance.js";

const LAST_USER = "msai.last-user";
/// Set while this phone holds a session cookie (which no script can read), so that opening the
/// app signed out does not ask the service for a session it knows is not there.
const HINT = "msai.session-hint";

/// What the signed-in user may do, read from their grants.
export function roles() {
  const grants = currentSession()?.user?.grants || [];
  return {
    admin: grants.some((g) => g.role === "admin"),
    auditor: grants.some((g) => g.role === "auditor"),
    treasurerOf: grants.filter((g) => g.role === "treasurer").map((g) => g.group_id),
    // A group's chair sees its books and decides its approval items, and changes nothing else.
    chairOf: grants.filter((g) => g.role === "chair").map((g) => g.group_id),
    memberships: grants.filter((g) => g.role === "member").map((g) => ({ group_id: g.group_id, member_id: g.member_id })),
  };
}

/// The screen for each address (`#/...`); the first match wins.
const ROUTES = [
  [/^#\/signin$/, () => signInScreen()],
  [/^#\/outbox$/, () => meeting.outboxScreen()],
  [/^#\/approvals$/, () => money.myApprovalsScreen()],
  [/^#\/groups$/, () => oversight.groupsScreen()],
  [/^#\/network$/, () => oversight.networkScreen()],
  [/^#\/dashboard(?:\?(.*))?$/, (query) => dashboard.dashboardScreen(query)],
  [/^#\/admin\/groups\/new$/, () => admin.newGroupScreen()],
  [/^#\/admin\/users\/new$/, () => admin.newUserScreen()],
  [/^#\/me$/, () => member.myScreen()],
  [/^#\/me\/([0-9a-f-]{36})\/([0-9a-f-]{36})$/, (g, m) => member.passbookScreen(g, m)],
  [/^#\/g\/([0-9a-f-]{36})$/, (g) => group.homeScreen(g)],
  [/^#\/g\/([0-9a-f-]{36})\/members$/, (g) => group.membersScreen(g)],
  [/^#\/g\/([0-9a-f-]{36})\/members\/new$/, (g) => group.newMemberScreen(g)],
  [/^#\/g\/([0-9a-f-]{36})\/m\/([0-9a-f-]{36})$/, (g, m) => group.memberScreen(g, m)],
  [/^#\/g\/([0-9a-f-]{36})\/meeting(?:\/([0-9a-f-]{32,36}))?$/, (g, item) => meeting.sheetScreen(g, item)],
  [/^#\/g\/([0-9a-f-]{36})\/withdraw(?:\/([0-9a-f-]{32,36}))?$/, (g, item) => money.withdrawScreen(g, item)],
  [/^#\/g\/([0-9a-f-]{36})\/remit$/, (g) => money.remitScreen(g)],
  [/^#\/g\/([0-9a-f-]{36})\/investments$/, (g) => money.investmentsScreen(g)],
  [/^#\/g\/([0-9a-f-]{36})\/distribute$/, (g) => money.distributeScreen(g)],
  [/^#\/g\/([0-9a-f-]{36})\/dashboard(?:\?(.*))?$/, (g, query) => dashboard.dashboardScreen(query, g)],
  [/^#\/g\/([0-9a-f-]{36})\/trial-balance$/, (g) => oversight.trialBalanceScreen(g)],
  [/^#\/g\/([0-9a-f-]{36})\/approvals$/, (g) => money.approvalsScreen(g)],
  [/^#\/g\/([0-9a-f-]{36})\/approval-policy$/, (g) => money.policyScreen(g)],
  [/^#\/g\/([0-9a-f-]{36})\/performance(?:\?(.*))?$/, (g, q) => performance.performanceScreen(g, q)],
  [/^#\/g\/([0-9a-f-]{36})\/accreditation(?:\?(.*))?$/, (g, q) => performance.accreditationScreen(g, q)],
];

/// Where a user lands: a treasurer or chair of one group on its home, a member on her
/// passbook, others on the list of groups.
function homeAddress() {
  const r = roles();
  const officerOf = [...new Set([...r.treasurerOf, ...r.chairOf])];
  if (r.admin || r.auditor) return "#/groups";
  if (officerOf.length === 1 && r.memberships.length === 0) return `#/g/${officerOf[0]}`;
  if (officerOf.length === 0 && r.memberships.length === 1) {
    const m = r.memberships[0];
    return `#/me/${m.group_id}/${m.member_id}`;
  }
  if (officerOf.length > 0) return "#/groups";
  return "#/me";
}

async function route() {
  const address = location.hash || "#/";
  if (!currentSession()) {
    if (address !== "#/signin") {
      location.replace("#/signin");
      return;
    }
  } else if (address === "#/" || address === "#/signin" || address === "") {
    location.replace(homeAddress());
    return;
  }
  renderNav();
  const mine = nextScreen();
  for (const [pattern, screen] of ROUTES) {
    const match = pattern.exec(address);
    if (match) {
      try {
        await screen(...match.slice(1));
      } catch (e) {
        if (isCurrent(mine)) show(t("error-title"), h("p", { class: "status bad", role: "alert" }, problemText(e)));
      }
      return;
    }
  }
  show(t("not-found-title"), h("p", {}, t("not-found-text")), h("a", { href: "#/" }, t("nav-home")));
}

function renderNav() {
  const nav = document.getElementById("nav");
  nav.replaceChildren();
  const session = currentSession();
  if (!session) return;
  const r = roles();
  const links = [];
  links.push(["#/", t("nav-home")]);
  if (r.admin || r.auditor) links.push(["#/dashboard", t("nav-dashboard")], ["#/network", t("nav-network")]);
  if (r.admin) {
    links.push(["#/admin/groups/new", t("nav-new-group")]);
    links.push(["#/admin/users/new", t("nav-new-user")]);
  } else if (r.treasurerOf.length > 0) {
    links.push(["#/admin/users/new", t("nav-new-user")]);
  }
  if (r.admin || r.treasurerOf.length > 0 || r.chairOf.length > 0) links.push(["#/approvals", t("nav-approvals")]);
  const unsent = outbox.unsentCount();
  if (r.admin || r.treasurerOf.length > 0 || unsent > 0) {
    links.push(["#/outbox", t("nav-outbox", { count: unsent })]);
  }
  const list = h("ul", {});
  for (const [href, label] of links) {
    const current = location.hash === href ? "page" : null;
    list.append(h("li", {}, h("a", { href, "aria-current": current }, label)));
  }
  list.append(h("li", {}, h("button", { type: "button", id: "signout", onclick: signOut }, t("nav-signout"))));
  nav.append(h("p", { class: "who" }, t("signed-in-as", { name: session.user.username })), list);
}

function signInScreen() {
  document.getElementById("nav").replaceChildren();
  const username = h("input", { id: "username", name: "username", autocomplete: "username", autocapitalize: "none", required: true });
  const password = h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const status = statusLine();
  const pending = outbox.unsentCount(localStorage.getItem(LAST_USER));
  const form = h(
    "form",
    { id: "signin-form", novalidate: true },
    field(t("signin-username"), username),
    field(t("signin-password"), password),
    h("button", { type: "submit", class: "primary" }, t("signin-submit")),
    status,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    status.textContent = t("signing-in");
    status.className = "status";
    try {
      const session = await call("POST", "/v1/auth/session", {
        body: { username: username.value.trim(), password: password.value },
      });
      begin(session);
      location.replace(homeAddress());
      outbox.flush();
    } catch (error) {
      password.value = "";
      showProblem(status, error, { "/username": username, "/password": password });
    }
  });
  show(
    t("signin-title"),
    h("p", {}, t("signin-intro")),
    pending > 0 ? h("p", { class: "notice" }, t("signin-outbox-waiting", { count: pending })) : null,
    form,
  );
}

function begin(session) {
  setSession(session);
  localStorage.setItem(HINT, "1");
  if (!session.offline) {
    localStorage.setItem("msai.cache.me", JSON.stringify({ at: Date.now(), value: { user: session.user } }));
  }
  localStorage.setItem(LAST_USER, session.user.username);
  outbox.useOutboxOf(session.user.username);
}

async function signOut() {
  const unsent = outbox.unsentCount();
  if (unsent > 0) {
    const sure = await confirmDialog(t("signout-unsent", { count: unsent }), t("signout-anyway"), t("cancel"));
    if (!sure) return;
  }
  try {
    await call("DELETE", "/v1/auth/session");
  } catch (e) {
    if (!(e instanceof Problem) || e.status !== 401) {
      if (e instanceof Unreachable) {
        // Offline: the cookie is still sent on the next visit; the session ends on the server
        // when it expires. The phone forgets it now.
      }
    }
  }
  setSession(null);
  localStorage.removeItem(HINT);
  // What was read for the screens (names, balances) is not left on a shared phone; the
  // outbox stays, to be sent when its owner signs in again.
  for (const name of Object.keys(localStorage)) {
    if (name.startsWith("msai.cache.")) localStorage.removeItem(name);
  }
  location.replace("#/signin");
  route();
}

/// The session, if the cookie names one; offline, the last user is assumed until the service
/// can say (their outbox is kept and sent once the session is confirmed).
async function resume() {
  if (!localStorage.getItem(HINT)) return;
  try {
    begin(await call("GET", "/v1/auth/session"));
  } catch (e) {
    if (e instanceof Problem && e.status === 401) localStorage.removeItem(HINT);
    if (e instanceof Unreachable) {
      const last = localStorage.getItem(LAST_USER);
      const kept = JSON.parse(localStorage.getItem("msai.cache.me") || "null");
      if (last && kept?.value?.user?.username === last) {
        setSession({ user: kept.value.user, csrf_token: null, offline: true });
        outbox.useOutboxOf(last);
      }
    }
  }
}

function showNetwork() {
  const net = document.getElementById("net");
  net.textContent = navigator.onLine ? "" : t("offline");
  net.className = navigator.onLine ? "net" : "net off";
}

async function main() {
  await setLanguage(preferredLanguage(), false);
  const select = document.getElementById("lang");
  select.value = language();
  document.getElementById("lang-label").textContent = t("language");
  document.querySelector(".skip").textContent = t("skip-to-content");
  document.getElementById("nav").setAttribute("aria-label", t("nav-label"));
  select.addEventListener("change", async () => {
    await setLanguage(select.value, true);
    document.getElementById("lang-label").textContent = t("language");
    document.querySelector(".skip").textContent = t("skip-to-content");
    document.getElementById("nav").setAttribute("aria-label", t("nav-label"));
    showNetwork();
    route();
  });
  window.addEventListener("online", showNetwork);
  window.addEventListener("offline", showNetwork);
  showNetwork();
  await resume();
  window.addEventListener("hashchange", route);
  window.addEventListener("msai:outbox", renderNav);
  window.addEventListener("msai:signed-out", () => {
    if (currentSession() && !currentSession().offline) {
      setSession(null);
      localStorage.removeItem(HINT);
      location.replace("#/signin");
    }
  });
  window.addEventListener("msai:session-ended", () => {
    setSession(null);
    localStorage.removeItem(HINT);
    location.replace("#/signin");
  });
  outbox.startSending();
  await route();
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(() => {});
  }
}

main();

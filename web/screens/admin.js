// Setting up: a group (administrators), and users for treasurers and members.

import { all, post, newKey } from "../api.js";
import { t } from "../i18n.js";
import { h, drawer, field, statusLine, showProblem, ok, setError } from "../ui.js";
import { roles } from "../app.js";

const COUNTRIES = { HK: "HKD", SG: "SGD", MY: "MYR", TW: "TWD", AE: "AED", SA: "SAR", QA: "QAR", KW: "KWD", JP: "JPY", KR: "KRW", IT: "EUR", GB: "GBP", US: "USD" };

export async function newGroupScreen() {
  const show = drawer();
  const name = h("input", { name: "name", autocomplete: "off" });
  const host = h("input", { name: "host_country", value: "HK", maxlength: 2, autocapitalize: "characters" });
  const home = h("input", { name: "home_country", value: "PH", maxlength: 2, autocapitalize: "characters" });
  const currency = h("input", { name: "currency", value: "HKD", maxlength: 3, autocapitalize: "characters" });
  host.addEventListener("change", () => {
    const code = COUNTRIES[host.value.trim().toUpperCase()];
    if (code) currency.value = code;
  });
  const status = statusLine();
  const key = newKey();
  const inputs = { "/name": name, "/host_country": host, "/home_country": home, "/currency": currency };
  const form = h(
    "form",
    { id: "group-form", novalidate: true },
    field(t("group-name"), name),
    field(t("group-host-country"), host, t("country-hint")),
    field(t("group-home-country"), home, t("country-hint")),
    field(t("group-currency"), currency, t("currency-hint")),
    h("button", { type: "submit", class: "primary" }, t("group-create")),
    status,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = {
      name: name.value,
      host_country: host.value.trim().toUpperCase(),
      home_country: home.value.trim().toUpperCase(),
      currency: currency.value.trim().toUpperCase(),
    };
    try {
      const group = await post("/v1/groups", body, { key });
      ok(status, t("group-created", { name: group.name }));
      location.hash = `#/g/${group.id}`;
    } catch (error) {
      showProblem(status, error, inputs);
    }
  });
  show(t("nav-new-group"), form);
}

export async function newUserScreen() {
  const show = drawer();
  const r = roles();
  const groups = (await all("/v1/groups")).filter((g) => r.admin || r.treasurerOf.includes(g.id));
  const username = h("input", { name: "username", autocomplete: "off", autocapitalize: "none" });
  const password = h("input", { name: "password", type: "password", autocomplete: "new-password" });
  const role = h(
    "select",
    { name: "role" },
    (r.admin ? ["treasurer", "chair", "member", "auditor", "admin"] : ["member"]).map((x) => h("option", { value: x }, t(`role-${x}`))),
  );
  const group = h("select", { name: "group_id" }, groups.map((g) => h("option", { value: g.id }, g.name)));
  const member = h("select", { name: "member_id" });
  const memberField = field(t("col-member"), member);
  const groupField = field(t("user-group"), group);
  const status = statusLine();
  const fillMembers = async () => {
    member.replaceChildren();
    if (!group.value) return;
    try {
      const members = await all(`/v1/groups/${group.value}/members`);
      for (const m of members) member.append(h("option", { value: m.id }, `#${m.number} ${m.name}`));
    } catch (error) {
      showProblem(status, error);
    }
  };
  const showFields = () => {
    groupField.hidden = !["treasurer", "chair", "member"].includes(role.value);
    memberField.hidden = role.value !== "member";
    if (role.value === "member") fillMembers();
  };
  role.addEventListener("change", showFields);
  group.addEventListener("change", () => role.value === "member" && fillMembers());
  const inputs = { "/username": username, "/password": password, "/grants/0/group_id": group, "/grants/0/member_id": member, "/grants/0/role": role };
  const form = h(
    "form",
    { id: "user-form", novalidate: true },
    field(t("signin-username"), username, t("username-hint")),
    field(t("signin-password"), password, t("password-hint")),
    field(t("user-role"), role),
    groupField,
    memberField,
    h("button", { type: "submit", class: "primary" }, t("user-create")),
    status,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const grant = { role: role.value };
    if (["treasurer", "chair", "member"].includes(role.value)) grant.group_id = group.value || null;
    if (role.value === "member") {
      grant.member_id = member.value || null;
      setError(member, member.value ? "" : t("field-required"));
      if (!member.value) return;
    }
    try {
      const user = await post("/v1/users", { username: username.value.trim(), password: password.value, grants: [grant] });
      ok(status, t("user-created", { name: user.username }));
      form.reset();
      showFields();
    } catch (error) {
      showProblem(status, error, inputs);
    }
  });
  show(t("nav-new-user"), form);
  showFields();
}

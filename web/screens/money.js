// Money going out and coming back: withdrawals, remittances, investments and distributions.

import { Problem, Unreachable, all, currentSession, get, post, newKey, write, waitsForApproval } from "../api.js";
import { t, has, formatDate, formatInstant } from "../i18n.js";
import { formatAmount, formatMinor, parseAmount, scaleOf, toMinor } from "../money.js";
import { h, drawer, field, statusLine, setError, amountInput, showProblem, table, loading, ok, confirmDialog, linkButton } from "../ui.js";
import { roles } from "../app.js";
import * as outbox from "../outbox.js";
import { loadGroup, loadMembers } from "./group.js";

/// A select of the group's members, by number and name.
function memberSelect(members, chosen, filter = () => true) {
  return h(
    "select",
    { name: "member_id" },
    h("option", { value: "" }, t("choose-member")),
    members.filter(filter).map((m) => h("option", { value: m.id, selected: m.id === chosen }, `#${m.number} ${m.name}`)),
  );
}

function channelSelect(values, chosen) {
  return h(
    "select",
    { name: "channel" },
    values.map((c) => h("option", { value: c, selected: c === chosen }, t(`channel-${c}`))),
  );
}

/// Reads an amount input, showing what is wrong under it; the canonical string or null.
function readAmount(input, currency) {
  const read = parseAmount(input.value, currency);
  if (read.error) {
    setError(input, t(`amount-${read.error}`));
    return null;
  }
  if (read.minor === 0n) {
    setError(input, t("amount-zero"));
    return null;
  }
  setError(input, "");
  return read;
}

/// What a member may withdraw now: from the service when it can be reached (fresh), else from
/// the members list the phone kept (not fresh).
async function available(groupId, memberId, currency) {
  try {
    const m = await get(`/v1/groups/${groupId}/members/${memberId}`);
    const line = (m.position || []).find((p) => p.currency === currency);
    return { value: line ? line.available : "0", fresh: true };
  } catch (e) {
    if (!(e instanceof Unreachable)) throw e;
    const members = (await loadMembers(groupId)).value;
    const m = members.find((x) => x.id === memberId);
    const line = (m?.position || []).find((p) => p.currency === currency);
    return { value: line ? line.available : null, fresh: false };
  }
}

export async function withdrawScreen(groupId, itemId) {
  const show = drawer();
  show(t("loading"), loading());
  const group = await loadGroup(groupId);
  const members = (await loadMembers(groupId)).value;
  const currency = group.currency;
  const editing = itemId ? outbox.find(itemId) : null;
  const wanted = new URLSearchParams(location.hash.split("?")[1] || "").get("member");
  const member = memberSelect(members, editing?.body.member_id || wanted, (m) => m.status !== "exited" || m.id === editing?.body.member_id);
  member.id = "w-member";
  const amount = amountInput({ id: "w-amount", name: "amount" });
  amount.value = editing ? formatAmount(editing.body.amount, currency, false) : "";
  const channel = channelSelect(["cash", "bank", "mobile_wallet"], editing?.body.channel || "cash");
  channel.id = "w-channel";
  const status = statusLine();
  const confirmArea = h("div", { id: "w-confirm", "aria-live": "polite" });
  const inputs = { "/member_id": member, "/amount": amount, "/channel": channel };
  const form = h(
    "form",
    { id: "withdrawal-form", novalidate: true },
    editing ? h("p", { class: "notice" }, t("withdraw-correcting")) : null,
    field(t("col-member"), member),
    field(t("withdraw-amount", { currency }), amount),
    field(t("col-channel"), channel),
    h("button", { type: "submit", class: "primary" }, t("withdraw-next")),
    status,
    confirmArea,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    confirmArea.replaceChildren();
    status.textContent = "";
    setError(member, member.value ? "" : t("field-required"));
    const read = readAmount(amount, currency);
    if (!member.value || !read) return;
    const chosen = members.find((m) => m.id === member.value);
    let balance;
    try {
      balance = await available(groupId, member.value, currency);
    } catch (error) {
      showProblem(status, error, inputs);
      return;
    }
    const before = balance.value === null ? null : toMinor(balance.value, scaleOf(currency));
    const after = before === null ? null : before - read.minor;
    const body = { member_id: member.value, amount: read.value, from: "savings", channel: channel.value };
    const summary = { member: chosen.name, amount: formatMinor(read.minor, currency) };
    const lines = [
      h("p", {}, t("withdraw-confirm", { name: chosen.name, amount: summary.amount })),
      before === null
        ? h("p", { class: "notice" }, t("withdraw-balance-unknown"))
        : h(
            "p",
            {},
            t(balance.fresh ? "withdraw-balance-after" : "withdraw-balance-after-kept", { amount: "" }),
            h("strong", { id: "w-balance-after" }, formatMinor(after, currency)),
          ),
    ];
    if (after !== null && after < 0n && balance.fresh) {
      lines.push(h("p", { class: "status bad", role: "alert" }, t("problem-overdraft")));
      confirmArea.append(...lines);
      return;
    }
    if (after !== null && after < 0n) lines.push(h("p", { class: "notice" }, t("withdraw-may-be-refused")));
    const submit = h("button", { type: "button", id: "w-submit", class: "primary" }, t("withdraw-save"));
    submit.addEventListener("click", () => {
      if (editing) outbox.replace(editing.id, body, summary);
      else outbox.add({ kind: "withdrawal", path: `/v1/groups/${groupId}/withdrawals`, body, group_id: groupId, summary });
      location.hash = "#/outbox";
      outbox.flush();
    });
    confirmArea.append(...lines, submit);
    submit.focus();
  });
  show(t("withdraw-title"), form);
}

/// Says that a write was not carried out yet: it waits for another person's approval.
function showWaiting(status) {
  status.replaceChildren(t("approval-waiting"), " ");
  status.append(h("a", { href: location.hash.replace(/^(#\/g\/[0-9a-f-]{36}).*$/, "$1/approvals") }, t("approval-see-list")));
  status.className = "status waiting";
}

/// A decimal string as an integer and its scale: "7.125" -> { n: 7125n, s: 3 }.
function decimal(text) {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(String(text || "").trim());
  if (!m) return null;
  return { n: BigInt(m[1] + (m[2] || "")), s: (m[2] || "").length };
}

/// a / b rounded half to even.
function divide(a, b) {
  const q = a / b;
  const r = a % b;
  const twice = 2n * (r < 0n ? -r : r);
  const bb = b < 0n ? -b : b;
  if (twice > bb || (twice === bb && q % 2n !== 0n)) return q + (a < 0n !== b < 0n ? -1n : 1n);
  return q;
}

/// The cost of a remittance as typed, in the send currency's minor units, and its percentage
/// (in hundredths): fee plus the FX margin, send − receive ÷ mid-market rate.
export function remittanceCost(send, fee, receive, mid, sendCurrency, receiveCurrency) {
  const ss = scaleOf(sendCurrency);
  const rs = scaleOf(receiveCurrency);
  const S = toMinor(send, ss);
  const F = toMinor(fee || "0", ss);
  const R = toMinor(receive, rs);
  const M = decimal(mid);
  if (S === null || F === null || S <= 0n) return null;
  let margin = 0n;
  if (R !== null && M && M.n > 0n) {
    // receive / mid in send minor units: R / 10^rs / (M.n / 10^M.s) * 10^ss.
    const worth = divide(R * 10n ** BigInt(M.s) * 10n ** BigInt(ss), M.n * 10n ** BigInt(rs));
    margin = S - worth;
  }
  const total = F + margin;
  const percent = divide(total * 10000n, S);
  const home = M ? divide(total * M.n * 10n ** BigInt(rs), 10n ** BigInt(M.s) * 10n ** BigInt(ss)) : null;
  return { total, percent, home };
}

const HOME_CURRENCY = { PH: "PHP", ID: "IDR", NP: "NPR", IN: "INR", LK: "LKR", BD: "BDT", VN: "VND", TH: "THB", MM: "MMK" };

export async function remitScreen(groupId) {
  const show = drawer();
  const group = await loadGroup(groupId);
  const members = (await loadMembers(groupId)).value;
  const homeCurrency = HOME_CURRENCY[group.home_country] || "";
  const member = memberSelect(members, null, (m) => m.status === "active");
  const send = amountInput({ name: "send_amount" });
  const fee = amountInput({ name: "fee", value: "0" });
  const receive = amountInput({ name: "receive_amount" });
  const receiveCurrency = h("input", { name: "receive_currency", value: homeCurrency, maxlength: 3, autocapitalize: "characters" });
  const mid = h("input", { name: "mid_market_rate", inputmode: "decimal", autocomplete: "off" });
  const provider = h("input", { name: "provider", autocomplete: "off" });
  const channel = channelSelect(["money_transfer_operator", "bank", "mobile_wallet", "post"], "money_transfer_operator");
  const onItsWay = h("input", { type: "checkbox", name: "in_transit" });
  const purpose = h(
    "select",
    { name: "purpose" },
    ["family_support", "education", "health", "group_savings", "investment", "debt", "other"].map((p) => h("option", { value: p }, t(`purpose-${p}`))),
  );
  const cost = h("p", { id: "remit-cost", "aria-live": "polite" });
  const status = statusLine();
  const key = newKey();
  const inputs = {
    "/member_id": member,
    "/send_amount": send,
    "/fee": fee,
    "/receive_amount": receive,
    "/receive_currency": receiveCurrency,
    "/mid_market_rate": mid,
    "/provider": provider,
  };
  const recost = () => {
    const s = parseAmount(send.value, group.currency);
    const f = parseAmount(fee.value || "0", group.currency);
    const rc = receiveCurrency.value.trim().toUpperCase();
    const r = parseAmount(receive.value, rc);
    const midText = mid.value.trim().replace(",", ".");
    const c = s.value && f.value && r.value ? remittanceCost(s.value, f.value, r.value, decimal(midText) ? midText : null, group.currency, rc) : null;
    cost.textContent = c
      ? t("remit-cost", {
          percent: formatMinor(c.percent, "").trim(),
          amount: formatMinor(c.total, group.currency),
          home: c.home === null ? "" : formatMinor(c.home, rc),
        })
      : "";
  };
  for (const input of [send, fee, receive, receiveCurrency, mid]) input.addEventListener("input", recost);
  const form = h(
    "form",
    { id: "remit-form", novalidate: true },
    field(t("col-member"), member),
    field(t("remit-send", { currency: group.currency }), send),
    field(t("remit-fee", { currency: group.currency }), fee),
    field(t("remit-receive-currency"), receiveCurrency),
    field(t("remit-receive"), receive),
    field(t("remit-mid"), mid, t("remit-mid-hint")),
    field(t("remit-provider"), provider),
    field(t("col-channel"), channel),
    field(t("remit-purpose"), purpose),
    h("label", { class: "check" }, onItsWay, h("span", {}, t("remit-in-transit-label"))),
    cost,
    h("button", { type: "submit", class: "primary" }, t("remit-save")),
    status,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const rc = receiveCurrency.value.trim().toUpperCase();
    const s = parseAmount(send.value, group.currency);
    const f = parseAmount(fee.value || "0", group.currency);
    const r = parseAmount(receive.value, rc);
    const body = {
      member_id: member.value,
      send_amount: s.value ?? send.value,
      send_currency: group.currency,
      fee: f.value ?? fee.value,
      receive_amount: r.value ?? receive.value,
      receive_currency: rc,
      mid_market_rate: mid.value.trim() ? mid.value.trim().replace(",", ".") : null,
      provider: provider.value,
      channel: channel.value,
      status: onItsWay.checked ? "in_transit" : null,
      send_country: group.host_country,
      receive_country: group.home_country,
      uses: [{ purpose: purpose.value, amount: r.value ?? receive.value }],
    };
    try {
      const made = await post(`/v1/groups/${groupId}/remittances`, body, { key });
      if (made.status === "in_transit") {
        ok(status, t("remit-saved-in-transit"));
        inTransit.replaceWith(await inTransitSection(groupId));
      } else {
        ok(status, t("remit-saved", { percent: made.cost.percent, amount: formatAmount(made.cost.total, made.cost.currency) }));
      }
    } catch (error) {
      showProblem(status, error, inputs);
    }
  });
  const inTransit = await inTransitSection(groupId);
  show(t("remit-title"), form, inTransit);
}

/// The group's remittances sent and not arrived yet, each with what the treasurer records
/// when the family says: that it arrived (with the amount received) or that it failed or came
/// back (with what the company kept, if anything).
async function inTransitSection(groupId) {
  const section = h("section", { id: "in-transit", "aria-labelledby": "in-transit-heading" }, h("h2", { id: "in-transit-heading" }, t("remit-in-transit-title")));
  let report;
  try {
    report = await get(`/v1/groups/${groupId}/reports/remittances-in-transit`);
  } catch (error) {
    const status = statusLine();
    showProblem(status, error);
    section.append(status);
    return section;
  }
  const rows = report.remittances || [];
  if (!rows.length) {
    section.append(h("p", {}, t("remit-in-transit-none")));
    return section;
  }
  const names = new Map((await loadMembers(groupId)).value.map((m) => [m.id, `#${m.number} ${m.name}`]));
  const list = h("ul", { class: "list in-transit" });
  for (const r of rows) list.append(inTransitItem(groupId, r, names));
  section.append(list);
  return section;
}

function inTransitItem(groupId, r, names) {
  const base = `/v1/groups/${groupId}/remittances/${r.remittance_id}`;
  const li = h(
    "li",
    { "data-id": r.remittance_id, "data-status": "in_transit" },
    h("p", { class: "what" }, names.get(r.member_id) || "", ": ", formatAmount(r.send_amount, r.send_currency), " → ", formatAmount(r.receive_amount, r.receive_currency), ` (${r.provider})`),
    h("p", { class: "muted" }, t("remit-sent-on", { date: formatDate(r.booked_on), days: r.days_in_transit })),
  );
  const received = amountInput({ name: "receive_amount" });
  received.value = formatAmount(r.receive_amount, r.receive_currency, false);
  const kept = amountInput({ name: "fee_kept" });
  const status = statusLine();
  let arrivedKey = newKey();
  let failedKey = newKey();
  const done = (message, answer) => {
    li.dataset.status = answer.status;
    forms.remove();
    ok(status, message);
  };
  const arrived = async () => {
    const read = readAmount(received, r.receive_currency);
    if (!read) return;
    const body = { receive_amount: read.value };
    try {
      // One use of the money (as this app records it) follows the amount that arrived.
      const sent = await get(base);
      if (sent.uses.length === 1 && read.value !== sent.receive_amount) body.uses = [{ purpose: sent.uses[0].purpose, amount: read.value }];
      done(t("remit-arrived-done"), await post(`${base}/completion`, body, { key: arrivedKey }));
    } catch (error) {
      if (error instanceof Problem) arrivedKey = newKey();
      showProblem(status, error, { "/receive_amount": received, "/uses": received });
    }
  };
  const failed = async () => {
    let body = {};
    if (kept.value.trim() !== "") {
      const read = parseAmount(kept.value, r.receive_currency);
      if (read.error) {
        setError(kept, t(`amount-${read.error}`));
        return;
      }
      setError(kept, "");
      body = { fee_kept: read.value };
    }
    try {
      done(t("remit-failed-done"), await post(`${base}/failure`, body, { key: failedKey }));
    } catch (error) {
      if (error instanceof Problem) failedKey = newKey();
      showProblem(status, error, { "/fee_kept": kept });
    }
  };
  const forms = h(
    "div",
    { class: "settle" },
    field(t("remit-arrived-amount", { currency: r.receive_currency }), received),
    h("button", { type: "button", class: "primary arrived", onclick: arrived }, t("remit-arrived-save")),
    field(t("remit-failed-kept", { currency: r.receive_currency }), kept),
    h("button", { type: "button", class: "failed", onclick: failed }, t("remit-failed-save")),
  );
  li.append(forms, status);
  return li;
}

export async function investmentsScreen(groupId) {
  const show = drawer();
  show(t("loading"), loading());
  const group = await loadGroup(groupId);
  const list = await all(`/v1/groups/${groupId}/investments`);
  const name = h("input", { name: "name", autocomplete: "off" });
  const kind = h(
    "select",
    { name: "kind" },
    ["cooperative", "enterprise", "livelihood", "land", "deposit", "other"].map((k) => h("option", { value: k }, t(`kind-${k}`))),
  );
  const sector = h("input", { name: "sector", autocomplete: "off" });
  const currency = h("input", { name: "currency", value: HOME_CURRENCY[group.home_country] || group.currency, maxlength: 3 });
  const committed = amountInput({ name: "committed_amount" });
  const womenLed = h("input", { type: "checkbox", name: "women_led" });
  const status = statusLine();
  const key = newKey();
  const inputs = { "/name": name, "/kind": kind, "/sector": sector, "/currency": currency, "/committed_amount": committed };
  const form = h(
    "form",
    { id: "investment-form", novalidate: true },
    h("h2", {}, t("investment-new")),
    field(t("investment-name"), name),
    field(t("investment-kind"), kind),
    field(t("investment-sector"), sector),
    field(t("investment-currency"), currency),
    field(t("investment-committed"), committed),
    h("label", { class: "check" }, womenLed, h("span", {}, t("investment-women-led"))),
    h("button", { type: "submit", class: "primary" }, t("investment-save")),
    status,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const cur = currency.value.trim().toUpperCase();
    // Nothing typed is no commitment; what cannot be read is sent as typed, for the service to
    // name the field.
    const typed = committed.value.trim();
    const c = typed ? parseAmount(typed, cur) : { value: null };
    const body = {
      name: name.value,
      kind: kind.value,
      sector: sector.value,
      country: group.home_country,
      currency: cur,
      committed_amount: typed ? c.value ?? typed : null,
      women_led: womenLed.checked,
    };
    try {
      await post(`/v1/groups/${groupId}/investments`, body, { key });
      investmentsScreen(groupId);
    } catch (error) {
      showProblem(status, error, inputs);
    }
  });
  const movement = list.length ? investmentMovementForm(groupId, list) : null;
  show(
    t("investments-title"),
    list.length
      ? table(
          t("investments-title"),
          [t("investment-name"), t("investment-kind"), t("investment-book-value"), t("investment-income"), t("investment-status")],
          list.map((i) => [i.name, t(`kind-${i.kind}`), formatAmount(i.book_value, i.currency), formatAmount(i.income_received, i.currency), t(`investment-status-${i.status}`)]),
          [2, 3],
        )
      : h("p", {}, t("investments-none")),
    movement,
    form,
  );
}

/// Money put into an investment, or coming back from it (income, or capital returned).
function investmentMovementForm(groupId, list) {
  const investment = h(
    "select",
    { name: "investment" },
    list.filter((i) => i.status === "active").map((i) => h("option", { value: i.id }, i.name)),
  );
  const what = h(
    "select",
    { name: "what" },
    ["disbursement", "income", "capital_returned"].map((w) => h("option", { value: w }, t(`movement-${w}`))),
  );
  const amount = amountInput({ name: "amount" });
  const status = statusLine();
  let key = newKey();
  const inputs = { "/amount": amount, "/kind": what };
  const form = h(
    "form",
    { id: "investment-movement-form", novalidate: true },
    h("h2", {}, t("movement-title")),
    field(t("investment-name"), investment),
    field(t("movement-what"), what),
    field(t("col-amount"), amount),
    h("button", { type: "submit", class: "primary" }, t("movement-save")),
    status,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const chosen = list.find((i) => i.id === investment.value);
    if (!chosen) return;
    const read = readAmount(amount, chosen.currency);
    if (!read) return;
    const path =
      what.value === "disbursement"
        ? `/v1/groups/${groupId}/investments/${chosen.id}/disbursements`
        : `/v1/groups/${groupId}/investments/${chosen.id}/returns`;
    const body = what.value === "disbursement" ? { amount: read.value } : { kind: what.value, amount: read.value };
    try {
      const answer = await write("POST", path, body, { key });
      key = newKey();
      if (waitsForApproval(answer)) {
        showWaiting(status);
        return;
      }
      investmentsScreen(groupId);
    } catch (error) {
      showProblem(status, error, inputs);
      // Here an overdraft is the group's account, not a member's savings.
      if (error instanceof Problem && error.slug === "overdraft") status.textContent = t("movement-not-enough");
    }
  });
  return form;
}

export async function distributeScreen(groupId) {
  const show = drawer();
  const group = await loadGroup(groupId);
  const members = (await loadMembers(groupId)).value;
  const names = new Map(members.map((m) => [m.id, m.name]));
  const pool = amountInput({ name: "pool" });
  const basis = h("select", { name: "basis" }, ["savings", "capital", "equal"].map((b) => h("option", { value: b }, t(`basis-${b}`))));
  const payTo = h("select", { name: "pay_to" }, ["savings", "capital", "payable"].map((p) => h("option", { value: p }, t(`pay-to-${p}`))));
  const status = statusLine();
  const preview = h("div", { id: "distribution-preview", "aria-live": "polite" });
  const inputs = { "/pool": pool, "/basis": basis, "/pay_to": payTo };
  const form = h(
    "form",
    { id: "distribution-form", novalidate: true },
    field(t("distribute-pool", { currency: group.currency }), pool),
    field(t("distribute-basis"), basis),
    field(t("distribute-pay-to"), payTo),
    h("button", { type: "submit", class: "primary" }, t("distribute-preview")),
    status,
    preview,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    preview.replaceChildren();
    const read = readAmount(pool, group.currency);
    if (!read) return;
    const body = { pool: read.value, basis: basis.value, pay_to: payTo.value, dry_run: true };
    try {
      const plan = await post(`/v1/groups/${groupId}/distributions`, body);
      status.textContent = "";
      const key = newKey();
      const confirm = h("button", { type: "button", id: "distribute-confirm", class: "primary" }, t("distribute-confirm"));
      confirm.addEventListener("click", async () => {
        const sure = await confirmDialog(t("distribute-sure", { amount: formatAmount(plan.pool, plan.currency) }), t("distribute-confirm"), t("cancel"));
        if (!sure) return;
        try {
          const answer = await write("POST", `/v1/groups/${groupId}/distributions`, { ...body, dry_run: false }, { key });
          if (waitsForApproval(answer)) showWaiting(status);
          else ok(status, t("distribute-done"));
          confirm.remove();
        } catch (error) {
          showProblem(status, error, inputs);
        }
      });
      preview.append(
        table(
          t("distribute-shares"),
          [t("col-member"), t("col-amount")],
          (plan.shares || []).map((s) => [s.member_name || names.get(s.member_id) || "", formatAmount(s.share, plan.currency)]),
          [1],
        ),
        h("p", {}, t("distribute-total", { amount: formatAmount(plan.shares_total, plan.currency) })),
        confirm,
      );
    } catch (error) {
      showProblem(status, error, inputs);
    }
  });
  show(t("distribute-title"), form);
}

// --- Approvals: money going out that waits for a second person -----------------------------

/// Who may decide the group's items: its treasurers and chair, and administrators. Who may
/// change its policy (an administrator's change applies, a treasurer's waits for approval).
function mayDecide(groupId) {
  const r = roles();
  return r.admin || r.treasurerOf.includes(groupId) || r.chairOf.includes(groupId);
}

function mayWrite(groupId) {
  const r = roles();
  return r.admin || r.treasurerOf.includes(groupId);
}

/// The name of each member of the groups named, by id, and of each member's account, by code
/// (empty when they cannot be read).
async function memberNames(groupIds) {
  const names = new Map();
  for (const groupId of new Set(groupIds)) {
    try {
      for (const m of (await loadMembers(groupId)).value) {
        const who = `#${m.number} ${m.name}`;
        names.set(m.id, who);
        for (const [fund, account] of Object.entries(m.accounts || {})) {
          if (account?.code) names.set(account.code, `${t(`fund-${fund}`)}: ${who}`);
        }
      }
    } catch {
      // The item still shows, without the member's name.
    }
  }
  return names;
}

/// A kind of item, in words; a kind this app does not know yet shows as the service names it.
function kindText(kind) {
  return has(`approval-kind-${kind}`) ? t(`approval-kind-${kind}`) : String(kind || "");
}

/// A policy in words: what waits, and for how long.
function policyLines(policy) {
  const limits = Object.entries(policy.withdrawals_above || {});
  const lines = limits.length
    ? limits.map(([currency, amount]) => t("policy-withdrawals-above", { amount: formatAmount(amount, currency) }))
    : [t("policy-no-withdrawal-waits")];
  for (const [name, on] of Object.entries(policy)) {
    if (typeof on === "boolean") {
      const text = has(`policy-${name}-${on ? "on" : "off"}`) ? t(`policy-${name}-${on ? "on" : "off"}`) : `${name}: ${on}`;
      lines.push(text);
    }
  }
  if (policy.expires_after_hours) lines.push(t("policy-expires", { hours: policy.expires_after_hours }));
  return lines;
}

/// What an item would post, as a small table.
function wouldPostTable(item, names) {
  const rows = (item.would_post || []).map((e) => [
    names.has(e.account) ? names.get(e.account) : h("span", { class: "code" }, e.account),
    t(`direction-${e.direction}`),
    formatAmount(e.amount, e.currency),
  ]);
  if (!rows.length) return null;
  return table(t("approval-would-post"), [t("col-account"), t("col-side"), t("col-amount")], rows, [2]);
}

/// One item: what was asked, by whom, when, until when, what it would post; and, for one the
/// caller may decide and did not ask for, a note and the Approve and Reject buttons.
function approvalCard(item, { names, groupName, mine }) {
  const op = item.operation || {};
  const currency = (item.would_post || [])[0]?.currency || op.currency || "";
  const facts = [];
  if (groupName) facts.push([t("col-group"), groupName]);
  if (op.member_id) facts.push([t("col-member"), names.get(op.member_id) || t("approval-unknown-member")]);
  if (op.amount !== undefined) facts.push([t("col-amount"), currency ? formatAmount(op.amount, currency) : op.amount]);
  if (op.kind === "exit" && op.status) facts.push([t("approval-exit-as"), t(`status-${op.status}`)]);
  const askedByMe = item.asked_by === mine;
  const someone = (name, id) => name || t("approval-someone", { id: String(id).slice(-6) });
  facts.push([t("approval-asked-by"), askedByMe ? t("approval-you") : someone(item.asked_by_username, item.asked_by)]);
  facts.push([t("approval-asked-at"), formatInstant(item.asked_at)]);
  if (item.status === "pending") facts.push([t("approval-expires-at"), formatInstant(item.expires_at)]);
  if (item.decided_by) facts.push([t("approval-decided-by"), item.decided_by === mine ? t("approval-you") : someone(item.decided_by_username, item.decided_by)]);
  if (item.decided_at) facts.push([t("approval-decided-at"), formatInstant(item.decided_at)]);
  if (item.note) facts.push([t("approval-note"), item.note]);
  const card = h(
    "li",
    { class: "approval", "data-id": item.id, "data-status": item.status, "data-kind": op.kind || "" },
    h("h3", {}, kindText(op.kind), " ", h("span", { class: "tag" }, t(`approval-status-${item.status}`))),
    h("dl", { class: "facts" }, facts.flatMap(([name, value]) => [h("dt", {}, name), h("dd", {}, value)])),
    op.kind === "policy" && op.policy ? h("ul", { class: "policy" }, policyLines(op.policy).map((line) => h("li", {}, line))) : null,
    wouldPostTable(item, names),
  );
  if (item.status !== "pending") return card;
  if (askedByMe) {
    card.append(h("p", { class: "state waiting-other" }, t("approval-waiting-other")));
    return card;
  }
  if (!mayDecide(item.group_id)) return card;
  const note = h("textarea", { name: "note", rows: 2, maxlength: 500 });
  const status = statusLine();
  let key = newKey();
  let deciding = false;
  const decide = async (verb) => {
    if (deciding) return;
    deciding = true;
    const text = note.value.trim();
    try {
      const decided = await post(
        `/v1/groups/${item.group_id}/approvals/${item.id}/${verb}`,
        text ? { note: text } : {},
        { key },
      );
      card.dataset.status = decided.status;
      card.querySelector(".tag").textContent = t(`approval-status-${decided.status}`);
      buttons.remove();
      noteField.remove();
      ok(status, t(verb === "approve" ? "approval-approved-done" : "approval-rejected-done"));
      window.dispatchEvent(new CustomEvent("msai:approvals"));
    } catch (error) {
      // A refusal is kept by its key: deciding again is a new request.
      if (error instanceof Problem) key = newKey();
      // The refusal in the reader's language, from its type (an overdraft that arose since
      // it was asked for, a closed period...); the item stays, to be decided again.
      showProblem(status, error, { "/note": note });
    } finally {
      deciding = false;
    }
  };
  const noteField = field(t("approval-note-optional"), note);
  const buttons = h(
    "div",
    { class: "actions" },
    h("button", { type: "button", class: "primary approve", onclick: () => decide("approve") }, t("approval-approve")),
    h("button", { type: "button", class: "reject", onclick: () => decide("reject") }, t("approval-reject")),
  );
  card.append(noteField, buttons, status);
  return card;
}

const STATUSES = ["pending", "approved", "rejected", "expired"];

/// A group's items, pending ones first shown, with its approval policy.
export async function approvalsScreen(groupId) {
  const show = drawer();
  show(t("loading"), loading());
  const group = await loadGroup(groupId);
  const [names, policy] = await Promise.all([
    memberNames([groupId]),
    get(`/v1/groups/${groupId}/approval-policy`).catch(() => null),
  ]);
  const mine = currentSession()?.user?.id;
  const filter = h(
    "select",
    { id: "approval-status", name: "status" },
    STATUSES.map((s) => h("option", { value: s }, t(`approval-status-${s}`))),
  );
  const list = h("ul", { id: "approvals", class: "list approvals" });
  const status = statusLine();
  const render = async () => {
    list.replaceChildren(loading());
    try {
      const items = await all(`/v1/groups/${groupId}/approvals?status=${filter.value}`);
      list.replaceChildren();
      for (const item of items) list.append(approvalCard(item, { names, mine }));
      if (!items.length) list.append(h("li", { class: "muted" }, t("approvals-none")));
    } catch (error) {
      list.replaceChildren();
      showProblem(status, error);
    }
  };
  filter.addEventListener("change", render);
  show(
    t("approvals-title", { group: group.name }),
    h("p", { class: "hint" }, t("approvals-intro")),
    h("h2", {}, t("approvals-items")),
    field(t("approvals-show"), filter),
    status,
    list,
    policy
      ? h(
          "section",
          { id: "approval-policy", "aria-labelledby": "policy-heading" },
          h("h2", { id: "policy-heading" }, t("policy-title")),
          h("ul", {}, policyLines(policy).map((line) => h("li", {}, line))),
          mayWrite(groupId) ? linkButton(`#/g/${groupId}/approval-policy`, t("policy-change")) : null,
        )
      : null,
  );
  await render();
}

/// The pending items the caller may decide, in every group she decides for.
export async function myApprovalsScreen() {
  const show = drawer();
  show(t("loading"), loading());
  const items = await all("/v1/approvals?status=pending");
  const groupIds = [...new Set(items.map((i) => i.group_id))];
  const names = await memberNames(groupIds);
  const groups = new Map();
  for (const id of groupIds) {
    try {
      groups.set(id, (await loadGroup(id)).name);
    } catch {
      groups.set(id, id);
    }
  }
  const mine = currentSession()?.user?.id;
  const list = h("ul", { id: "approvals", class: "list approvals" });
  for (const item of items) list.append(approvalCard(item, { names, mine, groupName: groups.get(item.group_id) }));
  if (!items.length) list.append(h("li", { class: "muted" }, t("approvals-none")));
  show(t("approvals-mine-title"), h("p", { class: "hint" }, t("approvals-intro")), list);
}

/// The group's approval policy, and a change of it: an administrator's applies at once, a
/// treasurer's waits for another person's approval.
export async function policyScreen(groupId) {
  const show = drawer();
  show(t("loading"), loading());
  const group = await loadGroup(groupId);
  const policy = await get(`/v1/groups/${groupId}/approval-policy`);
  const currency = group.currency;
  const limit = amountInput({ id: "policy-limit", name: "limit" });
  const set = policy.withdrawals_above?.[currency];
  limit.value = set === undefined ? "" : formatAmount(set, currency, false);
  const exits = h("input", { type: "checkbox", id: "policy-exits", name: "exits", checked: policy.exits });
  const hours = h("input", { type: "text", inputmode: "numeric", id: "policy-hours", name: "expires_after_hours", value: String(policy.expires_after_hours || "") });
  const status = statusLine();
  const key = newKey();
  const inputs = { [`/withdrawals_above/${currency}`]: limit, "/expires_after_hours": hours, "/exits": exits };
  const form = h(
    "form",
    { id: "policy-form", novalidate: true },
    field(t("policy-limit", { currency }), limit, t("policy-limit-hint")),
    h("label", { class: "check" }, exits, h("span", {}, t("policy-exits-label"))),
    field(t("policy-hours"), hours),
    h("button", { type: "submit", class: "primary" }, t("policy-save")),
    status,
  );
  let sentKey = key;
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const withdrawals = { ...(policy.withdrawals_above || {}) };
    delete withdrawals[currency];
    if (limit.value.trim() !== "") {
      const read = parseAmount(limit.value, currency);
      if (read.error) {
        setError(limit, t(`amount-${read.error}`));
        return;
      }
      setError(limit, "");
      withdrawals[currency] = read.value;
    }
    const typedHours = hours.value.trim();
    const body = {
      withdrawals_above: withdrawals,
      exits: exits.checked,
      expires_after_hours: typedHours === "" ? null : /^\d+$/.test(typedHours) ? Number(typedHours) : typedHours,
    };
    try {
      const answer = await write("PUT", `/v1/groups/${groupId}/approval-policy`, body, { key: sentKey });
      sentKey = newKey();
      if (waitsForApproval(answer)) {
        status.textContent = t("policy-waits");
        status.className = "status waiting";
      } else {
        ok(status, t("policy-applied"));
      }
    } catch (error) {
      if (error instanceof Problem) sentKey = newKey();
      showProblem(status, error, inputs);
    }
  });
  show(
    t("policy-screen-title", { group: group.name }),
    h("h2", {}, t("policy-now")),
    h("ul", { id: "policy-now" }, policyLines(policy).map((line) => h("li", {}, line))),
    mayWrite(groupId) ? h("p", { class: "hint" }, roles().admin ? t("policy-admin-applies") : t("policy-treasurer-waits")) : null,
    mayWrite(groupId) ? form : null,
  );
}

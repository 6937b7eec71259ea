// Building screens: elements are made with text nodes only (never HTML from strings), so
// whatever people typed is shown as text and never run.

import { t, has } from "./i18n.js";
import { Problem, Unreachable } from "./api.js";

/// An element: `h("p", { class: "x" }, "text", child)`. Attributes starting with `on` are
/// listeners; `null`/`false` attributes and children are skipped.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name === "value") {
      el.value = value;
    } else if (name === "checked") {
      el.checked = Boolean(value);
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/// Replaces the main area with a screen: its heading gets the focus, so a screen reader and a
/// keyboard start at the top of the new screen.
export function show(title, ...content) {
  const main = document.getElementById("main");
  main.replaceChildren();
  const heading = h("h1", { tabindex: "-1", id: "screen-title" }, title);
  append(main, [heading, ...content]);
  document.title = `${title} · msai-ledger`;
  heading.focus({ preventScroll: false });
}

let epoch = 0;

/// Called when another screen is asked for: screens begun before it draw nothing more.
export function nextScreen() {
  epoch += 1;
  return epoch;
}

export function isCurrent(screen) {
  return screen === epoch;
}

/// The `show` of a screen begun now: it draws only while no other screen has been asked for
/// since, so an answer that arrives late cannot draw an old screen over the one on view.
export function drawer() {
  const mine = epoch;
  return (...args) => {
    if (mine === epoch) show(...args);
  };
}

let fieldCount = 0;

/// A labelled input with room for its error.
export function field(label, input, hint) {
  fieldCount += 1;
  const id = input.id || `f${fieldCount}`;
  input.id = id;
  const errorId = `${id}-error`;
  const hintId = hint ? `${id}-hint` : null;
  input.setAttribute("aria-describedby", [hintId, errorId].filter(Boolean).join(" "));
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
    input,
    h("p", { class: "error", id: errorId, role: "alert", hidden: true }),
  );
}

export function setError(input, message) {
  const error = document.getElementById(`${input.id}-error`);
  if (!error) return;
  error.textContent = message || "";
  error.hidden = !message;
  if (message) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

/// An amount input: the phone shows a number pad, and the locale's decimal mark is accepted.
export function amountInput(attrs = {}) {
  return h("input", { type: "text", inputmode: "decimal", autocomplete: "off", ...attrs });
}

/// The message for a refusal, in the reader's language, from its problem type (never from the
/// service's English `detail`).
export function problemText(problem) {
  if (problem instanceof Unreachable) return t("problem-unreachable");
  const slug = problem?.slug || "unknown";
  return has(`problem-${slug}`) ? t(`problem-${slug}`) : t("problem-unknown", { status: problem?.status || 0 });
}

/// The message for one wrong field: its name on the form, then what is wrong in general terms.
export function fieldProblemText(error) {
  const kind = error.type ? String(error.type).split("/").pop() : null;
  if (kind && has(`problem-${kind}`)) return t(`problem-${kind}`);
  return t("field-invalid");
}

/// Shows a refusal on a form: each wrong field under its input (found by the JSON pointer in
/// `inputs`), and the whole refusal in the form's status line.
export function showProblem(status, problem, inputs = {}) {
  status.textContent = problemText(problem);
  status.className = "status bad";
  for (const input of Object.values(inputs)) setError(input, "");
  if (problem instanceof Problem) {
    let first = null;
    for (const error of problem.errors) {
      const input = inputs[error.pointer] || inputs[error.parameter];
      if (input) {
        setError(input, fieldProblemText(error));
        first = first || input;
      }
    }
    if (first) first.focus();
  }
}

export function ok(status, message) {
  status.textContent = message;
  status.className = "status good";
}

/// A status line read out by screen readers when it changes.
export function statusLine() {
  return h("p", { class: "status", role: "status", "aria-live": "polite" });
}

/// A table with a header row; `rows` are arrays of cells (text or elements); cells of columns
/// listed in `numeric` are right-aligned. A table of more than three columns is shown on a
/// phone as one block per row, each cell with its column's name (`data-label`).
export function table(caption, headers, rows, numeric = []) {
  const stack = headers.length > 3;
  return h(
    "div",
    { class: "table-wrap", role: "region", "aria-label": caption, tabindex: "0" },
    h(
      "table",
      { class: stack ? "stack" : null },
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, headers.map((name, i) => h("th", { scope: "col", class: numeric.includes(i) ? "n" : null }, name)))),
      h(
        "tbody",
        {},
        rows.map((row) =>
          h(
            "tr",
            {},
            row.map((cell, i) =>
              h("td", { class: numeric.includes(i) ? "n" : null, "data-label": stack ? headers[i] : null }, cell),
            ),
          ),
        ),
      ),
    ),
  );
}

/// Asks a yes/no question in a modal dialog; resolves to true on yes.
export function confirmDialog(question, yes, no) {
  return new Promise((resolve) => {
    const root = document.getElementById("dialog-root");
    const opener = document.activeElement;
    const dialog = h("dialog", { "aria-labelledby": "dialog-q" });
    const close = (answer) => {
      dialog.close();
      dialog.remove();
      if (opener && opener.focus) opener.focus();
      resolve(answer);
    };
    append(dialog, [
      h("p", { id: "dialog-q" }, question),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", class: "primary", onclick: () => close(true) }, yes),
        h("button", { type: "button", onclick: () => close(false) }, no),
      ),
    ]);
    dialog.addEventListener("cancel", (e) => {
      e.preventDefault();
      close(false);
    });
    root.append(dialog);
    dialog.showModal();
  });
}

/// A link styled as a button, to another screen.
export function linkButton(href, label, cls = "button") {
  return h("a", { href, class: cls }, label);
}

export function loading() {
  return h("p", { class: "muted" }, t("loading"));
}

/// A notice that the screen shows what the phone kept from its last connection.
export function staleNotice(reply) {
  return reply?.stale ? h("p", { class: "notice" }, t("offline-copy")) : null;
}

/// Lets a user download text as a file (CSV), without leaving the screen.
export function download(name, text, type = "text/csv") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h("a", { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

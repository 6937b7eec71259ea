// Messages in the reader's language, from Project Fluent catalogues (locales/*.ftl).
//
// The subset of Fluent read here: comments (#), messages `id = text` whose text may continue on
// indented lines, variables `{ $name }`, and select expressions on a variable whose variants are
// plural categories (one, few, other...) or exact numbers, with one default variant marked `*`:
//
//   members-count = { $count ->
//       [one] { $count } member
//      *[other] { $count } members
//   }
//
// A message missing from a catalogue falls back to English, then to its id.

export const LANGUAGES = ["en", "fil", "id", "ne"];
const STORED = "msai.lang";

const catalogues = new Map();
let current = "en";

/// The language to use: the one chosen before on this phone, else the first of the browser's
/// languages we have, else English.
export function preferredLanguage() {
  const stored = localStorage.getItem(STORED);
  if (LANGUAGES.includes(stored)) return stored;
  for (const tag of navigator.languages || [navigator.language || "en"]) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (base === "tl" || base === "fil") return "fil";
    if (base === "in" || base === "id") return "id";
    if (LANGUAGES.includes(base)) return base;
  }
  return "en";
}

export function language() {
  return current;
}

/// The BCP 47 tag used for numbers and dates.
export function locale() {
  return { en: "en", fil: "fil-PH", id: "id-ID", ne: "ne-NP" }[current] || "en";
}

export async function setLanguage(lang, remember) {
  if (!LANGUAGES.includes(lang)) lang = "en";
  await Promise.all([load("en"), load(lang)]);
  current = lang;
  if (remember) localStorage.setItem(STORED, lang);
  document.documentElement.lang = lang;
}

async function load(lang) {
  if (catalogues.has(lang)) return;
  const response = await fetch(`/app/locales/${lang}.ftl`);
  if (!response.ok) throw new Error(`catalogue ${lang}: ${response.status}`);
  catalogues.set(lang, parse(await response.text()));
}

/// Reads a catalogue into a map from message id to its parsed pattern.
export function parse(text) {
  const messages = new Map();
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  let id = null;
  let body = [];
  const finish = () => {
    if (id !== null) messages.set(id, pattern(body.join("\n").trim()));
    id = null;
    body = [];
  };
  for (const line of lines) {
    const start = /^([a-zA-Z][a-zA-Z0-9_-]*)\s*=\s?(.*)$/.exec(line);
    if (start) {
      finish();
      id = start[1];
      body.push(start[2]);
    } else if (/^\s*#/.test(line) || line.trim() === "") {
      if (line.trim() === "" && id !== null) body.push("");
      else if (!/^\s/.test(line)) finish();
    } else if (/^(\s|\})/.test(line) && id !== null) {
      body.push(line.trim());
    } else {
      finish();
    }
  }
  finish();
  return messages;
}

/// A pattern: a list of parts, each a string, a variable, or a select expression.
function pattern(source) {
  const parts = [];
  let i = 0;
  let text = "";
  while (i < source.length) {
    const c = source[i];
    if (c !== "{") {
      text += c;
      i += 1;
      continue;
    }
    const end = closing(source, i);
    const inner = source.slice(i + 1, end).trim();
    if (text) parts.push(text);
    text = "";
    parts.push(placeable(inner));
    i = end + 1;
  }
  if (text) parts.push(text);
  return parts;
}

function closing(source, open) {
  let depth = 0;
  for (let i = open; i < source.length; i += 1) {
    if (source[i] === "{") depth += 1;
    if (source[i] === "}") {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return source.length;
}

function placeable(inner) {
  const select = /^\$([a-zA-Z_][a-zA-Z0-9_-]*)\s*->([\s\S]*)$/.exec(inner);
  if (select) {
    const variants = [];
    let fallback = null;
    const re = /(\*?)\[([^\]]+)\]\s*/g;
    const marks = [];
    let m;
    while ((m = re.exec(select[2])) !== null) {
      marks.push({ star: m[1] === "*", key: m[2].trim(), from: m.index, body: re.lastIndex });
    }
    marks.forEach((mark, n) => {
      const end = n + 1 < marks.length ? marks[n + 1].from : select[2].length;
      const variant = { key: mark.key, value: pattern(select[2].slice(mark.body, end).trim()) };
      variants.push(variant);
      if (mark.star) fallback = variant;
    });
    return { select: select[1], variants, fallback: fallback || variants[variants.length - 1] };
  }
  const variable = /^\$([a-zA-Z_][a-zA-Z0-9_-]*)$/.exec(inner);
  if (variable) return { variable: variable[1] };
  const literal = /^"(.*)"$/.exec(inner);
  return literal ? literal[1] : inner;
}

function render(parts, args, lang) {
  let out = "";
  for (const part of parts) {
    if (typeof part === "string") out += part;
    else if (part.variable !== undefined) out += show(args[part.variable]);
    else if (part.select !== undefined) {
      const value = args[part.select];
      const exact = part.variants.find((v) => v.key === String(value));
      let chosen = exact;
      if (!chosen && typeof value === "number") {
        const category = new Intl.PluralRules(lang).select(value);
        chosen = part.variants.find((v) => v.key === category);
      }
      out += render((chosen || part.fallback).value, args, lang);
    }
  }
  return out;
}

function show(value) {
  if (value === undefined || value === null) return "";
  if (typeof value === "number") return new Intl.NumberFormat(locale()).format(value);
  return String(value);
}

/// The message `id` in the current language, with `args` put in.
export function t(id, args = {}) {
  for (const lang of [current, "en"]) {
    const parts = catalogues.get(lang)?.get(id);
    if (parts) return render(parts, args, lang);
  }
  return id;
}

/// Whether the catalogue of `lang` (English unless named) has `id` (to pick a specific message,
/// or a general one).
export function has(id, lang = "en") {
  return catalogues.get(lang)?.has(id) || false;
}

/// A date (`YYYY-MM-DD`) in the reader's format.
export function formatDate(iso) {
  if (!iso) return "";
  const [y, m, d] = String(iso).slice(0, 10).split("-").map(Number);
  if (!y || !m || !d) return String(iso);
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeZone: "UTC" }).format(
    new Date(Date.UTC(y, m - 1, d)),
  );
}

/// An instant in the reader's format and time zone.
export function formatInstant(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso || "");
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short" }).format(date);
}

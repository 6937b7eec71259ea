// Amounts, exactly: the API's decimal strings are read into integer minor units (BigInt), added
// and compared as integers, and shown in the reader's locale. No amount ever becomes a float.

import { locale } from "./i18n.js";

/// Decimals of the currencies the groups use; ISO 4217, 2 unless listed.
const SCALES = { JPY: 0, KRW: 0, VND: 0, IDR: 2, CLP: 0, ISK: 0, UGX: 0, KWD: 3, BHD: 3, OMR: 3, JOD: 3, TND: 3 };

export function scaleOf(currency) {
  return SCALES[currency] ?? 2;
}

/// "1234.5" -> 123450n at scale 2; null if not a plain decimal string.
export function toMinor(text, scale) {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(text).trim());
  if (!m) return null;
  const fraction = m[3] || "";
  if (fraction.length > scale) {
    if (/[^0]/.test(fraction.slice(scale))) return null;
  }
  const digits = m[2] + fraction.slice(0, scale).padEnd(scale, "0");
  const value = BigInt(digits);
  return m[1] ? -value : value;
}

/// 123450n at scale 2 -> "1234.50" (the API's canonical form).
export function fromMinor(minor, scale) {
  const negative = minor < 0n;
  let digits = (negative ? -minor : minor).toString().padStart(scale + 1, "0");
  const whole = scale ? digits.slice(0, -scale) : digits;
  const fraction = scale ? digits.slice(-scale) : "";
  return (negative ? "-" : "") + whole + (scale ? "." + fraction : "");
}

function separators() {
  const parts = new Intl.NumberFormat(locale()).formatToParts(12345.6);
  return {
    group: parts.find((p) => p.type === "group")?.value ?? ",",
    decimal: parts.find((p) => p.type === "decimal")?.value ?? ".",
  };
}

/// The locale's digits 0-9 (Nepali writes ०-९).
function digitsOf() {
  const f = new Intl.NumberFormat(locale(), { useGrouping: false });
  return Array.from({ length: 10 }, (_, d) => f.format(d));
}

/// A canonical amount string shown in the reader's locale, with its currency code.
/// `withCode` false leaves the code out (to fill an input).
export function formatAmount(text, currency, withCode = true) {
  const scale = scaleOf(currency);
  const minor = toMinor(text, scale);
  if (minor === null) return String(text ?? "");
  return formatMinor(minor, currency, withCode);
}

export function formatMinor(minor, currency, withCode = true) {
  const scale = scaleOf(currency);
  const canonical = fromMinor(minor, scale);
  const negative = canonical.startsWith("-");
  const [whole, fraction] = canonical.replace("-", "").split(".");
  const { decimal } = separators();
  const digits = digitsOf();
  const wholeText = new Intl.NumberFormat(locale()).format(BigInt(whole));
  const fractionText = fraction ? decimal + fraction.replace(/\d/g, (d) => digits[Number(d)]) : "";
  const sign = negative ? "−" : "";
  return `${sign}${wholeText}${fractionText}${currency && withCode ? " " + currency : ""}`;
}

/// What a person typed, read in her locale, as the API's canonical string; or an error code:
/// "empty", "format" (not a number), "decimals" (more decimals than the currency has),
/// "negative".
export function parseAmount(typed, currency) {
  const scale = scaleOf(currency);
  const digits = digitsOf();
  let text = String(typed ?? "").trim().replace(/\s|\u00a0|\u202f/g, "");
  digits.forEach((d, n) => {
    text = text.split(d).join(String(n));
  });
  if (text === "") return { error: "empty" };
  if (text.startsWith("-") || text.startsWith("−")) return { error: "negative" };
  const { group, decimal } = separators();
  let [whole, fraction, extra] = text.split(decimal);
  if (extra !== undefined) return { error: "format" };
  // Grouping marks are taken only where they stand before groups of three digits (two, then
  // three, in Nepali's lakh grouping), so that "12.50" typed where "." groups thousands is
  // refused rather than read as 1250.
  if (whole.includes(group)) {
    const groups = whole.split(group);
    const last = groups.pop();
    const first = groups.shift();
    if (!/^\d{1,3}$/.test(first) || !/^\d{3}$/.test(last) || !groups.every((g) => /^\d{2,3}$/.test(g))) {
      return { error: "format" };
    }
    whole = whole.split(group).join("");
  }
  if (whole === "") whole = "0";
  if (!/^\d+$/.test(whole) || (fraction !== undefined && !/^\d*$/.test(fraction))) {
    return { error: "format" };
  }
  fraction = fraction || "";
  if (fraction.length > scale) return { error: "decimals" };
  const minor = BigInt(whole + fraction.padEnd(scale, "0"));
  return { value: fromMinor(minor, scale), minor };
}

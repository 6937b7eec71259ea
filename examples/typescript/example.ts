// A small client of msai-ledger, typed from openapi.yaml: a member signs in, lists her groups
// and reads her balance and statement; her treasurer records a contribution with an
// Idempotency-Key (and retries it safely), then tries a withdrawal beyond her savings and gets
// the typed 422 the document promises.
//
//   npm run generate && npm run build
//   node dist/example.js BASE_URL MEMBER PASSWORD TREASURER PASSWORD
//
// or with MSAI_BASE_URL, MSAI_MEMBER_USERNAME, MSAI_MEMBER_PASSWORD, MSAI_TREASURER_USERNAME and
// MSAI_TREASURER_PASSWORD in the environment. Any unexpected answer ends it with exit status 1.

import { randomUUID } from "node:crypto";
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Problem = components["schemas"]["Problem"];

function setting(position: number, name: string): string {
  const value = process.argv[2 + position] ?? process.env[name];
  if (!value) {
    throw new Error(`give ${name} (argument ${position + 1} or environment variable)`);
  }
  return value;
}

const baseUrl = setting(0, "MSAI_BASE_URL").replace(/\/+$/, "");
const member = { username: setting(1, "MSAI_MEMBER_USERNAME"), password: setting(2, "MSAI_MEMBER_PASSWORD") };
const treasurer = {
  username: setting(3, "MSAI_TREASURER_USERNAME"),
  password: setting(4, "MSAI_TREASURER_PASSWORD"),
};

/** Fails with the problem the server sent, for any answer that is not the one expected. */
function fail(what: string, response: Response, problem: Problem | undefined): never {
  const detail = problem ? `${problem.type}: ${problem.detail}` : "no problem body";
  throw new Error(`${what}: HTTP ${response.status} (${detail})`);
}

/** Signs in and returns a client that sends the bearer token on every request. */
async function signIn(credentials: { username: string; password: string }): Promise<Client<paths>> {
  const anonymous = createClient<paths>({ baseUrl });
  const { data, error, response } = await anonymous.POST("/v1/auth/token", { body: credentials });
  if (!data) fail(`signing in as ${credentials.username}`, response, error);
  return createClient<paths>({
    baseUrl,
    headers: { Authorization: `${data.token_type} ${data.access_token}` },
  });
}

// --- As the member -----------------------------------------------------------------------
const asMember = await signIn(member);

const me = await asMember.GET("/v1/me");
if (!me.data) fail("reading /v1/me", me.response, me.error);
const grant = me.data.user.grants.find((g) => g.role === "member");
if (!grant?.group_id || !grant.member_id) {
  throw new Error(`${member.username} has no member grant`);
}
const groupId = grant.group_id;
const memberId = grant.member_id;

const groups = await asMember.GET("/v1/groups", { params: { query: { limit: 50 } } });
if (!groups.data) fail("listing my groups", groups.response, groups.error);
for (const group of groups.data.items) {
  console.log(`my group: ${group.name} (${group.currency}, ${group.status})`);
}

const memberPath = { group_id: groupId, member_id: memberId };
const statement = await asMember.GET("/v1/groups/{group_id}/members/{member_id}/statement", {
  params: { path: memberPath, query: { format: "json" } },
});
if (!statement.data) fail("reading my statement", statement.response, statement.error);
// The statement comes as JSON, CSV or HTML; `format: "json"` asked for JSON, and the check
// narrows the type to it.
if (typeof statement.data === "string") throw new Error("the statement did not come as JSON");
const mine = statement.data;
const savings = mine.accounts[0];
console.log(
  `${mine.member.name}: balance ${mine.current_balance}, available ${mine.available_balance}, ` +
    `${savings?.lines.length ?? 0} savings lines`,
);

// --- As the treasurer --------------------------------------------------------------------
const asTreasurer = await signIn(treasurer);

// One key per contribution, kept with it until the answer arrives: a retry with the same key
// is answered with the first outcome and posts nothing twice.
const key = randomUUID();
const contribution = {
  member_id: memberId,
  amount: "250.00",
  fund: "savings" as const,
  channel: "cash" as const,
  receipt_no: "EX-1",
};
const recorded = await asTreasurer.POST("/v1/groups/{group_id}/contributions", {
  params: { path: { group_id: groupId }, header: { "Idempotency-Key": key } },
  body: contribution,
});
if (!recorded.data) fail("recording a contribution", recorded.response, recorded.error);
const retried = await asTreasurer.POST("/v1/groups/{group_id}/contributions", {
  params: { path: { group_id: groupId }, header: { "Idempotency-Key": key } },
  body: contribution,
});
if (!retried.data) fail("retrying the contribution", retried.response, retried.error);
if (retried.data.id !== recorded.data.id || retried.response.headers.get("Idempotent-Replayed") !== "true") {
  throw new Error("the retry was not answered with the first contribution");
}
console.log(`recorded contribution ${recorded.data.id}: ${recorded.data.amount} ${recorded.data.currency}`);

// A withdrawal beyond the member's savings: refused with a typed 422 problem.
const after = await asMember.GET("/v1/groups/{group_id}/members/{member_id}/statement", {
  params: { path: memberPath, query: { format: "json" } },
});
if (!after.data) fail("reading my statement again", after.response, after.error);
if (typeof after.data === "string") throw new Error("the statement did not come as JSON");
// Amounts are decimal strings; whole units are enough here, with no floating point near money.
const wholeUnits = BigInt(after.data.available_balance.split(".")[0] ?? "0");
const tooMuch = `${wholeUnits + 1000n}`;
const refused = await asTreasurer.POST("/v1/groups/{group_id}/withdrawals", {
  params: { path: { group_id: groupId }, header: { "Idempotency-Key": randomUUID() } },
  body: { member_id: memberId, amount: tooMuch, from: "savings", channel: "cash" },
});
if (refused.data) {
  throw new Error(`a withdrawal of ${tooMuch} beyond the savings was accepted`);
}
if (refused.response.status !== 422 || refused.error?.type !== "/problems/overdraft") {
  fail("withdrawing beyond the savings", refused.response, refused.error);
}
const problem: Problem = refused.error;
console.log(`refused as expected: ${problem.status} ${problem.type} at ${problem.errors?.[0]?.pointer}: ${problem.detail}`);

#!/usr/bin/env python3
"""Recompute the msai-ledger audit log's hash chains, independently of the service's own
verification (GET /v1/audit-events/verify). Standard library only.

    MSAI_TOKEN=... python3 scripts/verify-audit.py http://127.0.0.1:8080 [--heads HEADS.json]
    python3 scripts/verify-audit.py --file EXPORT.json [--heads HEADS.json]

The first form reads every record through GET /v1/audit-events (MSAI_TOKEN is the bearer token
of an administrator or an auditor); the second reads an export kept earlier: a JSON array of
records as that route prints them, or a list of its pages, or one page.

--heads names chain heads kept earlier (the `heads` of a GET /v1/audit-events/verify answer,
or that whole answer): each chain must still hold that record, with that hash, so records removed
from a chain's end since are caught too.

Prints a JSON summary and exits 0 when every chain runs from record 1 without a gap, each record
names its predecessor's hash and its own hash is the hash of what it holds, and no record lies
outside the chains after they began; exits 1 at the first record found wrong.
docs/AUDIT-CHAIN.md describes the encoding.
"""

import hashlib
import json
import os
import sys
import urllib.parse
import urllib.request

GENESIS = "0" * 64


def get(base, path):
    request = urllib.request.Request(base.rstrip("/") + path)
    token = os.environ.get("MSAI_TOKEN")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def records_from_api(base):
    records, cursor = [], None
    while True:
        query = {"limit": "500"}
        if cursor:
            query["cursor"] = cursor
        page = get(base, "/v1/audit-events?" + urllib.parse.urlencode(query))
        records.extend(page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            return records


def records_from_file(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if isinstance(data, dict):
        data = [data]
    records = []
    for item in data:
        if isinstance(item, dict) and "items" in item:
            records.extend(item["items"])
        else:
            records.append(item)
    return records


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def micros(timestamp):
    """An RFC 3339 UTC time as the chain writes it: exactly six decimals and a Z."""
    text = timestamp.rstrip("Z")
    if text.endswith("+00:00"):
        text = text[: -len("+00:00")]
    whole, _, fraction = text.partition(".")
    return f"{whole}.{(fraction + '000000')[:6]}Z"


def record_hash(previous_hex, record):
    document = {
        "v": 1,
        "chain": record["chain"],
        "sequence": str(record["sequence"]),
        "id": record["id"],
        "occurred_at": micros(record["occurred_at"]),
        "user_id": record["user_id"],
        "username": record["username"],
        "group_id": record["group_id"],
        "method": record["method"],
        "route": record["route"],
        "path": record["path"],
        "status": record["status"],
        "idempotency_key": record["idempotency_key"],
        "request_id": record["request_id"],
        "created_ids": record["created_ids"],
        "client_addr": record["client_addr"],
    }
    digest = hashlib.sha256(bytes.fromhex(previous_hex) + canonical(document).encode("utf-8"))
    return digest.hexdigest()


def fail(summary, kind, chain, sequence, record_id, detail):
    summary["ok"] = False
    summary["failure"] = {
        "kind": kind,
        "chain": chain,
        "sequence": sequence,
        "record_id": record_id,
        "detail": detail,
    }
    print(json.dumps(summary))
    sys.exit(1)


def check(records, kept_heads):
    summary = {"ok": True, "records_checked": 0, "chains": 0, "records_before_chains": 0}
    chained = [r for r in records if r.get("chain") is not None]
    outside = [r for r in records if r.get("chain") is None]
    chains = {}
    for r in chained:
        chains.setdefault(r["chain"], []).append(r)
    summary["chains"] = len(chains)
    for chain in sorted(chains):
        previous, expected = GENESIS, 1
        for r in sorted(chains[chain], key=lambda r: r["sequence"]):
            if r["sequence"] != expected:
                fail(summary, "sequence_gap", chain, expected, None,
                     f"record {expected} of the chain is missing")
            if r["previous_hash"] != previous:
                fail(summary, "broken_link", chain, r["sequence"], r["id"],
                     "the record does not name the hash of the record before it")
            if record_hash(previous, r) != r["hash"]:
                fail(summary, "hash_mismatch", chain, r["sequence"], r["id"],
                     "the record's hash is not the hash of what it holds")
            previous, expected = r["hash"], expected + 1
            summary["records_checked"] += 1
    # Records written before the chains began have no place in one; a record without a place
    # dated after the first chained record was slipped in.
    began = min((micros(r["occurred_at"]) for r in chained), default=None)
    for r in sorted(outside, key=lambda r: micros(r["occurred_at"]), reverse=True):
        if began is not None and micros(r["occurred_at"]) >= began:
            fail(summary, "unchained_record", r["group_id"] or "service", None, r["id"],
                 "the record has no place in a chain, and was written after the chains began")
        summary["records_before_chains"] += 1
    for head in kept_heads:
        chain, sequence = head["chain"], head["sequence"]
        held = {r["sequence"]: r for r in chains.get(chain, [])}
        if sequence > 0 and (sequence not in held or held[sequence]["hash"] != head["hash"]):
            fail(summary, "head_mismatch", chain, sequence, None,
                 f"the chain no longer holds the kept head, record {sequence}")
    print(json.dumps(summary))


def main():
    args = sys.argv[1:]
    kept_heads = []
    if "--heads" in args:
        at = args.index("--heads")
        with open(args[at + 1], encoding="utf-8") as f:
            kept = json.load(f)
        kept_heads = kept["heads"] if isinstance(kept, dict) else kept
        del args[at : at + 2]
    if len(args) == 2 and args[0] == "--file":
        records = records_from_file(args[1])
    elif len(args) == 1:
        records = records_from_api(args[0])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    check(records, kept_heads)


if __name__ == "__main__":
    main()

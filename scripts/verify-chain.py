#!/usr/bin/env python3
"""Recompute a group's hash chain and balances from the msai-ledger API, independently of the
service's own verification. Standard library only.

    MSAI_TOKEN=... python3 scripts/verify-chain.py http://127.0.0.1:8080 GROUP_ID

MSAI_TOKEN is a bearer token of a user who may read the group (an auditor, say), as
`POST /v1/auth/token` returns it.

Prints a JSON summary and exits 0 when every transaction's hash, its link to the previous one,
the sequence numbering, the per-currency balance of its entries, the group's head and every
account's stored totals all agree with what is recomputed here; exits 1 at the first
disagreement. docs/HASH-CHAIN.md describes the encoding.
"""

import hashlib
import json
import os
import sys
import urllib.request
from collections import defaultdict

GENESIS = "0" * 64


def get(base, path):
    request = urllib.request.Request(base.rstrip("/") + path)
    token = os.environ.get("MSAI_TOKEN")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def minor_units(amount):
    # Responses print amounts at the currency's full scale, so dropping the point gives the
    # integer number of minor units ("500.00" -> 50000, "1500" JPY -> 1500).
    return int(amount.replace(".", ""))


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def transaction_hash(previous_hex, group_id, t):
    document = {
        "v": 1,
        "group_id": group_id,
        "sequence": str(t["sequence"]),
        "booked_on": t["booked_on"],
        "recorded_at": t["recorded_at"],
        "description": t["description"],
        "entries": [
            {
                "account_id": e["account_id"],
                "direction": e["direction"],
                "amount_minor": str(minor_units(e["amount"])),
                "currency": e["currency"],
            }
            for e in sorted(t["entries"], key=lambda e: e["line"])
        ],
        "metadata": t["metadata"],
        "reverses": t["reverses"],
    }
    if t.get("created_by"):
        # Version 2 also covers the user who recorded the transaction.
        document["v"] = 2
        document["created_by"] = t["created_by"]
    digest = hashlib.sha256(bytes.fromhex(previous_hex) + canonical(document).encode("utf-8"))
    return digest.hexdigest()


def fail(summary, reason):
    summary["ok"] = False
    summary["failure"] = reason
    print(json.dumps(summary))
    sys.exit(1)


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    base = sys.argv[1]
    group = get(base, f"/v1/groups/{sys.argv[2]}")
    # The id as the service writes it (the hash covers its canonical form).
    group_id = group["id"]
    summary = {"ok": True, "transactions_checked": 0, "head_sequence": group["head_sequence"]}
    previous = GENESIS
    expected_sequence = 1
    totals = defaultdict(lambda: [0, 0])
    cursor = None
    while True:
        path = f"/v1/groups/{group_id}/transactions?limit=500"
        if cursor:
            path += f"&cursor={cursor}"
        page = get(base, path)
        for t in page["items"]:
            if t["sequence"] != expected_sequence:
                fail(summary, f"expected sequence {expected_sequence}, found {t['sequence']}")
            if t["previous_hash"] != previous:
                fail(summary, f"sequence {t['sequence']} does not link to its predecessor")
            if transaction_hash(previous, group_id, t) != t["hash"]:
                fail(summary, f"sequence {t['sequence']}: hash does not match its content")
            net = defaultdict(int)
            for e in t["entries"]:
                amount = minor_units(e["amount"])
                side = 0 if e["direction"] == "debit" else 1
                totals[e["account_id"]][side] += amount
                net[e["currency"]] += amount if side == 0 else -amount
            if any(net.values()):
                fail(summary, f"sequence {t['sequence']}: entries do not balance per currency")
            previous = t["hash"]
            expected_sequence += 1
            summary["transactions_checked"] += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    if summary["transactions_checked"] != group["head_sequence"] or previous != group["head_hash"]:
        fail(summary, "the group's head does not match its last transaction")
    summary["head_hash"] = previous
    for account in get(base, f"/v1/groups/{group_id}/accounts")["items"]:
        debits, credits = totals[account["id"]]
        if (debits, credits) != (minor_units(account["debits"]), minor_units(account["credits"])):
            fail(summary, f"account {account['code']}: stored totals differ from its entries")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()

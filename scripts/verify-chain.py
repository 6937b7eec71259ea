#!/usr/bin/env python3
"""Recompute a group's hash chain and balances from the msai-ledger API, independently of the
service's own verification. Standard library only; checking kept receipts and checkpoints also
needs the `cryptography` package, for their Ed25519 signatures.

    MSAI_TOKEN=... python3 scripts/verify-chain.py http://127.0.0.1:8080 GROUP_ID
    MSAI_TOKEN=... python3 scripts/verify-chain.py http://127.0.0.1:8080 GROUP_ID --kept kept.json

MSAI_TOKEN is a bearer token of a user who may read the group (an auditor, say), as
`POST /v1/auth/token` returns it.

Prints a JSON summary and exits 0 when every transaction's hash, its link to the previous one,
the sequence numbering, the per-currency balance of its entries, the group's head and every
account's stored totals all agree with what is recomputed here; exits 1 at the first
disagreement. docs/HASH-CHAIN.md describes the encoding.

With --kept, FILE holds receipts and checkpoints kept earlier (a JSON array, one JSON object,
or one object per line): each signed document as the service answered it (with `payload`,
`signature` and `key_id`), or an answer that carries one as its `receipt`. Each signature is
checked against the keys the service publishes, and each document against the journal as it
is now: a receipt's sequence must still have its hash, a checkpoint's sequence its head hash
and its balances. A history rewritten after the document was kept is reported even when every
hash was recomputed. docs/RECEIPTS.md describes the documents.
"""

import argparse
import base64
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


def read_kept(path):
    """The signed documents in the file, each as (label, signed object)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        loaded = json.loads(text)
        items = loaded if isinstance(loaded, list) else [loaded]
    except json.JSONDecodeError:
        items = [json.loads(line) for line in text.splitlines() if line.strip()]
    kept = []
    for index, item in enumerate(items):
        signed = item.get("receipt", item) if isinstance(item, dict) else None
        if not isinstance(signed, dict) or not {"payload", "signature", "key_id"} <= signed.keys():
            raise SystemExit(f"kept item {index}: not a signed receipt or checkpoint")
        kept.append((f"kept item {index}", signed))
    return kept


def check_signatures(base, kept):
    """Each kept document's payload, once its signature verifies with the published key."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    keys = {k["key_id"]: k for k in get(base, "/.well-known/msai-ledger/keys")["items"]}
    documents = []
    for label, signed in kept:
        key = keys.get(signed["key_id"])
        if key is None:
            return None, f"{label}: key {signed['key_id']} is not published"
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key["public_key"]))
        try:
            public.verify(base64.b64decode(signed["signature"]), signed["payload"].encode("utf-8"))
        except InvalidSignature:
            return None, f"{label}: the signature does not verify with key {signed['key_id']}"
        document = json.loads(signed["payload"])
        if document.get("key_id") != signed["key_id"]:
            return None, f"{label}: the payload names another key"
        documents.append((label, document))
    return documents, None


def contradiction(label, document, hashes, snapshots, journal):
    """What the journal as recomputed says against a kept document, or None."""
    sequence = int(document["sequence"])
    kind = document["type"]
    if sequence not in hashes:
        return f"{label}: the journal no longer reaches sequence {sequence}"
    if kind == "msai-ledger/receipt/v1":
        if hashes[sequence] != document["hash"]:
            return (f"{label}: the receipt of {document['kind']} {document['event_id']} names "
                    f"hash {document['hash']} at sequence {sequence}; the journal has {hashes[sequence]}")
        event = journal[sequence]["metadata"].get("event_id") if sequence in journal else None
        if event is not None and event != document["event_id"]:
            return f"{label}: sequence {sequence} now records event {event}, not {document['event_id']}"
        return None
    if kind == "msai-ledger/checkpoint/v1":
        if hashes[sequence] != document["head_hash"]:
            return (f"{label}: the checkpoint names head hash {document['head_hash']} at sequence "
                    f"{sequence}; the journal has {hashes[sequence]}")
        totals = snapshots[sequence]
        listed = set()
        for account in document["accounts"]:
            listed.add(account["id"])
            kept_totals = (int(account["debits_minor"]), int(account["credits_minor"]))
            if tuple(totals.get(account["id"], (0, 0))) != kept_totals:
                return (f"{label}: account {account['code']} had debits and credits {kept_totals} at "
                        f"sequence {sequence}; the journal now gives {tuple(totals.get(account['id'], (0, 0)))}")
        for account_id, pair in totals.items():
            if account_id not in listed and any(pair):
                return f"{label}: account {account_id} has entries up to sequence {sequence} the checkpoint lacks"
        return None
    return f"{label}: unknown document type {kind}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base")
    parser.add_argument("group_id")
    parser.add_argument("--kept", metavar="FILE", help="kept receipts and checkpoints to check")
    args = parser.parse_args()
    base = args.base
    group = get(base, f"/v1/groups/{args.group_id}")
    # The id as the service writes it (the hash covers its canonical form).
    group_id = group["id"]
    summary = {"ok": True, "transactions_checked": 0, "head_sequence": group["head_sequence"]}
    documents = []
    if args.kept:
        documents, failure = check_signatures(base, read_kept(args.kept))
        if failure:
            fail(summary, failure)
        for label, document in documents:
            if document.get("group_id") != group_id:
                fail(summary, f"{label}: it is about group {document.get('group_id')}, not this one")
    # What the kept documents are checked against: the hash and the totals at their sequences.
    wanted = {int(d["sequence"]) for _, d in documents}
    hashes = {0: GENESIS}
    snapshots = {0: {}}
    journal = {}
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
            hashes[t["sequence"]] = previous
            if t["sequence"] in wanted:
                snapshots[t["sequence"]] = {a: tuple(pair) for a, pair in totals.items()}
                journal[t["sequence"]] = t
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
    for label, document in documents:
        found = contradiction(label, document, hashes, snapshots, journal)
        if found:
            fail(summary, found)
    if args.kept:
        summary["kept_checked"] = len(documents)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()

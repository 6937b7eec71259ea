"""schemathesis hooks for the API fuzzing test (tests/schemathesis.rs).

A client that follows the document never sends one Idempotency-Key with two different
requests: the service refuses that (422 /problems/idempotency-key-reused), as it should.
schemathesis draws header values independently of bodies, so it would send the same short key
("0", "a", ...) with many different bodies. Before each call, a well-formed key is replaced by
a fresh one; a malformed key (the negative cases about the header itself) is sent as drawn.
"""

import re
import uuid

import schemathesis

WELL_FORMED_KEY = re.compile(r"[\x20-\x7e]{1,255}")


@schemathesis.hook
def before_call(context, case, kwargs):
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() != "idempotency-key":
            continue
        value = headers[name]
        if isinstance(value, str) and WELL_FORMED_KEY.fullmatch(value):
            headers[name] = str(uuid.uuid4())

"""A small client of msai-ledger, generated from openapi.yaml by openapi-python-client.

A member signs in, lists her groups and reads her balance and statement; her treasurer records
a contribution with an Idempotency-Key (and retries it safely), then tries a withdrawal beyond
her savings and gets the typed 422 the document promises.

    openapi-python-client generate --path ../../openapi.yaml --config openapi-python-client.yaml
    PYTHONPATH=msai-ledger-client python example.py BASE_URL MEMBER PASSWORD TREASURER PASSWORD

or with MSAI_BASE_URL, MSAI_MEMBER_USERNAME, MSAI_MEMBER_PASSWORD, MSAI_TREASURER_USERNAME and
MSAI_TREASURER_PASSWORD in the environment. Any unexpected answer ends it with exit status 1.
"""

import os
import sys
import uuid
from decimal import Decimal

from msai_ledger_client import AuthenticatedClient, Client
from msai_ledger_client.api.access import get_me, sign_in
from msai_ledger_client.api.contributions import record_contribution
from msai_ledger_client.api.groups import list_groups
from msai_ledger_client.api.members import get_member_statement
from msai_ledger_client.api.withdrawals import record_withdrawal
from msai_ledger_client.models import (
    Contribution,
    CreateContribution,
    CreateWithdrawal,
    GroupList,
    Me,
    MemberStatement,
    RecordWithdrawalResponse422,
    SignIn,
    Token,
)


def setting(position: int, name: str) -> str:
    args = sys.argv[1:]
    value = args[position] if position < len(args) else os.environ.get(name)
    if not value:
        sys.exit(f"give {name} (argument {position + 1} or environment variable)")
    return value


base_url = setting(0, "MSAI_BASE_URL").rstrip("/")
member = SignIn(setting(1, "MSAI_MEMBER_USERNAME"), setting(2, "MSAI_MEMBER_PASSWORD"))
treasurer = SignIn(setting(3, "MSAI_TREASURER_USERNAME"), setting(4, "MSAI_TREASURER_PASSWORD"))


def expect(what: str, response, wanted: type):
    """The parsed body when it is of the type wanted; otherwise stops with what came."""
    if not isinstance(response.parsed, wanted):
        sys.exit(f"{what}: HTTP {response.status_code}: {response.content.decode(errors='replace')}")
    return response.parsed


def signed_in(credentials: SignIn) -> AuthenticatedClient:
    anonymous = Client(base_url=base_url, raise_on_unexpected_status=True)
    token = expect(f"signing in as {credentials.username}",
                   sign_in.sync_detailed(client=anonymous, body=credentials), Token)
    return AuthenticatedClient(base_url=base_url, token=token.access_token,
                               raise_on_unexpected_status=True)


# --- As the member -----------------------------------------------------------------------
as_member = signed_in(member)
me = expect("reading /v1/me", get_me.sync_detailed(client=as_member), Me)
grant = next((g for g in me.user.grants if g.role == "member"), None)
if grant is None or grant.group_id is None or grant.member_id is None:
    sys.exit(f"{member.username} has no member grant")
group_id, member_id = grant.group_id, grant.member_id

groups = expect("listing my groups", list_groups.sync_detailed(client=as_member, limit=50), GroupList)
for group in groups.items:
    print(f"my group: {group.name} ({group.currency}, {group.status})")

statement = expect(
    "reading my statement",
    get_member_statement.sync_detailed(group_id, member_id, client=as_member,
                                       format_="json"),
    MemberStatement,
)
savings = statement.accounts[0]
print(f"{statement.member.name}: balance {statement.current_balance}, "
      f"available {statement.available_balance}, {len(savings.lines)} savings lines")

# --- As the treasurer --------------------------------------------------------------------
as_treasurer = signed_in(treasurer)

# One key per contribution, kept with it until the answer arrives: a retry with the same key
# is answered with the first outcome and posts nothing twice.
key = str(uuid.uuid4())
contribution = CreateContribution(member_id=member_id, amount="250.00", fund="savings",
                                  channel="cash", receipt_no="EX-1")
recorded = expect(
    "recording a contribution",
    record_contribution.sync_detailed(group_id, client=as_treasurer, body=contribution,
                                      idempotency_key=key),
    Contribution,
)
retry = record_contribution.sync_detailed(group_id, client=as_treasurer, body=contribution,
                                          idempotency_key=key)
retried = expect("retrying the contribution", retry, Contribution)
if retried.id != recorded.id or retry.headers.get("Idempotent-Replayed") != "true":
    sys.exit("the retry was not answered with the first contribution")
print(f"recorded contribution {recorded.id}: {recorded.amount} {recorded.currency}")

# A withdrawal beyond the member's savings: refused with a typed 422 problem.
after = expect(
    "reading my statement again",
    get_member_statement.sync_detailed(group_id, member_id, client=as_member,
                                       format_="json"),
    MemberStatement,
)
too_much = Decimal(after.available_balance) + 1000
refused = record_withdrawal.sync_detailed(
    group_id,
    client=as_treasurer,
    body=CreateWithdrawal(member_id=member_id, amount=str(too_much),
                          from_="savings", channel="cash"),
    idempotency_key=str(uuid.uuid4()),
)
problem = expect("withdrawing beyond the savings", refused, RecordWithdrawalResponse422)
if problem.type_ != "/problems/overdraft":
    sys.exit(f"refused, but not as an overdraft: {problem.type_}")
pointer = problem.errors[0].pointer if problem.errors else None
print(f"refused as expected: {problem.status} {problem.type_} at {pointer}: {problem.detail}")

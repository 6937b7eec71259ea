# msai-ledger web app: English messages (the reference catalogue).
# Every other catalogue must have every message this one has (a test checks it).
# Variables are written { $name }; plurals use a select on the number:
#   { $count -> [one] ... *[other] ... }

## Frame
language = Language
skip-to-content = Skip to content
nav-label = Menu
loading = Loading…
offline = Offline: your work is kept on this phone
offline-copy = No connection: this is what the phone kept from the last time it was online.
signed-in-as = Signed in as { $name }
nav-home = Home
nav-network = Network reports
nav-new-group = New group
nav-new-user = New user
nav-outbox = { $count ->
    [0] Outbox
   *[other] Outbox ({ $count })
}
nav-signout = Sign out
error-title = Something went wrong
not-found-title = Page not found
not-found-text = There is nothing at this address.
yes = Yes
no = No
cancel = Cancel

## Signing in and out
signin-title = Sign in
signin-intro = Sign in with the username and password your group gave you.
signin-username = Username
signin-password = Password
signin-submit = Sign in
signing-in = Signing in…
signin-outbox-waiting = { $count ->
    [one] One saved item is waiting on this phone. Sign in to send it.
   *[other] { $count } saved items are waiting on this phone. Sign in to send them.
}
signout-unsent = { $count ->
    [one] One item has not been sent yet. It stays on this phone and is sent when you sign in again. Sign out now?
   *[other] { $count } items have not been sent yet. They stay on this phone and are sent when you sign in again. Sign out now?
}
signout-anyway = Sign out

## Group home
action-meeting = Record a meeting
action-members = Members
action-withdraw = Withdrawal
action-remit = Remittance
action-investments = Investments
action-distribute = Share out profits
action-trial-balance = Trial balance
home-cash = Money on hand
home-no-cash = No cash or bank accounts yet.
home-members = Members
home-members-count = { $count ->
    [one] One active member
   *[other] { $count } active members
}
home-last-meeting = Last meeting
home-last-meeting-on = { $date }: { $count ->
    [one] one payment
   *[other] { $count } payments
}
home-no-meeting = No meeting recorded yet.
home-waiting = Waiting to be sent
home-waiting-count = { $count ->
    [one] One item in the outbox
   *[other] { $count } items in the outbox
}
home-nothing-waiting = Nothing is waiting.

## Members
members-title = Members of { $group }
members-add = Add a member
members-search = Search by name or number
members-none = No member matches.
member-name = Full name
member-sex = Sex
member-home-country = Home country
member-host-country = Country where she or he works
member-contact = Phone or other contact (optional)
member-added = { $name } is member number { $number }.
member-number = Member number { $number }
member-balances = Balances
country-hint = Two letters, for example PH, ID, NP or HK.
currency-hint = Three letters, for example HKD.
sex-female = Female
sex-male = Male
sex-other = Other
sex-undisclosed = Prefers not to say
status-active = Active
status-returned_home = Returned home
status-exited = Left the group
fund-savings = Savings
fund-capital = Capital
fund-payable = Owed to the member
fund-other = Other

## Passbook
passbook-title = Passbook
passbook-of = Passbook of { $name }
passbook-account = { $account }: every movement with the balance after it
passbook-empty = No movement yet.
passbook-print = Print or save as PDF
col-date = Date
col-what = What
col-in = In
col-out = Out
col-balance = Balance
col-account = Account
col-amount = Amount
col-member = Member
col-channel = How
col-sent = Sent
col-received = Received
col-cost = Cost
col-debits = Debits
col-credits = Credits
col-currency = Currency

## Meeting sheet
sheet-title = Meeting of { $group }
sheet-intro = Type what each member pays, in { $currency }. Everything is kept on this phone as you type, even with no connection.
sheet-correcting = You are correcting a meeting that was refused. Saving sends it again.
sheet-date = Date of the meeting
sheet-present = Present
sheet-savings = Savings
sheet-capital = Capital
sheet-social = Social fund
sheet-present-of = { $name } is present
sheet-savings-of = Savings paid by { $name }
sheet-capital-of = Capital paid by { $name }
sheet-social-of = Social fund paid by { $name }
sheet-no-members = The group has no active member yet.
sheet-totals = Totals
sheet-total = All payments
sheet-present-count = { $count ->
    [one] one present
   *[other] { $count } present
}
sheet-cash-counted = Cash counted ({ $currency })
sheet-cash-matches = The cash counted matches the payments.
sheet-cash-over = There is { $amount } more cash than the payments.
sheet-cash-short = There is { $amount } less cash than the payments.
sheet-save = Save the meeting
sheet-confirm = Save the meeting of { $date }: { $count ->
    [one] one payment
   *[other] { $count } payments
}, { $total } in all? It is sent as soon as there is a connection.
sheet-fix-cells = Some amounts cannot be read: correct the marked ones.
sheet-empty = Nothing to save: mark who is present or type a payment.

## Amounts typed
amount-empty = Type an amount.
amount-format = This is not an amount. Use digits and the decimal mark of your language.
amount-decimals = Too many digits after the decimal mark for this currency.
amount-negative = An amount cannot be negative.
amount-zero = The amount must be more than zero.
field-required = This is needed.
field-invalid = This is not accepted; check it.

## Outbox
outbox-title = Outbox
outbox-intro = What you saved on this phone. Each item is sent once, as soon as there is a connection.
outbox-send-now = Send now
outbox-empty = Nothing saved yet.
outbox-meeting = Meeting of { $group } on { $date }: { $total } ({ $count ->
    [one] one payment
   *[other] { $count } payments
})
outbox-withdrawal = Withdrawal of { $amount } by { $name }
outbox-saved-at = Saved { $at }
outbox-waiting = Waiting to be sent.
outbox-waiting-offline = Waiting for a connection.
outbox-sent = Sent { $at }.
outbox-receipt = Receipt { $receipt }
outbox-refused = Refused:
outbox-correct = Correct and send again
outbox-remove = Remove
outbox-remove-confirm = Remove this item? It will not be sent.

## Withdrawals
withdraw-title = Withdrawal
withdraw-amount = Amount ({ $currency })
withdraw-next = Check
withdraw-confirm = { $name } takes out { $amount } from her or his savings.
withdraw-balance-after = Savings after: { $amount }
withdraw-balance-after-kept = Savings after (as last seen online): { $amount }
withdraw-balance-unknown = The balance is not known on this phone; the ledger checks it when the withdrawal is sent.
withdraw-may-be-refused = This is more than the savings last seen: the ledger may refuse it.
withdraw-save = Save the withdrawal
withdraw-correcting = You are correcting a withdrawal that was refused.
choose-member = Choose a member
channel-cash = Cash
channel-bank = Bank
channel-mobile_wallet = Mobile wallet
channel-remittance = Remittance
channel-money_transfer_operator = Money transfer company
channel-post = Post office

## Remittances
remit-title = Remittance
remit-send = Amount sent ({ $currency })
remit-fee = Fee ({ $currency })
remit-receive-currency = Currency received
remit-receive = Amount received
remit-mid = Market rate (optional)
remit-mid-hint = How much of the received currency one unit sent buys at the market rate today.
remit-provider = Company or bank used
remit-purpose = What the money is for
remit-cost = Cost: { $percent } % of the amount sent, { $amount } { $home }
remit-save = Save the remittance
remit-saved = Saved. It cost { $percent } % ({ $amount }).
purpose-family_support = Family support
purpose-education = Education
purpose-health = Health
purpose-group_savings = Group savings
purpose-investment = Investment
purpose-debt = Paying a debt
purpose-other = Other

## Investments
investments-title = Investments
investments-none = No investment yet.
investment-new = New investment
investment-name = Name
investment-kind = Kind
investment-sector = Sector (for example farming, shop)
investment-currency = Currency
investment-committed = Amount promised (optional)
investment-women-led = Led by women
investment-save = Save the investment
investment-book-value = Value
investment-income = Income received
investment-status = Status
investment-status-active = Active
investment-status-exited = Ended
investment-status-written_off = Written off
kind-cooperative = Cooperative
kind-enterprise = Enterprise
kind-livelihood = Livelihood
kind-land = Land
kind-deposit = Deposit
kind-other = Other
movement-title = Money into or out of an investment
movement-what = What happened
movement-disbursement = Money put into it
movement-income = Income received from it
movement-capital_returned = Capital returned from it
movement-save = Save
movement-not-enough = The group's account does not hold that much.

## Sharing out
distribute-title = Share out profits
distribute-pool = Amount to share out ({ $currency })
distribute-basis = Shared by
distribute-pay-to = Paid into
distribute-preview = Show each share
distribute-shares = Each member's share
distribute-total = Total: { $amount }
distribute-confirm = Share out now
distribute-sure = Share out { $amount } as shown? This is written in the ledger.
distribute-done = Shared out.
basis-savings = Savings
basis-capital = Capital
basis-equal = Equal shares
pay-to-savings = Members' savings
pay-to-capital = Members' capital
pay-to-payable = Owed, paid later

## Member's own screens
me-title = My groups
me-no-groups = You are not a member of any group yet.
me-balances = My money
me-remittances = My remittances
me-no-remittances = No remittance yet.
me-receipts = My receipts
me-no-receipts = No receipt yet.
me-receipts-note = Each receipt is signed by the service. Anyone can check it, without the app, with the key published at /.well-known/msai-ledger/keys.
receipt-number = No.
receipt-contribution = Contribution
receipt-withdrawal = Withdrawal
receipt-remittance = Remittance
receipt-of = { $what } of { $date } (No. { $number })
receipt-signed-text = Signed text:
receipt-signature = Signature (Ed25519, key { $key }):
me-investments = The group's investments and my share
me-my-share = My share
me-ledger = The group's ledger
me-ledger-ok = The ledger checks out: { $count ->
    [one] one transaction
   *[other] { $count } transactions
} verified, none changed.
me-ledger-broken = The ledger does not check out. Tell the group's auditor.
me-ledger-unknown = The ledger could not be checked now.

## Oversight
groups-title = Groups
groups-none = No group yet.
tb-title = Trial balance of { $group }
tb-totals = Totals per currency
tb-balanced = Balanced
download-csv = Download CSV
network-title = Network reports
network-choose = Report
report-savings = Savings
report-portfolio = Investments
report-remittance-corridors = Remittance corridors
report-indicators = Indicators
report-reintegration = Return home
report-empty = The report is empty.
report-savings-trend = Savings month by month
nav-dashboard = Dashboard
dashboard-title = Network dashboard
dashboard-group-title = Dashboard of { $group }
dashboard-filters = Filters
dashboard-host = Host country
dashboard-home = Home country
dashboard-group = Group
dashboard-any = Any
dashboard-from = From
dashboard-to = To
dashboard-apply = Show
dashboard-table = The figures behind the chart
dashboard-suppressed = suppressed
dashboard-print = Print
chart-savings-title = Savings at the end of each month, by sex
chart-portfolio-title = Investments
chart-corridors-title = Median cost of sending money home (% of the amount sent)
chart-committed = Committed
chart-disbursed = Disbursed
chart-book-value = Book value
chart-target-3 = SDG target 3 %
chart-line-5 = 5 % line
chart-empty = Nothing to show for these filters
summary-savings = Latest month, { $month }: { $figures }. { $suppressed } of { $cells } figures are suppressed because they describe fewer than { $min } people.
summary-portfolio = { $kinds } lines in { $currency }; the largest book value is { $kind } ({ $value }).
summary-corridors = { $above } of { $total } corridor months cost more than the 3 % target, and { $over } more than 5 %.
summary-empty = Nothing to show for these filters.
col-month = Month
col-sex = Sex
col-members = Members
col-joined = Joined
col-left = Left
col-deposits = Deposits
col-withdrawals = Withdrawals
col-savings = Savings
col-kind = Kind
col-corridor = Corridor
col-count = Remittances
col-median-cost = Median cost %
col-cost-spread = Middle half of costs %
col-provider-type = Provider type
dashboard-corridors-by = Remittance costs
corridors-by-all = all providers together
corridors-by-channel = by provider type
col-average-cost = Average cost %
portfolio-by-kind = by kind
portfolio-by-sector = by sector
portfolio-by-country = by country
portfolio-by-status = by status
portfolio-by-women_led = by whether women lead them
women-led-true = Led by women
women-led-false = Not led by women
women-led-unknown = Not recorded
dashboard-portfolio-by = Investments broken down
col-line = Line
col-income = Income
col-roi = Return %
report-returned-home = Returned home
chart-returned-title = Members who returned home: paid out and still invested
chart-paid-out = Paid out
chart-capital-held = Still invested
col-home-country = Home country
col-savings-at-return = Savings on return
summary-returned = { $shown } of { $cells } groups of returned members are shown; the others are suppressed because they describe fewer than { $min } people. Paid out in { $currency }: { $paid }; still invested: { $held }.

## Setting up
group-name = Name of the group
group-host-country = Country where the members work
group-home-country = Home country
group-currency = Currency of the group
group-create = Create the group
group-created = Group { $name } created.
user-role = Role
user-group = Group
user-create = Create the user
user-created = User { $name } created.
username-hint = 3 to 64 letters, digits, dots, dashes or @.
password-hint = At least 12 characters.
role-admin = Administrator
role-auditor = Auditor
role-treasurer = Treasurer
role-chair = Chair
role-member = Member

## Refusals, from the problem type the service answers
problem-unreachable = No connection to the service. Your work is kept on this phone.
problem-unknown = The service refused this (error { $status }).
problem-invalid-field = Some fields are not right.
problem-malformed-json = The request could not be read.
problem-overdraft = Not enough savings: this is more than the member has.
problem-unauthorized = Please sign in again.
problem-invalid-credentials = Wrong username or password.
problem-too-many-attempts = Too many wrong tries. Wait a few minutes and try again.
problem-forbidden = You are not allowed to do this.
problem-not-found = Not found.
problem-closed-period = This date is in a period already closed. Use a later date.
problem-member-not-active = This member is not active.
problem-member-exited = This member has left the group.
problem-unknown-member = This member is not in the group.
problem-duplicate-username = This username is taken. Choose another.
problem-idempotency-key-reused = This was already sent with different figures.
problem-request-in-flight = This is being sent already. Wait a moment.
problem-group-closed = The group is closed.
problem-remittance-not-in-transit = This remittance is not on its way: it arrived, or was already completed or failed.
problem-remittance-settled = This remittance has arrived or failed already: it cannot be undone. Record a correction instead.
problem-currency-mismatch = The currencies do not match.
problem-pool-exceeds-available = There is not that much to share out.
problem-no-recipients = No member can receive a share.
problem-uses-mismatch = The uses must add up to the amount received.
problem-non-positive-amount = The amount must be more than zero.
problem-amount-overflow = The amount is too large.
problem-unavailable = The service is busy. It is tried again later.
problem-request-timeout = The service took too long. It is tried again later.
problem-csrf = Refused for your safety: reload the page and try again.
problem-investment-closed = This investment is closed.
problem-unknown-investment = This investment is not in the group.
problem-last-admin = The last administrator cannot be removed.
problem-cannot-disable-self = You cannot disable yourself.
problem-body-too-large = This is too large to send.
problem-internal = The service failed. It is tried again later.
problem-account-kind = This account cannot be used for this.
problem-already-reversed = This was already corrected.
problem-body-timeout = The connection was too slow. It is tried again later.
problem-duplicate-account-code = An account with this code already exists.
problem-entry-count = A transaction needs at least two lines, and not too many.
problem-headers-too-large = The request is too large.
problem-idempotency-key-required = The request needs its key. Reload the page and try again.
problem-invalid-idempotency-key = The request's key is not valid. Reload the page and try again.
problem-invalid-parameter = Something in the address is not right.
problem-items-refused = Some items were refused; nothing was saved.
problem-malformed-csv = The sheet could not be read.
problem-method-not-allowed = This cannot be done here.
problem-period-already-closed = This period is already closed.
problem-reversal-of-reversal = A correction cannot itself be corrected.
problem-status-transition = This change of status is not allowed.
problem-too-many-connections = The service is busy. It is tried again later.
problem-unbalanced = The debits and credits do not balance.
problem-unknown-account = This account is not in the group.
problem-unsupported-media-type = The request could not be read.

## Approvals (a second person for money going out)
nav-approvals = Approvals
action-approvals = Approvals
home-approvals-count = { $count ->
    [one] One item waits for approval
   *[other] { $count } items wait for approval
}
home-approvals-many = More than { $count } items wait for approval
home-approvals-none = Nothing waits for approval.
home-approvals-unknown = What waits for approval cannot be seen now.
approval-waiting = Waiting for approval by another person: not done yet.
approval-see-list = See what waits for approval
approval-now-approved = Approved: it is done.
approval-now-rejected = Rejected: it was not done.
approval-now-expired = Expired without a decision: it was not done.
approval-kind-withdrawal = Withdrawal
approval-kind-exit = Member leaving the group
approval-kind-policy = Change of the approval rules
approval-kind-disbursement = Money put into an investment
approval-kind-distribution = Sharing out profits
approval-kind-reversal = Correction
approval-kind-period_close = Closing a period
approval-status-pending = Waiting
approval-status-approved = Approved
approval-status-rejected = Rejected
approval-status-expired = Expired
approval-unknown-member = A member not in the list
approval-exit-as = Leaves as
approval-asked-by = Asked by
approval-you = You
approval-someone = Another person (user { $id })
approval-asked-at = Asked
approval-expires-at = Expires
approval-decided-by = Decided by
approval-decided-at = Decided
approval-note = Note
approval-note-optional = Note (optional)
approval-would-post = What it would write in the ledger
approval-waiting-other = Waiting for another person: you asked for this, so someone else decides.
approval-approve = Approve
approval-reject = Reject
approval-approved-done = Approved. It is written in the ledger.
approval-rejected-done = Rejected. Nothing is written.
approvals-title = Approvals of { $group }
approvals-mine-title = Waiting for your decision
approvals-intro = Money going out can need a second person. Check each item against the cash box before you approve it.
approvals-items = Items
approvals-show = Show
approvals-none = Nothing here.
col-group = Group
col-side = Side
col-status = Status
direction-debit = Debit
direction-credit = Credit
policy-title = What needs a second person
policy-withdrawals-above = Withdrawals of more than { $amount }
policy-no-withdrawal-waits = No withdrawal waits, whatever its amount.
policy-exits-on = Every member leaving the group
policy-exits-off = A member leaving the group does not wait.
policy-disbursements-on = Every payment into an investment
policy-disbursements-off = Payments into investments do not wait.
policy-distributions-on = Every sharing out of profits
policy-distributions-off = Sharing out profits does not wait.
policy-reversals-on = Every correction
policy-reversals-off = Corrections do not wait.
policy-period_closes-on = Every closing of a period
policy-period_closes-off = Closing a period does not wait.
policy-expires = An item not decided within { $hours } hours expires.
policy-change = Change these rules
policy-screen-title = Approval rules of { $group }
policy-now = The rules now
policy-limit = Withdrawals above this amount wait ({ $currency })
policy-limit-hint = Leave it empty for no limit; 0 makes every withdrawal wait.
policy-exits-label = Every member leaving the group waits for approval
policy-hours = Hours before an item expires
policy-save = Save the rules
policy-waits = Your change waits for another person's approval.
policy-applied = The new rules apply now.
policy-admin-applies = You are an administrator: your change applies at once.
policy-treasurer-waits = Your change applies only once another person approves it.

## Remittances on their way
remit-status-arrived = Arrived
remit-status-in_transit = On its way
remit-status-completed = Arrived (confirmed)
remit-status-failed = Failed or returned
remit-in-transit-label = Not arrived yet: record it as on its way
remit-saved-in-transit = Saved as on its way. Record its arrival when the family confirms it.
remit-in-transit-title = Remittances on their way
remit-in-transit-none = No remittance is on its way.
remit-sent-on = Sent on { $date }, { $days ->
    [one] one day ago
   *[other] { $days } days ago
}
remit-arrived-amount = Amount received ({ $currency })
remit-arrived-save = It arrived
remit-failed-kept = Kept by the company ({ $currency }, optional)
remit-failed-save = It failed or came back
remit-arrived-done = Arrival recorded.
remit-failed-done = Recorded as failed: the money is back in the member's savings.
member-remittances = Remittances

## Group performance
action-performance = Performance
action-accreditation = Accreditation statement
perf-title = Performance of { $group }
perf-from = From
perf-from-hint = Empty: from the group's first day.
perf-to = To
perf-to-hint = Empty: to today.
perf-period = { $from } to { $to } ({ $days ->
    [one] one day
   *[other] { $days } days
})
perf-not-available = Not available
perf-ind-members = Members
perf-ind-members_at_start = Members at the start
perf-ind-women_percent = Women among the members
perf-ind-meetings = Meetings
perf-ind-attendance_percent = Attendance
perf-ind-savings = Members' savings
perf-ind-savings_per_member = Savings per member
perf-ind-net_income = Net income
perf-ind-return_on_savings_percent = Yearly return on savings
perf-ind-return_on_assets_percent = Yearly return on assets
perf-ind-members_left = Members who left
perf-ind-dropout_percent = Dropout rate
perf-ind-portfolio_written_down_percent = Investments written down
perf-ind-social_fund = Social fund
perf-ind-savings_mobilised = Savings mobilised
perf-none-here = None here:
perf-def-members = Members at the end of the period: those who had joined by its last day and had not gone home or exited by then.
perf-def-members_at_start = Members on the day before the period began, counted the same way.
perf-def-women_percent = Share of women among the members at the end of the period: women ÷ members × 100.
perf-def-meetings = Meetings held in the period.
perf-def-attendance_percent = How many members came to the period's meetings: attendances recorded ÷ (for each meeting, the members the group had that day) × 100.
perf-def-savings = Members' savings at the end of the period, in { $currency }: the balances of every member's savings account.
perf-def-savings_per_member = Savings per member at the end of the period, in { $currency }: members' savings ÷ members, to the cent.
perf-def-net_income = What the group earned in the period, in { $currency }: income less expenses booked in it (investment income, FX gains, less fees, FX losses and write-downs); amounts in other currencies are not converted or counted.
perf-def-return_on_savings_percent = Yearly return on members' savings: net income ÷ average savings (the average of the savings on the day before the period and on its last day) × 365 ÷ the period's days × 100.
perf-def-return_on_assets_percent = Yearly return on the group's assets: net income ÷ average assets in the group's currency (the average of the day before the period and its last day) × 365 ÷ the period's days × 100.
perf-def-members_left = Members who went home or exited during the period.
perf-def-dropout_percent = Dropout rate: members who went home or exited during the period ÷ members on the day before it began × 100.
perf-def-portfolio_written_down_percent = Share of the investments written down: write-downs booked in the period ÷ all amounts disbursed to investments in { $currency } up to its end × 100.
perf-def-social_fund = The social (welfare) fund at the end of the period, in { $currency }: money kept for members in need, never shared out.
perf-def-savings_mobilised = Savings mobilised in the period, in { $currency }: everything paid into members' savings accounts (contributions, remittances for the group, shares paid into savings).
accr-title = Accreditation statement of { $group }
accr-on = Date of the statement
accr-on-hint = Empty: today.
accr-print = Print or save as PDF
accr-download = Download the signed statement (JSON)
accr-heading = { $group }: audited figures on { $date }
accr-countries = Members work in { $host }; home country { $home }; the group's currency is { $currency }.
accr-balance-sheet = Balance sheet ({ $currency })
accr-assets = Assets
accr-total-assets = Total assets
accr-liabilities = Liabilities
accr-total-liabilities = Total liabilities
accr-equity = Equity
accr-total-equity = Total equity
accr-result = Result and balance check
accr-unclosed-income = Income not yet closed into equity
accr-unclosed-expenses = Expenses not yet closed into equity
accr-equation-assets = Assets
accr-equation-other-side = Liabilities, equity and result
accr-equation-holds = The balance sheet balances: assets equal liabilities, equity and result.
accr-equation-broken = The balance sheet does not balance.
accr-income-statement = Income statement to this date ({ $currency })
accr-income = Income
accr-total-income = Total income
accr-expenses = Expenses
accr-total-expenses = Total expenses
accr-net-income = Net income
accr-savings-mobilised = Savings mobilised
accr-savings-mobilised-text = Everything paid into members' savings up to this date:
accr-investments = Investments
accr-committed = Promised
accr-disbursed = Put in
accr-no-investments = No investment on this date.
accr-distributions = Profits shared out
accr-pool = Shared out
accr-members = Members
accr-no-distributions = No profits shared out by this date.
accr-indicators = Indicators from { $from } to { $to }
accr-indicator = Indicator
accr-value = Value
accr-definition = Definition
accr-chain = Verification of the ledger
accr-chain-ok = The ledger's hash chain checks out: { $count ->
    [one] one transaction
   *[other] { $count } transactions
} verified, none changed.
accr-chain-broken = The ledger's hash chain does not check out. Do not rely on this statement before the auditor has looked at it.
accr-chain-head = Last transaction: No. { $sequence }. Its hash:
accr-signature = Signature
accr-signed-by = The service signed this statement on { $when } with its Ed25519 key { $key }.
accr-key-id = Key id:
accr-signature-value = Signature (base64):
accr-verify-title = How a bank checks it, without an account
accr-verify-file = Ask the group for the signed file ("Download the signed statement" on this page makes it).
accr-verify-keys = Take the service's public keys, open to anyone, and use the one with key id { $key }:
accr-verify-check = Check the Ed25519 signature against the exact bytes of the file's "payload", for example with OpenSSL as below.
accr-verify-meaning = If it checks out, the figures in the file are those the service signed, and this page shows the figures of that file.

# msai-ledger web app: Filipino messages (translated from en.ftl, the reference catalogue).
# Every other catalogue must have every message this one has (a test checks it).
# Variables are written { $name }; plurals use a select on the number:
#   { $count -> [one] ... *[other] ... }
# Note: in Intl "fil", the category `one` covers 0, 1, 2, 3, 5, 7, 8, 10... (every number not
# ending in 4, 6 or 9), so a `[one]` variant here must show { $count }, never the word "isa".

## Frame
language = Wika
skip-to-content = Dumiretso sa nilalaman
nav-label = Menu
loading = Naglo-load…
offline = Offline: naka-save sa phone na ito ang ginawa mo
offline-copy = Walang koneksyon: ito ang naitabi ng phone noong huli itong naka-online.
signed-in-as = Naka-sign in bilang { $name }
nav-home = Home
nav-network = Mga ulat ng network
nav-new-group = Bagong grupo
nav-new-user = Bagong user
nav-outbox = { $count ->
    [0] Outbox
   *[other] Outbox ({ $count })
}
nav-signout = Mag-sign out
error-title = Nagkaproblema
not-found-title = Walang ganitong page
not-found-text = Walang laman ang address na ito.
yes = Oo
no = Hindi
cancel = Kanselahin

## Signing in and out
signin-title = Mag-sign in
signin-intro = Mag-sign in gamit ang username at password na ibinigay ng grupo mo.
signin-username = Username
signin-password = Password
signin-submit = Mag-sign in
signing-in = Nagsa-sign in…
signin-outbox-waiting = { $count ->
    [one] { $count } naka-save na item ang naghihintay sa phone na ito. Mag-sign in para maipadala.
   *[other] { $count } naka-save na item ang naghihintay sa phone na ito. Mag-sign in para maipadala.
}
signout-unsent = { $count ->
    [one] { $count } item ang hindi pa naipapadala. Mananatili sa phone na ito at ipapadala pag nag-sign in ka ulit. Mag-sign out na?
   *[other] { $count } item ang hindi pa naipapadala. Mananatili sa phone na ito at ipapadala pag nag-sign in ka ulit. Mag-sign out na?
}
signout-anyway = Mag-sign out

## Group home
action-meeting = Itala ang miting
action-members = Mga miyembro
action-withdraw = Pag-withdraw
action-remit = Padala
action-investments = Mga investment
action-distribute = Hatian ng kita
action-trial-balance = Trial balance
home-cash = Hawak na pera
home-no-cash = Wala pang cash o bank account.
home-members = Mga miyembro
home-members-count = { $count ->
    [one] { $count } aktibong miyembro
   *[other] { $count } aktibong miyembro
}
home-last-meeting = Huling miting
home-last-meeting-on = { $date }: { $count ->
    [one] { $count } bayad
   *[other] { $count } bayad
}
home-no-meeting = Wala pang naitalang miting.
home-waiting = Naghihintay maipadala
home-waiting-count = { $count ->
    [one] { $count } item sa outbox
   *[other] { $count } item sa outbox
}
home-nothing-waiting = Walang naghihintay.

## Members
members-title = Mga miyembro ng { $group }
members-add = Magdagdag ng miyembro
members-search = Maghanap ayon sa pangalan o numero
members-none = Walang tugmang miyembro.
member-name = Buong pangalan
member-sex = Kasarian
member-home-country = Bansang pinagmulan
member-host-country = Bansang pinagtatrabahuhan
member-contact = Telepono o ibang contact (opsyonal)
member-added = Si { $name } ay miyembro numero { $number }.
member-number = Miyembro numero { $number }
member-balances = Mga balanse
country-hint = Dalawang letra, halimbawa PH, ID, NP o HK.
currency-hint = Tatlong letra, halimbawa HKD.
sex-female = Babae
sex-male = Lalaki
sex-other = Iba
sex-undisclosed = Ayaw sabihin
status-active = Aktibo
status-returned_home = Umuwi na
status-exited = Umalis sa grupo
fund-savings = Ipon
fund-capital = Kapital
fund-payable = Babayaran sa miyembro
fund-other = Iba pa

## Passbook
passbook-title = Passbook
passbook-of = Passbook ni { $name }
passbook-account = { $account }: bawat galaw at ang balanse pagkatapos nito
passbook-empty = Wala pang galaw.
passbook-print = I-print o i-save bilang PDF
col-date = Petsa
col-what = Ano
col-in = Pasok
col-out = Labas
col-balance = Balanse
col-account = Account
col-amount = Halaga
col-member = Miyembro
col-channel = Paano
col-sent = Ipinadala
col-received = Natanggap
col-cost = Gastos
col-debits = Debit
col-credits = Credit
col-currency = Currency

## Meeting sheet
sheet-title = Miting ng { $group }
sheet-intro = I-type ang bayad ng bawat miyembro, sa { $currency }. Nase-save sa phone na ito ang lahat habang nagta-type ka, kahit walang koneksyon.
sheet-correcting = Itinatama mo ang miting na tinanggihan. Pag na-save, ipapadala ulit ito.
sheet-date = Petsa ng miting
sheet-present = Dumalo
sheet-savings = Ipon
sheet-capital = Kapital
sheet-social = Damayan
sheet-present-of = Dumalo si { $name }
sheet-savings-of = Ipon na ibinayad ni { $name }
sheet-capital-of = Kapital na ibinayad ni { $name }
sheet-social-of = Damayan na ibinayad ni { $name }
sheet-no-members = Wala pang aktibong miyembro ang grupo.
sheet-totals = Kabuuan
sheet-total = Lahat ng bayad
sheet-present-count = { $count ->
    [one] { $count } dumalo
   *[other] { $count } dumalo
}
sheet-cash-counted = Nabilang na cash ({ $currency })
sheet-cash-matches = Tugma ang nabilang na cash sa mga bayad.
sheet-cash-over = Sobra ng { $amount } ang cash kumpara sa mga bayad.
sheet-cash-short = Kulang ng { $amount } ang cash kumpara sa mga bayad.
sheet-save = I-save ang miting
sheet-confirm = I-save ang miting noong { $date }: { $count ->
    [one] { $count } bayad
   *[other] { $count } bayad
}, kabuuang { $total }? Ipapadala ito agad pag may koneksyon.
sheet-fix-cells = May mga halagang hindi mabasa: itama ang mga may marka.
sheet-empty = Walang maise-save: markahan kung sino ang dumalo o mag-type ng bayad.

## Amounts typed
amount-empty = Mag-type ng halaga.
amount-format = Hindi ito halaga. Gumamit ng mga numero at ng decimal point ng wika mo.
amount-decimals = Sobrang daming numero pagkatapos ng decimal point para sa currency na ito.
amount-negative = Hindi puwedeng negatibo ang halaga.
amount-zero = Dapat higit sa zero ang halaga.
field-required = Kailangan ito.
field-invalid = Hindi ito puwede; pakisuri.

## Outbox
outbox-title = Outbox
outbox-intro = Ang mga na-save mo sa phone na ito. Isang beses lang ipapadala ang bawat item, agad pag may koneksyon.
outbox-send-now = Ipadala na
outbox-empty = Wala pang naka-save.
outbox-meeting = Miting ng { $group } noong { $date }: { $total } ({ $count ->
    [one] { $count } bayad
   *[other] { $count } bayad
})
outbox-withdrawal = Pag-withdraw ni { $name } ng { $amount }
outbox-saved-at = Na-save noong { $at }
outbox-waiting = Naghihintay maipadala.
outbox-waiting-offline = Naghihintay ng koneksyon.
outbox-sent = Naipadala noong { $at }.
outbox-receipt = Resibo { $receipt }
outbox-refused = Tinanggihan:
outbox-correct = Itama at ipadala ulit
outbox-remove = Alisin
outbox-remove-confirm = Alisin ang item na ito? Hindi na ito ipapadala.

## Withdrawals
withdraw-title = Pag-withdraw
withdraw-amount = Halaga ({ $currency })
withdraw-next = Suriin
withdraw-confirm = Kukuha si { $name } ng { $amount } mula sa kanyang ipon.
withdraw-balance-after = Ipon pagkatapos: { $amount }
withdraw-balance-after-kept = Ipon pagkatapos (ayon sa huling online): { $amount }
withdraw-balance-unknown = Hindi alam sa phone na ito ang balanse; susuriin ito ng ledger pag naipadala na ang pag-withdraw.
withdraw-may-be-refused = Mas malaki ito sa ipon na huling nakita: baka tanggihan ito ng ledger.
withdraw-save = I-save ang pag-withdraw
withdraw-correcting = Itinatama mo ang pag-withdraw na tinanggihan.
choose-member = Pumili ng miyembro
channel-cash = Cash
channel-bank = Bangko
channel-mobile_wallet = E-wallet
channel-remittance = Padala
channel-money_transfer_operator = Remittance center
channel-post = Post office

## Remittances
remit-title = Padala
remit-send = Halagang ipinadala ({ $currency })
remit-fee = Singil ({ $currency })
remit-receive-currency = Currency na natanggap
remit-receive = Halagang natanggap
remit-mid = Palitan sa merkado (opsyonal)
remit-mid-hint = Magkano sa natanggap na currency ang katumbas ng isang unit na ipinadala, sa palitan sa merkado ngayon.
remit-provider = Kompanya o bangkong ginamit
remit-purpose = Para saan ang pera
remit-cost = Gastos: { $percent } % ng halagang ipinadala, { $amount } { $home }
remit-save = I-save ang padala
remit-saved = Na-save. Ang gastos: { $percent } % ({ $amount }).
purpose-family_support = Suporta sa pamilya
purpose-education = Pag-aaral
purpose-health = Kalusugan
purpose-group_savings = Ipon ng grupo
purpose-investment = Investment
purpose-debt = Pambayad-utang
purpose-other = Iba pa

## Investments
investments-title = Mga investment
investments-none = Wala pang investment.
investment-new = Bagong investment
investment-name = Pangalan
investment-kind = Uri
investment-sector = Sektor (halimbawa sakahan, tindahan)
investment-currency = Currency
investment-committed = Halagang ipinangako (opsyonal)
investment-women-led = Pinamumunuan ng kababaihan
investment-save = I-save ang investment
investment-book-value = Halaga
investment-income = Kitang natanggap
investment-status = Status
investment-status-active = Aktibo
investment-status-exited = Tapos na
investment-status-written_off = Itinuring na lugi
kind-cooperative = Kooperatiba
kind-enterprise = Negosyo
kind-livelihood = Kabuhayan
kind-land = Lupa
kind-deposit = Deposito
kind-other = Iba pa
movement-title = Perang pumasok o lumabas sa investment
movement-what = Ano ang nangyari
movement-disbursement = Perang inilagay dito
movement-income = Kita mula dito
movement-capital_returned = Kapital na naibalik mula dito
movement-save = I-save
movement-not-enough = Walang ganoong kalaking pera sa account ng grupo.

## Sharing out
distribute-title = Hatian ng kita
distribute-pool = Halagang hahatiin ({ $currency })
distribute-basis = Hatian ayon sa
distribute-pay-to = Ilalagay sa
distribute-preview = Ipakita ang bawat hati
distribute-shares = Hati ng bawat miyembro
distribute-total = Kabuuan: { $amount }
distribute-confirm = Hatiin na
distribute-sure = Hatiin ang { $amount } gaya ng nakikita? Isusulat ito sa ledger.
distribute-done = Nahati na.
basis-savings = Ipon
basis-capital = Kapital
basis-equal = Pantay-pantay
pay-to-savings = Ipon ng mga miyembro
pay-to-capital = Kapital ng mga miyembro
pay-to-payable = Utang, babayaran sa ibang araw

## Member's own screens
me-title = Mga grupo ko
me-no-groups = Hindi ka pa miyembro ng kahit anong grupo.
me-balances = Pera ko
me-remittances = Mga padala ko
me-no-remittances = Wala pang padala.
me-receipts = Mga resibo ko
me-no-receipts = Wala pang resibo.
me-receipts-note = Bawat resibo ay pinirmahan ng serbisyo. Kahit sino ay makakasuri nito, kahit walang app, gamit ang susing nakalathala sa /.well-known/msai-ledger/keys.
receipt-number = Blg.
receipt-contribution = Hulog
receipt-withdrawal = Withdraw
receipt-remittance = Padala
receipt-of = { $what } noong { $date } (Blg. { $number })
receipt-signed-text = Pinirmahang teksto:
receipt-signature = Pirma (Ed25519, susi { $key }):
me-investments = Mga investment ng grupo at ang hati ko
me-my-share = Hati ko
me-ledger = Ledger ng grupo
me-ledger-ok = Tama ang ledger: { $count ->
    [one] { $count } transaksyon
   *[other] { $count } transaksyon
} ang nasuri, walang binago.
me-ledger-broken = May mali sa ledger. Sabihan ang auditor ng grupo.
me-ledger-unknown = Hindi masuri ang ledger ngayon.

## Oversight
groups-title = Mga grupo
groups-none = Wala pang grupo.
tb-title = Trial balance ng { $group }
tb-totals = Kabuuan bawat currency
tb-balanced = Tugma
download-csv = I-download ang CSV
network-title = Mga ulat ng network
network-choose = Ulat
report-savings = Ipon
report-portfolio = Mga investment
report-remittance-corridors = Mga ruta ng padala
report-indicators = Mga indicator
report-reintegration = Pag-uwi
report-empty = Walang laman ang ulat.
report-savings-trend = Ipon bawat buwan
nav-dashboard = Dashboard
dashboard-title = Dashboard ng network
dashboard-group-title = Dashboard ng { $group }
dashboard-filters = Mga filter
dashboard-host = Bansang pinagtatrabahuhan
dashboard-home = Sariling bansa
dashboard-group = Grupo
dashboard-any = Kahit alin
dashboard-from = Mula
dashboard-to = Hanggang
dashboard-apply = Ipakita
dashboard-table = Ang mga bilang sa likod ng tsart
dashboard-suppressed = nakatago
dashboard-print = I-print
chart-savings-title = Ipon sa katapusan ng bawat buwan, ayon sa kasarian
chart-portfolio-title = Mga puhunan
chart-corridors-title = Panggitnang gastos ng pagpapadala pauwi (% ng halagang ipinadala)
chart-committed = Ipinangako
chart-disbursed = Naibigay na
chart-book-value = Halaga sa libro
chart-target-3 = Target ng SDG 3 %
chart-line-5 = Linya ng 5 %
chart-empty = Walang maipapakita sa mga filter na ito
summary-savings = Huling buwan, { $month }: { $figures }. { $suppressed } sa { $cells } na bilang ang nakatago dahil tungkol ito sa mas kaunti sa { $min } na tao.
summary-portfolio = { $kinds } hanay sa { $currency }; ang pinakamalaking halaga sa libro ay { $kind } ({ $value }).
summary-corridors = { $above } sa { $total } na buwan ng ruta ang mas mahal kaysa sa target na 3 %, at { $over } ang higit sa 5 %.
summary-empty = Walang maipapakita sa mga filter na ito.
col-month = Buwan
col-sex = Kasarian
col-members = Mga miyembro
col-joined = Sumali
col-left = Umalis
col-deposits = Mga hulog
col-withdrawals = Mga pag-withdraw
col-savings = Ipon
col-kind = Uri
col-corridor = Ruta
col-count = Mga padala
col-median-cost = Panggitnang gastos %
col-cost-spread = Gitnang kalahati ng gastos %
col-provider-type = Uri ng nagpapadala
dashboard-corridors-by = Gastos sa pagpapadala
corridors-by-all = lahat ng nagpapadala
corridors-by-channel = ayon sa uri ng nagpapadala
col-average-cost = Karaniwang gastos %
portfolio-by-kind = ayon sa uri
portfolio-by-sector = ayon sa sektor
portfolio-by-country = ayon sa bansa
portfolio-by-status = ayon sa katayuan
portfolio-by-women_led = ayon sa kung babae ang namumuno
women-led-true = Pinamumunuan ng babae
women-led-false = Hindi pinamumunuan ng babae
women-led-unknown = Hindi naitala
dashboard-portfolio-by = Paghahati ng mga puhunan
col-line = Hanay
col-income = Kita
col-roi = Balik %
report-returned-home = Nakauwi na
chart-returned-title = Mga miyembrong nakauwi na: naibayad at nakapuhunan pa
chart-paid-out = Naibayad
chart-capital-held = Nakapuhunan pa
col-home-country = Sariling bansa
col-savings-at-return = Ipon sa pag-uwi
summary-returned = { $shown } sa { $cells } na pangkat ng mga nakauwing miyembro ang ipinapakita; nakatago ang iba dahil tungkol ito sa mas kaunti sa { $min } na tao. Naibayad sa { $currency }: { $paid }; nakapuhunan pa: { $held }.

## Setting up
group-name = Pangalan ng grupo
group-host-country = Bansang pinagtatrabahuhan ng mga miyembro
group-home-country = Bansang pinagmulan
group-currency = Currency ng grupo
group-create = Gawin ang grupo
group-created = Nagawa na ang grupong { $name }.
user-role = Tungkulin
user-group = Grupo
user-create = Gawin ang user
user-created = Nagawa na ang user na { $name }.
username-hint = 3 hanggang 64 na letra, numero, tuldok, gitling o @.
password-hint = Hindi bababa sa 12 character.
role-admin = Administrator
role-auditor = Auditor
role-treasurer = Treasurer
role-chair = Tagapangulo
role-member = Miyembro

## Refusals, from the problem type the service answers
problem-unreachable = Walang koneksyon sa serbisyo. Naka-save sa phone na ito ang ginawa mo.
problem-unknown = Tinanggihan ito ng serbisyo (error { $status }).
problem-invalid-field = May mga field na mali.
problem-malformed-json = Hindi mabasa ang request.
problem-overdraft = Kulang ang ipon: mas malaki ito sa ipon ng miyembro.
problem-unauthorized = Pakiusap, mag-sign in ulit.
problem-invalid-credentials = Mali ang username o password.
problem-too-many-attempts = Masyadong maraming maling subok. Maghintay ng ilang minuto at subukan ulit.
problem-forbidden = Hindi ka pinapayagang gawin ito.
problem-not-found = Hindi nahanap.
problem-closed-period = Sarado na ang panahong sakop ng petsang ito. Gumamit ng mas huling petsa.
problem-member-not-active = Hindi aktibo ang miyembrong ito.
problem-member-exited = Umalis na sa grupo ang miyembrong ito.
problem-unknown-member = Wala sa grupo ang miyembrong ito.
problem-duplicate-username = May gumagamit na ng username na ito. Pumili ng iba.
problem-idempotency-key-reused = Naipadala na ito dati na iba ang mga numero.
problem-request-in-flight = Ipinapadala na ito. Maghintay sandali.
problem-group-closed = Sarado na ang grupo.
problem-remittance-not-in-transit = Wala nang padalang ito sa daan: dumating na, o natapos o pumalya na.
problem-remittance-settled = Dumating na o pumalya na ang padalang ito: hindi na ito mababawi. Magtala na lang ng pagtatama.
problem-currency-mismatch = Hindi tugma ang mga currency.
problem-pool-exceeds-available = Walang ganoon kalaking halaga na mahahati.
problem-no-recipients = Walang miyembrong puwedeng tumanggap ng hati.
problem-uses-mismatch = Dapat katumbas ng halagang natanggap ang kabuuan ng mga gamit.
problem-non-positive-amount = Dapat higit sa zero ang halaga.
problem-amount-overflow = Masyadong malaki ang halaga.
problem-unavailable = Abala ang serbisyo. Susubukan ulit mamaya.
problem-request-timeout = Masyadong natagalan ang serbisyo. Susubukan ulit mamaya.
problem-csrf = Tinanggihan para sa seguridad mo: i-reload ang page at subukan ulit.
problem-investment-closed = Sarado na ang investment na ito.
problem-unknown-investment = Wala sa grupo ang investment na ito.
problem-last-admin = Hindi puwedeng alisin ang huling administrator.
problem-cannot-disable-self = Hindi mo puwedeng i-disable ang sarili mo.
problem-body-too-large = Masyadong malaki ito para ipadala.
problem-internal = Nagka-error ang serbisyo. Susubukan ulit mamaya.
problem-account-kind = Hindi puwedeng gamitin ang account na ito para dito.
problem-already-reversed = Naitama na ito dati.
problem-body-timeout = Masyadong mabagal ang koneksyon. Susubukan ulit mamaya.
problem-duplicate-account-code = May account na may ganitong code na.
problem-entry-count = Kailangan ng transaksyon ng hindi bababa sa dalawang linya, at hindi sobrang dami.
problem-headers-too-large = Masyadong malaki ang request.
problem-idempotency-key-required = Kulang ang key ng request. I-reload ang page at subukan ulit.
problem-invalid-idempotency-key = Hindi tama ang key ng request. I-reload ang page at subukan ulit.
problem-invalid-parameter = May mali sa address.
problem-items-refused = May mga item na tinanggihan; walang na-save.
problem-malformed-csv = Hindi mabasa ang sheet.
problem-method-not-allowed = Hindi ito puwedeng gawin dito.
problem-period-already-closed = Sarado na ang panahong ito.
problem-reversal-of-reversal = Hindi puwedeng itama ang isang pagtatama.
problem-status-transition = Hindi puwede ang ganitong pagbabago ng status.
problem-too-many-connections = Abala ang serbisyo. Susubukan ulit mamaya.
problem-unbalanced = Hindi balanse ang debit at credit.
problem-unknown-account = Wala sa grupo ang account na ito.
problem-unsupported-media-type = Hindi mabasa ang request.

## Approvals (a second person for money going out)
nav-approvals = Mga aaprubahan
action-approvals = Mga aaprubahan
home-approvals-count = { $count ->
    [one] { $count } item ang naghihintay ng pag-apruba
   *[other] { $count } item ang naghihintay ng pag-apruba
}
home-approvals-many = Higit sa { $count } item ang naghihintay ng pag-apruba
home-approvals-none = Walang naghihintay ng pag-apruba.
home-approvals-unknown = Hindi makita ngayon kung ano ang naghihintay ng pag-apruba.
approval-waiting = Naghihintay ng pag-apruba ng ibang tao: hindi pa ito nagawa.
approval-see-list = Tingnan ang mga naghihintay ng pag-apruba
approval-now-approved = Naaprubahan: nagawa na ito.
approval-now-rejected = Tinanggihan: hindi ito ginawa.
approval-now-expired = Nag-expire nang walang desisyon: hindi ito ginawa.
approval-kind-withdrawal = Pag-withdraw
approval-kind-exit = Pag-alis ng miyembro sa grupo
approval-kind-policy = Pagbabago ng mga patakaran sa pag-apruba
approval-kind-disbursement = Perang inilagay sa investment
approval-kind-distribution = Hatian ng kita
approval-kind-reversal = Pagtatama
approval-kind-period_close = Pagsasara ng panahon
approval-status-pending = Naghihintay
approval-status-approved = Naaprubahan
approval-status-rejected = Tinanggihan
approval-status-expired = Nag-expire
approval-unknown-member = Miyembrong wala sa listahan
approval-exit-as = Aalis bilang
approval-asked-by = Hiniling ni
approval-you = Ikaw
approval-someone = Ibang tao (user { $id })
approval-asked-at = Hiniling noong
approval-expires-at = Mag-e-expire sa
approval-decided-by = Nagpasya
approval-decided-at = Napagpasyahan noong
approval-note = Tala
approval-note-optional = Tala (hindi kailangan)
approval-would-post = Ang isusulat nito sa ledger
approval-waiting-other = Naghihintay ng ibang tao: ikaw ang humiling nito, kaya iba ang magpapasya.
approval-approve = Aprubahan
approval-reject = Tanggihan
approval-approved-done = Naaprubahan. Naisulat na ito sa ledger.
approval-rejected-done = Tinanggihan. Walang naisulat.
approvals-title = Mga aaprubahan ng { $group }
approvals-mine-title = Naghihintay ng iyong pasya
approvals-intro = Ang perang lalabas ay maaaring kailanganin ng pangalawang tao. Suriin ang bawat item laban sa kahon ng pera bago mo ito aprubahan.
approvals-items = Mga item
approvals-show = Ipakita
approvals-none = Wala rito.
col-group = Grupo
col-side = Panig
col-status = Kalagayan
direction-debit = Debit
direction-credit = Credit
policy-title = Ano ang nangangailangan ng pangalawang tao
policy-withdrawals-above = Mga pag-withdraw na higit sa { $amount }
policy-no-withdrawal-waits = Walang pag-withdraw na naghihintay, anuman ang halaga.
policy-exits-on = Bawat pag-alis ng miyembro sa grupo
policy-exits-off = Hindi naghihintay ang pag-alis ng miyembro sa grupo.
policy-disbursements-on = Bawat perang ilalagay sa investment
policy-disbursements-off = Hindi naghihintay ang perang ilalagay sa investment.
policy-distributions-on = Bawat hatian ng kita
policy-distributions-off = Hindi naghihintay ang hatian ng kita.
policy-reversals-on = Bawat pagtatama
policy-reversals-off = Hindi naghihintay ang mga pagtatama.
policy-period_closes-on = Bawat pagsasara ng panahon
policy-period_closes-off = Hindi naghihintay ang pagsasara ng panahon.
policy-expires = Mag-e-expire ang item na hindi napagpasyahan sa loob ng { $hours } oras.
policy-change = Baguhin ang mga patakarang ito
policy-screen-title = Mga patakaran sa pag-apruba ng { $group }
policy-now = Ang mga patakaran ngayon
policy-limit = Naghihintay ang mga pag-withdraw na higit sa halagang ito ({ $currency })
policy-limit-hint = Iwanang blangko para walang limitasyon; sa 0, maghihintay ang bawat pag-withdraw.
policy-exits-label = Naghihintay ng pag-apruba ang bawat pag-alis ng miyembro sa grupo
policy-hours = Ilang oras bago mag-expire ang item
policy-save = I-save ang mga patakaran
policy-waits = Naghihintay ng pag-apruba ng ibang tao ang iyong pagbabago.
policy-applied = Umiiral na ngayon ang mga bagong patakaran.
policy-admin-applies = Administrator ka: umiiral agad ang iyong pagbabago.
policy-treasurer-waits = Iiral lang ang iyong pagbabago kapag inaprubahan ito ng ibang tao.

## Remittances on their way
remit-status-arrived = Dumating
remit-status-in_transit = Papunta pa
remit-status-completed = Dumating (kumpirmado)
remit-status-failed = Hindi natuloy o ibinalik
remit-in-transit-label = Hindi pa dumarating: itala bilang papunta pa
remit-saved-in-transit = Na-save bilang papunta pa. Itala ang pagdating kapag kinumpirma ng pamilya.
remit-in-transit-title = Mga padalang papunta pa
remit-in-transit-none = Walang padalang papunta pa.
remit-sent-on = Ipinadala noong { $date }, { $days ->
    [one] { $days } araw na ang nakalipas
   *[other] { $days } araw na ang nakalipas
}
remit-arrived-amount = Halagang natanggap ({ $currency })
remit-arrived-save = Dumating na
remit-failed-kept = Kinuha ng kompanya ({ $currency }, hindi kailangan)
remit-failed-save = Hindi natuloy o ibinalik
remit-arrived-done = Naitala ang pagdating.
remit-failed-done = Naitalang hindi natuloy: nakabalik na ang pera sa ipon ng miyembro.
member-remittances = Mga padala

## Group performance
action-performance = Takbo ng grupo
action-accreditation = Pahayag para sa akreditasyon
perf-title = Takbo ng { $group }
perf-from = Mula
perf-from-hint = Walang laman: mula sa unang araw ng grupo.
perf-to = Hanggang
perf-to-hint = Walang laman: hanggang ngayon.
perf-period = { $from } hanggang { $to } ({ $days ->
    [one] { $days } araw
   *[other] { $days } araw
})
perf-not-available = Walang makukuhang halaga
perf-ind-members = Mga miyembro
perf-ind-members_at_start = Mga miyembro sa simula
perf-ind-women_percent = Kababaihan sa mga miyembro
perf-ind-meetings = Mga miting
perf-ind-attendance_percent = Pagdalo
perf-ind-savings = Ipon ng mga miyembro
perf-ind-savings_per_member = Ipon bawat miyembro
perf-ind-net_income = Netong kita
perf-ind-return_on_savings_percent = Taunang tubo sa ipon
perf-ind-return_on_assets_percent = Taunang tubo sa ari-arian
perf-ind-members_left = Mga miyembrong umalis
perf-ind-dropout_percent = Antas ng pag-alis
perf-ind-portfolio_written_down_percent = Mga investment na ibinaba ang halaga
perf-ind-social_fund = Damayan
perf-ind-savings_mobilised = Naipong pera
perf-none-here = Walang halaga rito:
perf-def-members = Mga miyembro sa katapusan ng panahon: ang mga sumali hanggang sa huling araw nito at hindi pa umuuwi o umaalis sa grupo noon.
perf-def-members_at_start = Mga miyembro noong araw bago nagsimula ang panahon, binilang sa parehong paraan.
perf-def-women_percent = Bahagi ng kababaihan sa mga miyembro sa katapusan ng panahon: kababaihan ÷ mga miyembro × 100.
perf-def-meetings = Mga miting na ginanap sa panahong ito.
perf-def-attendance_percent = Ilan sa mga miyembro ang dumalo sa mga miting ng panahon: mga naitalang pagdalo ÷ (sa bawat miting, ang mga miyembro ng grupo noong araw na iyon) × 100.
perf-def-savings = Ipon ng mga miyembro sa katapusan ng panahon, sa { $currency }: ang balanse ng savings account ng bawat miyembro.
perf-def-savings_per_member = Ipon bawat miyembro sa katapusan ng panahon, sa { $currency }: ipon ng mga miyembro ÷ mga miyembro, hanggang sentimo.
perf-def-net_income = Ang kinita ng grupo sa panahong ito, sa { $currency }: kita bawas ang mga gastos na naitala rito (kita mula sa investment at tubo sa palitan ng pera, bawas ang mga bayarin, lugi sa palitan ng pera at pagbaba ng halaga ng investment); hindi kino-convert o isinasama ang mga halagang nasa ibang currency.
perf-def-return_on_savings_percent = Taunang tubo sa ipon ng mga miyembro: netong kita ÷ karaniwang ipon (ang average ng ipon noong araw bago ang panahon at sa huling araw nito) × 365 ÷ bilang ng araw ng panahon × 100.
perf-def-return_on_assets_percent = Taunang tubo sa ari-arian ng grupo: netong kita ÷ karaniwang ari-arian sa currency ng grupo (ang average noong araw bago ang panahon at sa huling araw nito) × 365 ÷ bilang ng araw ng panahon × 100.
perf-def-members_left = Mga miyembrong umuwi o umalis sa grupo sa panahong ito.
perf-def-dropout_percent = Antas ng pag-alis: mga miyembrong umuwi o umalis sa grupo sa panahong ito ÷ mga miyembro noong araw bago ito nagsimula × 100.
perf-def-portfolio_written_down_percent = Bahagi ng mga investment na ibinaba ang halaga: mga pagbaba ng halaga na naitala sa panahong ito ÷ lahat ng perang inilagay sa mga investment sa { $currency } hanggang sa katapusan nito × 100.
perf-def-social_fund = Ang damayan (social fund) sa katapusan ng panahon, sa { $currency }: perang itinatabi para sa mga miyembrong nangangailangan, hindi kailanman hinahati.
perf-def-savings_mobilised = Naipong pera sa panahong ito, sa { $currency }: lahat ng ibinayad sa savings account ng mga miyembro (mga hulog, mga padala para sa grupo, mga hati ng kita na inilagay sa ipon).
accr-title = Pahayag para sa akreditasyon ng { $group }
accr-on = Petsa ng pahayag
accr-on-hint = Walang laman: ngayong araw.
accr-print = I-print o i-save bilang PDF
accr-download = I-download ang pinirmahang pahayag (JSON)
accr-heading = { $group }: mga na-audit na numero noong { $date }
accr-countries = Nagtatrabaho ang mga miyembro sa { $host }; bansang pinagmulan { $home }; ang currency ng grupo ay { $currency }.
accr-balance-sheet = Balance sheet ({ $currency })
accr-assets = Mga ari-arian
accr-total-assets = Kabuuang ari-arian
accr-liabilities = Mga pananagutan
accr-total-liabilities = Kabuuang pananagutan
accr-equity = Equity
accr-total-equity = Kabuuang equity
accr-result = Resulta at pagsusuri ng balanse
accr-unclosed-income = Kitang hindi pa naisasara sa equity
accr-unclosed-expenses = Gastos na hindi pa naisasara sa equity
accr-equation-assets = Mga ari-arian
accr-equation-other-side = Pananagutan, equity at resulta
accr-equation-holds = Balanse ang balance sheet: ang ari-arian ay katumbas ng pananagutan, equity at resulta.
accr-equation-broken = Hindi balanse ang balance sheet.
accr-income-statement = Income statement hanggang sa petsang ito ({ $currency })
accr-income = Kita
accr-total-income = Kabuuang kita
accr-expenses = Mga gastos
accr-total-expenses = Kabuuang gastos
accr-net-income = Netong kita
accr-savings-mobilised = Naipong pera
accr-savings-mobilised-text = Lahat ng naihulog sa ipon ng mga miyembro hanggang sa petsang ito:
accr-investments = Mga investment
accr-committed = Ipinangako
accr-disbursed = Inilagay
accr-no-investments = Walang investment sa petsang ito.
accr-distributions = Mga hatian ng kita
accr-pool = Hinati
accr-members = Mga miyembro
accr-no-distributions = Walang hatian ng kita hanggang sa petsang ito.
accr-indicators = Mga indicator mula { $from } hanggang { $to }
accr-indicator = Indicator
accr-value = Halaga
accr-definition = Kahulugan
accr-chain = Pagsusuri ng ledger
accr-chain-ok = Tama ang hash chain ng ledger: { $count ->
    [one] { $count } transaksyon
   *[other] { $count } transaksyon
} ang nasuri, walang binago.
accr-chain-broken = May mali sa hash chain ng ledger. Huwag munang umasa sa pahayag na ito hangga't hindi ito natitingnan ng auditor.
accr-chain-head = Huling transaksyon: Blg. { $sequence }. Ang hash nito:
accr-signature = Pirma
accr-signed-by = Pinirmahan ng serbisyo ang pahayag na ito noong { $when } gamit ang Ed25519 na susi nito, { $key }.
accr-key-id = Id ng susi:
accr-signature-value = Pirma (base64):
accr-verify-title = Paano ito sinusuri ng bangko, kahit walang account
accr-verify-file = Hingin sa grupo ang pinirmahang file (ginagawa ito ng "I-download ang pinirmahang pahayag" sa pahinang ito).
accr-verify-keys = Kunin ang mga pampublikong susi ng serbisyo, bukas sa lahat, at gamitin ang may key id na { $key }:
accr-verify-check = Suriin ang Ed25519 na pirma laban sa eksaktong bytes ng "payload" ng file, halimbawa sa OpenSSL gaya ng nasa ibaba.
accr-verify-meaning = Kapag tama, ang mga numero sa file ay ang pinirmahan ng serbisyo, at ipinapakita ng pahinang ito ang mga numero ng file na iyon.

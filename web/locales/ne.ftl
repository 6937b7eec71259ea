# msai-ledger web app: Nepali messages (translated from en.ftl, the reference catalogue).
# Every other catalogue must have every message this one has (a test checks it).
# Variables are written { $name }; plurals use a select on the number:
#   { $count -> [one] ... *[other] ... }

## Frame
language = भाषा
skip-to-content = मुख्य भागमा जानुहोस्
nav-label = मेनु
loading = लोड हुँदैछ…
offline = अफलाइन: तपाईंको काम यही फोनमा सुरक्षित छ
offline-copy = इन्टरनेट छैन: फोन पछिल्लो पटक अनलाइन हुँदा राखेको जानकारी यही हो।
signed-in-as = लग इन: { $name }
nav-home = गृहपृष्ठ
nav-network = नेटवर्क रिपोर्ट
nav-new-group = नयाँ समूह
nav-new-user = नयाँ प्रयोगकर्ता
nav-outbox = { $count ->
    [0] पठाउने सूची
   *[other] पठाउने सूची ({ $count })
}
nav-signout = लग आउट
error-title = केही गडबड भयो
not-found-title = पेज भेटिएन
not-found-text = यो ठेगानामा केही छैन।
yes = हो
no = होइन
cancel = रद्द गर्नुहोस्

## Signing in and out
signin-title = लग इन
signin-intro = तपाईंको समूहले दिएको प्रयोगकर्ता नाम र पासवर्डले लग इन गर्नुहोस्।
signin-username = प्रयोगकर्ता नाम
signin-password = पासवर्ड
signin-submit = लग इन गर्नुहोस्
signing-in = लग इन हुँदैछ…
signin-outbox-waiting = { $count ->
    [one] सेभ गरेको एउटा विवरण यो फोनमा पठाउन बाँकी छ। पठाउन लग इन गर्नुहोस्।
   *[other] सेभ गरेका { $count } विवरण यो फोनमा पठाउन बाँकी छन्। पठाउन लग इन गर्नुहोस्।
}
signout-unsent = { $count ->
    [one] एउटा विवरण अझै पठाइएको छैन। यो यही फोनमा रहन्छ र फेरि लग इन गर्दा पठाइन्छ। अहिले लग आउट गर्ने?
   *[other] { $count } विवरण अझै पठाइएका छैनन्। यी यही फोनमा रहन्छन् र फेरि लग इन गर्दा पठाइन्छन्। अहिले लग आउट गर्ने?
}
signout-anyway = लग आउट

## Group home
action-meeting = बैठक दर्ता
action-members = सदस्यहरू
action-withdraw = बचत निकासी
action-remit = रेमिट्यान्स
action-investments = लगानी
action-distribute = नाफा बाँड्ने
action-trial-balance = तेरिज
home-cash = हातमा भएको पैसा
home-no-cash = अहिलेसम्म नगद वा बैंक खाता छैन।
home-members = सदस्यहरू
home-members-count = { $count ->
    [one] एक जना सक्रिय सदस्य
   *[other] { $count } जना सक्रिय सदस्य
}
home-last-meeting = पछिल्लो बैठक
home-last-meeting-on = { $date }: { $count ->
    [one] एउटा भुक्तानी
   *[other] { $count } भुक्तानी
}
home-no-meeting = अहिलेसम्म कुनै बैठक दर्ता भएको छैन।
home-waiting = पठाउन बाँकी
home-waiting-count = { $count ->
    [one] पठाउने सूचीमा एउटा विवरण
   *[other] पठाउने सूचीमा { $count } विवरण
}
home-nothing-waiting = केही पनि पठाउन बाँकी छैन।

## Members
members-title = { $group }का सदस्यहरू
members-add = सदस्य थप्नुहोस्
members-search = नाम वा नम्बरले खोज्नुहोस्
members-none = कुनै सदस्य मिलेन।
member-name = पूरा नाम
member-sex = लिङ्ग
member-home-country = आफ्नो देश
member-host-country = काम गर्ने देश
member-contact = फोन वा अरू सम्पर्क (ऐच्छिक)
member-added = { $name } सदस्य नम्बर { $number } हुनुभयो।
member-number = सदस्य नम्बर { $number }
member-balances = मौज्दात
country-hint = दुई अक्षर, जस्तै PH, ID, NP वा HK।
currency-hint = तीन अक्षर, जस्तै HKD।
sex-female = महिला
sex-male = पुरुष
sex-other = अन्य
sex-undisclosed = भन्न नचाहने
status-active = सक्रिय
status-returned_home = घर फर्किएको
status-exited = समूह छोडेको
fund-savings = बचत
fund-capital = पुँजी
fund-payable = सदस्यलाई तिर्न बाँकी
fund-other = अन्य

## Passbook
passbook-title = पासबुक
passbook-of = { $name }को पासबुक
passbook-account = { $account }: हरेक कारोबार र त्यसपछिको मौज्दात
passbook-empty = अहिलेसम्म कुनै कारोबार छैन।
passbook-print = प्रिन्ट वा PDF मा सेभ गर्नुहोस्
col-date = मिति
col-what = विवरण
col-in = जम्मा
col-out = झिकेको
col-balance = मौज्दात
col-account = खाता
col-amount = रकम
col-member = सदस्य
col-channel = माध्यम
col-sent = पठाएको
col-received = पाएको
col-cost = खर्च
col-debits = डेबिट
col-credits = क्रेडिट
col-currency = मुद्रा

## Meeting sheet
sheet-title = { $group }को बैठक
sheet-intro = हरेक सदस्यले तिरेको रकम { $currency } मा टाइप गर्नुहोस्। टाइप गर्दै जाँदा सबै यही फोनमा राखिन्छ, इन्टरनेट नभए पनि।
sheet-correcting = तपाईं अस्वीकार भएको बैठक सच्याउँदै हुनुहुन्छ। सेभ गर्दा फेरि पठाइन्छ।
sheet-date = बैठकको मिति
sheet-present = उपस्थित
sheet-savings = बचत
sheet-capital = पुँजी
sheet-social = सामाजिक कोष
sheet-present-of = { $name } उपस्थित
sheet-savings-of = { $name }ले तिरेको बचत
sheet-capital-of = { $name }ले तिरेको पुँजी
sheet-social-of = { $name }ले तिरेको सामाजिक कोष
sheet-no-members = समूहमा अहिलेसम्म कुनै सक्रिय सदस्य छैन।
sheet-totals = कुल
sheet-total = सबै भुक्तानी
sheet-present-count = { $count ->
    [one] एक जना उपस्थित
   *[other] { $count } जना उपस्थित
}
sheet-cash-counted = गनेको नगद ({ $currency })
sheet-cash-matches = गनेको नगद भुक्तानीसँग मिल्छ।
sheet-cash-over = भुक्तानीभन्दा { $amount } बढी नगद छ।
sheet-cash-short = भुक्तानीभन्दा { $amount } कम नगद छ।
sheet-save = बैठक सेभ गर्नुहोस्
sheet-confirm = { $date }को बैठक सेभ गर्ने: { $count ->
    [one] एउटा भुक्तानी
   *[other] { $count } भुक्तानी
}, कुल { $total }? इन्टरनेट हुनेबित्तिकै पठाइन्छ।
sheet-fix-cells = केही रकम पढ्न सकिएन: चिन्ह लगाइएका रकम सच्याउनुहोस्।
sheet-empty = सेभ गर्ने केही छैन: को उपस्थित छ चिन्ह लगाउनुहोस् वा भुक्तानी टाइप गर्नुहोस्।

## Amounts typed
amount-empty = रकम टाइप गर्नुहोस्।
amount-format = यो रकम होइन। अङ्क र तपाईंको भाषाको दशमलव चिन्ह प्रयोग गर्नुहोस्।
amount-decimals = यो मुद्राका लागि दशमलवपछि धेरै अङ्क भए।
amount-negative = रकम ऋणात्मक (माइनस) हुन सक्दैन।
amount-zero = रकम शून्यभन्दा बढी हुनुपर्छ।
field-required = यो भर्नुपर्छ।
field-invalid = यो मान्य छैन; जाँच गर्नुहोस्।

## Outbox
outbox-title = पठाउने सूची
outbox-intro = तपाईंले यो फोनमा सेभ गरेका विवरण। इन्टरनेट हुनेबित्तिकै हरेक विवरण एक पटक मात्र पठाइन्छ।
outbox-send-now = अहिले पठाउनुहोस्
outbox-empty = अहिलेसम्म केही सेभ गरिएको छैन।
outbox-meeting = { $date }मा { $group }को बैठक: { $total } ({ $count ->
    [one] एउटा भुक्तानी
   *[other] { $count } भुक्तानी
})
outbox-withdrawal = { $name }ले { $amount } बचत निकासी
outbox-saved-at = सेभ गरेको: { $at }
outbox-waiting = पठाउन बाँकी।
outbox-waiting-offline = इन्टरनेट पर्खिँदै।
outbox-sent = पठाइयो: { $at }।
outbox-receipt = रसिद { $receipt }
outbox-refused = अस्वीकार भयो:
outbox-correct = सच्याएर फेरि पठाउनुहोस्
outbox-remove = हटाउनुहोस्
outbox-remove-confirm = यो विवरण हटाउने? यो पठाइने छैन।

## Withdrawals
withdraw-title = बचत निकासी
withdraw-amount = रकम ({ $currency })
withdraw-next = जाँच्नुहोस्
withdraw-confirm = { $name }ले आफ्नो बचतबाट { $amount } झिक्नुहुन्छ।
withdraw-balance-after = झिकेपछि बचत: { $amount }
withdraw-balance-after-kept = झिकेपछि बचत (पछिल्लो पटक अनलाइन देखिए अनुसार): { $amount }
withdraw-balance-unknown = यो फोनमा मौज्दात थाहा छैन; निकासी पठाउँदा खाता बहीले जाँच्छ।
withdraw-may-be-refused = यो पछिल्लो पटक देखिएको बचतभन्दा बढी हो: खाता बहीले अस्वीकार गर्न सक्छ।
withdraw-save = निकासी सेभ गर्नुहोस्
withdraw-correcting = तपाईं अस्वीकार भएको निकासी सच्याउँदै हुनुहुन्छ।
choose-member = सदस्य छान्नुहोस्
channel-cash = नगद
channel-bank = बैंक
channel-mobile_wallet = मोबाइल वालेट
channel-remittance = रेमिट्यान्स
channel-money_transfer_operator = रेमिट्यान्स कम्पनी
channel-post = हुलाक

## Remittances
remit-title = रेमिट्यान्स
remit-send = पठाएको रकम ({ $currency })
remit-fee = शुल्क ({ $currency })
remit-receive-currency = पाएको मुद्रा
remit-receive = पाएको रकम
remit-mid = बजार दर (ऐच्छिक)
remit-mid-hint = आजको बजार दरमा, पठाएको मुद्राको एक एकाइ बराबर पाएको मुद्रा कति हुन्छ।
remit-provider = प्रयोग गरेको कम्पनी वा बैंक
remit-purpose = पैसा केका लागि
remit-cost = खर्च: पठाएको रकमको { $percent } %, { $amount } { $home }
remit-save = रेमिट्यान्स सेभ गर्नुहोस्
remit-saved = सेभ भयो। खर्च { $percent } % ({ $amount }) लाग्यो।
purpose-family_support = परिवारको खर्च
purpose-education = पढाइ
purpose-health = स्वास्थ्य
purpose-group_savings = समूहको बचत
purpose-investment = लगानी
purpose-debt = ऋण तिर्न
purpose-other = अन्य

## Investments
investments-title = लगानी
investments-none = अहिलेसम्म कुनै लगानी छैन।
investment-new = नयाँ लगानी
investment-name = नाम
investment-kind = किसिम
investment-sector = क्षेत्र (जस्तै खेती, पसल)
investment-currency = मुद्रा
investment-committed = दिने वाचा गरेको रकम (ऐच्छिक)
investment-women-led = महिलाको नेतृत्वमा
investment-save = लगानी सेभ गर्नुहोस्
investment-book-value = मूल्य
investment-income = पाएको आम्दानी
investment-status = स्थिति
investment-status-active = सक्रिय
investment-status-exited = सकिएको
investment-status-written_off = डुबेको मानिएको
kind-cooperative = सहकारी
kind-enterprise = उद्यम
kind-livelihood = जीविकोपार्जन
kind-land = जग्गा
kind-deposit = निक्षेप
kind-other = अन्य
movement-title = लगानीमा हालेको वा फिर्ता आएको रकम
movement-what = के भयो
movement-disbursement = यसमा हालेको रकम
movement-income = यसबाट आएको आम्दानी
movement-capital_returned = यसबाट फिर्ता आएको पुँजी
movement-save = सेभ गर्नुहोस्
movement-not-enough = समूहको खातामा त्यति रकम छैन।

## Sharing out
distribute-title = नाफा बाँड्ने
distribute-pool = बाँड्ने रकम ({ $currency })
distribute-basis = बाँड्ने आधार
distribute-pay-to = कहाँ जम्मा गर्ने
distribute-preview = हरेकको भाग देखाउनुहोस्
distribute-shares = हरेक सदस्यको भाग
distribute-total = कुल: { $amount }
distribute-confirm = अहिले बाँड्नुहोस्
distribute-sure = देखाए अनुसार { $amount } बाँड्ने? यो खाता बहीमा लेखिन्छ।
distribute-done = बाँडियो।
basis-savings = बचत
basis-capital = पुँजी
basis-equal = बराबर भाग
pay-to-savings = सदस्यहरूको बचत
pay-to-capital = सदस्यहरूको पुँजी
pay-to-payable = तिर्न बाँकी, पछि तिरिने

## Member's own screens
me-title = मेरा समूहहरू
me-no-groups = तपाईं अहिलेसम्म कुनै समूहको सदस्य हुनुहुन्न।
me-balances = मेरो पैसा
me-remittances = मेरो रेमिट्यान्स
me-no-remittances = अहिलेसम्म कुनै रेमिट्यान्स छैन।
me-receipts = मेरा रसिदहरू
me-no-receipts = अहिलेसम्म कुनै रसिद छैन।
me-receipts-note = हरेक रसिदमा सेवाको हस्ताक्षर छ। जो कोहीले पनि एप बिना /.well-known/msai-ledger/keys मा प्रकाशित कुञ्जीले यसलाई जाँच्न सक्छ।
receipt-number = नं.
receipt-contribution = जम्मा
receipt-withdrawal = झिकेको रकम
receipt-remittance = रेमिट्यान्स
receipt-of = { $date } को { $what } (नं. { $number })
receipt-signed-text = हस्ताक्षर गरिएको पाठ:
receipt-signature = हस्ताक्षर (Ed25519, कुञ्जी { $key }):
me-investments = समूहको लगानी र मेरो भाग
me-my-share = मेरो भाग
me-ledger = समूहको खाता बही
me-ledger-ok = खाता बही ठीक छ: { $count ->
    [one] एउटा कारोबार
   *[other] { $count } कारोबार
} जाँचियो, कुनै पनि बदलिएको छैन।
me-ledger-broken = खाता बही मिलेन। समूहको लेखापरीक्षकलाई भन्नुहोस्।
me-ledger-unknown = अहिले खाता बही जाँच्न सकिएन।

## Oversight
groups-title = समूहहरू
groups-none = अहिलेसम्म कुनै समूह छैन।
tb-title = { $group }को तेरिज
tb-totals = मुद्रा अनुसार कुल
tb-balanced = मिलेको
download-csv = CSV डाउनलोड गर्नुहोस्
network-title = नेटवर्क रिपोर्ट
network-choose = रिपोर्ट
report-savings = बचत
report-portfolio = लगानी
report-remittance-corridors = रेमिट्यान्सका बाटा
report-indicators = सूचकहरू
report-reintegration = घर फिर्ती
report-empty = रिपोर्टमा केही छैन।
report-savings-trend = महिनैपिच्छे बचत
nav-dashboard = ड्यासबोर्ड
dashboard-title = सञ्जालको ड्यासबोर्ड
dashboard-group-title = { $group } को ड्यासबोर्ड
dashboard-filters = फिल्टरहरू
dashboard-host = काम गर्ने देश
dashboard-home = आफ्नो देश
dashboard-group = समूह
dashboard-any = जुनसुकै
dashboard-from = देखि
dashboard-to = सम्म
dashboard-apply = देखाउनुहोस्
dashboard-table = चार्टपछाडिका अङ्कहरू
dashboard-suppressed = लुकाइएको
dashboard-print = छाप्नुहोस्
chart-savings-title = हरेक महिनाको अन्त्यमा बचत, लिङ्गअनुसार
chart-portfolio-title = लगानी
chart-corridors-title = घर पैसा पठाउने मध्यक लागत (पठाइएको रकमको %)
chart-committed = प्रतिबद्ध
chart-disbursed = वितरण गरिएको
chart-book-value = किताबी मूल्य
chart-target-3 = SDG लक्ष्य 3 %
chart-line-5 = 5 % रेखा
chart-empty = यी फिल्टरहरूमा देखाउन केही छैन
summary-savings = पछिल्लो महिना, { $month }: { $figures }। { $cells } मध्ये { $suppressed } अङ्क लुकाइएका छन्, किनभने ती { $min } भन्दा कम मानिसबारे छन्।
summary-portfolio = { $currency } मा { $kinds } पङ्क्ति; सबैभन्दा ठूलो किताबी मूल्य { $kind } को छ ({ $value })।
summary-corridors = { $total } करिडोर-महिनामध्ये { $above } को लागत 3 % लक्ष्यभन्दा बढी छ, र { $over } को 5 % भन्दा बढी।
summary-empty = यी फिल्टरहरूमा देखाउन केही छैन।
col-month = महिना
col-sex = लिङ्ग
col-members = सदस्यहरू
col-joined = सामेल भएका
col-left = छोडेका
col-deposits = जम्मा
col-withdrawals = झिकेको
col-savings = बचत
col-kind = प्रकार
col-corridor = करिडोर
col-count = रेमिट्यान्स
col-median-cost = मध्यक लागत %
col-cost-spread = लागतको बीचको आधा %
col-provider-type = सेवा प्रदायकको प्रकार
dashboard-corridors-by = रेमिट्यान्स लागत
corridors-by-all = सबै सेवा प्रदायक
corridors-by-channel = सेवा प्रदायकको प्रकारअनुसार
col-average-cost = औसत लागत %
portfolio-by-kind = प्रकारअनुसार
portfolio-by-sector = क्षेत्रअनुसार
portfolio-by-country = देशअनुसार
portfolio-by-status = स्थितिअनुसार
portfolio-by-women_led = महिलाले नेतृत्व गरेको वा नगरेकोअनुसार
women-led-true = महिलाको नेतृत्वमा
women-led-false = महिलाको नेतृत्वमा होइन
women-led-unknown = अभिलेख छैन
dashboard-portfolio-by = लगानीको विभाजन
col-line = पङ्क्ति
col-income = आम्दानी
col-roi = प्रतिफल %
report-returned-home = घर फर्केका
chart-returned-title = घर फर्केका सदस्य: भुक्तानी भएको र अझै लगानीमा रहेको
chart-paid-out = भुक्तानी भएको
chart-capital-held = अझै लगानीमा
col-home-country = आफ्नो देश
col-savings-at-return = फर्कंदाको बचत
summary-returned = घर फर्केका सदस्यका { $cells } समूहमध्ये { $shown } देखाइएका छन्; बाँकी लुकाइएका छन्, किनभने ती { $min } भन्दा कम मानिसबारे छन्। { $currency } मा भुक्तानी: { $paid }; अझै लगानीमा: { $held }।

## Setting up
group-name = समूहको नाम
group-host-country = सदस्यहरू काम गर्ने देश
group-home-country = आफ्नो देश
group-currency = समूहको मुद्रा
group-create = समूह बनाउनुहोस्
group-created = समूह { $name } बन्यो।
user-role = भूमिका
user-group = समूह
user-create = प्रयोगकर्ता बनाउनुहोस्
user-created = प्रयोगकर्ता { $name } बन्यो।
username-hint = ३ देखि ६४ वटा अक्षर, अङ्क, थोप्ला, ड्यास वा @।
password-hint = कम्तीमा १२ अक्षर।
role-admin = प्रशासक
role-auditor = लेखापरीक्षक
role-treasurer = कोषाध्यक्ष
role-chair = अध्यक्ष
role-member = सदस्य

## Refusals, from the problem type the service answers
problem-unreachable = सेवासँग जडान छैन। तपाईंको काम यही फोनमा सुरक्षित छ।
problem-unknown = सेवाले यो स्वीकार गरेन (त्रुटि { $status })।
problem-invalid-field = केही विवरण ठीक छैनन्।
problem-malformed-json = अनुरोध पढ्न सकिएन।
problem-overdraft = बचत पुगेन: यो सदस्यसँग भएको भन्दा बढी हो।
problem-unauthorized = कृपया फेरि लग इन गर्नुहोस्।
problem-invalid-credentials = प्रयोगकर्ता नाम वा पासवर्ड गलत छ।
problem-too-many-attempts = धेरै पटक गलत भयो। केही मिनेट पर्खेर फेरि प्रयास गर्नुहोस्।
problem-forbidden = तपाईंलाई यो गर्ने अनुमति छैन।
problem-not-found = भेटिएन।
problem-closed-period = यो मिति बन्द भइसकेको अवधिमा पर्छ। पछिको मिति प्रयोग गर्नुहोस्।
problem-member-not-active = यो सदस्य सक्रिय हुनुहुन्न।
problem-member-exited = यो सदस्यले समूह छोडिसक्नुभएको छ।
problem-unknown-member = यो सदस्य समूहमा हुनुहुन्न।
problem-duplicate-username = यो प्रयोगकर्ता नाम अरूले लिइसकेको छ। अर्को छान्नुहोस्।
problem-idempotency-key-reused = यो पहिले नै फरक अङ्कसहित पठाइसकिएको छ।
problem-request-in-flight = यो पठाउँदै छ। एकछिन पर्खनुहोस्।
problem-group-closed = समूह बन्द भइसकेको छ।
problem-remittance-not-in-transit = यो रेमिट्यान्स बाटोमा छैन: यो आइपुगिसक्यो, वा पहिले नै पूरा वा असफल भइसक्यो।
problem-remittance-settled = यो रेमिट्यान्स पहिले नै पुगिसक्यो वा असफल भइसक्यो: यसलाई उल्टाउन मिल्दैन। बरु सच्याइ दर्ता गर्नुहोस्।
problem-currency-mismatch = मुद्राहरू मिलेनन्।
problem-pool-exceeds-available = बाँड्न त्यति धेरै रकम छैन।
problem-no-recipients = भाग पाउन सक्ने कुनै सदस्य छैन।
problem-uses-mismatch = सबै प्रयोगको जोड पाएको रकमसँग बराबर हुनुपर्छ।
problem-non-positive-amount = रकम शून्यभन्दा बढी हुनुपर्छ।
problem-amount-overflow = रकम धेरै ठूलो भयो।
problem-unavailable = सेवा व्यस्त छ। पछि फेरि प्रयास गरिन्छ।
problem-request-timeout = सेवाले धेरै समय लियो। पछि फेरि प्रयास गरिन्छ।
problem-csrf = तपाईंको सुरक्षाका लागि अस्वीकार गरियो: पेज रिलोड गरेर फेरि प्रयास गर्नुहोस्।
problem-investment-closed = यो लगानी बन्द भइसकेको छ।
problem-unknown-investment = यो लगानी समूहमा छैन।
problem-last-admin = अन्तिम प्रशासकलाई हटाउन सकिँदैन।
problem-cannot-disable-self = तपाईं आफैँलाई निष्क्रिय गर्न सक्नुहुन्न।
problem-body-too-large = यो पठाउन धेरै ठूलो छ।
problem-internal = सेवामा समस्या आयो। पछि फेरि प्रयास गरिन्छ।
problem-account-kind = यो खाता यसका लागि प्रयोग गर्न मिल्दैन।
problem-already-reversed = यो पहिले नै सच्याइसकिएको छ।
problem-body-timeout = इन्टरनेट धेरै ढिलो भयो। पछि फेरि प्रयास गरिन्छ।
problem-duplicate-account-code = यो कोड भएको खाता पहिले नै छ।
problem-entry-count = एउटा कारोबारमा कम्तीमा दुई लाइन हुनुपर्छ, तर धेरै धेरै हुनु हुँदैन।
problem-headers-too-large = अनुरोध धेरै ठूलो भयो।
problem-idempotency-key-required = अनुरोधमा यसको साँचो चाहिन्छ। पेज रिलोड गरेर फेरि प्रयास गर्नुहोस्।
problem-invalid-idempotency-key = अनुरोधको साँचो मान्य छैन। पेज रिलोड गरेर फेरि प्रयास गर्नुहोस्।
problem-invalid-parameter = ठेगानामा केही कुरा मिलेन।
problem-items-refused = केही विवरण अस्वीकार भए; केही पनि सेभ भएन।
problem-malformed-csv = तालिका पढ्न सकिएन।
problem-method-not-allowed = यो काम यहाँ गर्न मिल्दैन।
problem-period-already-closed = यो अवधि पहिले नै बन्द भइसकेको छ।
problem-reversal-of-reversal = सच्याउने कारोबारलाई फेरि सच्याउन मिल्दैन।
problem-status-transition = स्थितिको यो परिवर्तन गर्न मिल्दैन।
problem-too-many-connections = सेवा व्यस्त छ। पछि फेरि प्रयास गरिन्छ।
problem-unbalanced = डेबिट र क्रेडिट मिलेनन्।
problem-unknown-account = यो खाता समूहमा छैन।
problem-unsupported-media-type = अनुरोध पढ्न सकिएन।

## Approvals (a second person for money going out)
nav-approvals = स्वीकृति
action-approvals = स्वीकृति
home-approvals-count = { $count ->
    [one] { $count } विवरण स्वीकृति पर्खिँदै छ
   *[other] { $count } विवरण स्वीकृति पर्खिँदै छन्
}
home-approvals-many = { $count } भन्दा बढी विवरण स्वीकृति पर्खिँदै छन्
home-approvals-none = स्वीकृति पर्खिरहेको केही छैन।
home-approvals-unknown = स्वीकृति पर्खिरहेका विवरण अहिले हेर्न सकिँदैन।
approval-waiting = अर्को व्यक्तिको स्वीकृति पर्खिँदै: अहिलेसम्म गरिएको छैन।
approval-see-list = स्वीकृति पर्खिरहेका विवरण हेर्नुहोस्
approval-now-approved = स्वीकृत भयो: काम भइसक्यो।
approval-now-rejected = अस्वीकार भयो: काम गरिएन।
approval-now-expired = निर्णय नभई म्याद सकियो: काम गरिएन।
approval-kind-withdrawal = बचत निकासी
approval-kind-exit = सदस्यले समूह छोड्ने
approval-kind-policy = स्वीकृतिका नियम परिवर्तन
approval-kind-disbursement = लगानीमा हालेको पैसा
approval-kind-distribution = नाफा बाँडफाँड
approval-kind-reversal = सच्याइ
approval-kind-period_close = अवधि बन्द
approval-status-pending = पर्खिँदै
approval-status-approved = स्वीकृत
approval-status-rejected = अस्वीकृत
approval-status-expired = म्याद सकियो
approval-unknown-member = सूचीमा नभएको सदस्य
approval-exit-as = यसरी छोड्ने
approval-asked-by = अनुरोध गर्ने
approval-you = तपाईं
approval-someone = अर्को व्यक्ति (प्रयोगकर्ता { $id })
approval-asked-at = अनुरोध गरिएको
approval-expires-at = म्याद सकिने
approval-decided-by = निर्णय गर्ने
approval-decided-at = निर्णय भएको
approval-note = टिप्पणी
approval-note-optional = टिप्पणी (ऐच्छिक)
approval-would-post = यसले खाता बहीमा लेख्ने कुरा
approval-waiting-other = अर्को व्यक्ति पर्खिँदै: यो तपाईंले अनुरोध गर्नुभएको हो, त्यसैले अरू कसैले निर्णय गर्छ।
approval-approve = स्वीकृत गर्नुहोस्
approval-reject = अस्वीकार गर्नुहोस्
approval-approved-done = स्वीकृत भयो। खाता बहीमा लेखियो।
approval-rejected-done = अस्वीकार भयो। केही लेखिएन।
approvals-title = { $group }का स्वीकृतिहरू
approvals-mine-title = तपाईंको निर्णय पर्खिँदै
approvals-intro = बाहिर जाने पैसामा दोस्रो व्यक्ति चाहिन सक्छ। स्वीकृत गर्नुअघि हरेक विवरण नगद बाकससँग जाँच्नुहोस्।
approvals-items = विवरणहरू
approvals-show = देखाउनुहोस्
approvals-none = यहाँ केही छैन।
col-group = समूह
col-side = पक्ष
col-status = अवस्था
direction-debit = डेबिट
direction-credit = क्रेडिट
policy-title = दोस्रो व्यक्ति चाहिने कुरा
policy-withdrawals-above = { $amount } भन्दा बढीको बचत निकासी
policy-no-withdrawal-waits = रकम जति भए पनि कुनै निकासी पर्खिँदैन।
policy-exits-on = हरेक सदस्यले समूह छोड्दा
policy-exits-off = सदस्यले समूह छोड्दा पर्खिनु पर्दैन।
policy-disbursements-on = लगानीमा हालिने हरेक पैसा
policy-disbursements-off = लगानीमा हालिने पैसा पर्खिँदैन।
policy-distributions-on = हरेक नाफा बाँडफाँड
policy-distributions-off = नाफा बाँडफाँड पर्खिँदैन।
policy-reversals-on = हरेक सच्याइ
policy-reversals-off = सच्याइ पर्खिँदैन।
policy-period_closes-on = हरेक अवधि बन्द
policy-period_closes-off = अवधि बन्द पर्खिँदैन।
policy-expires = { $hours } घण्टाभित्र निर्णय नभएको विवरणको म्याद सकिन्छ।
policy-change = यी नियम बदल्नुहोस्
policy-screen-title = { $group }का स्वीकृति नियम
policy-now = अहिलेका नियम
policy-limit = यो रकमभन्दा बढीको निकासी पर्खिन्छ ({ $currency })
policy-limit-hint = कुनै सीमा नचाहिए खाली छोड्नुहोस्; 0 राखे हरेक निकासी पर्खिन्छ।
policy-exits-label = हरेक सदस्यले समूह छोड्दा स्वीकृति पर्खिन्छ
policy-hours = विवरणको म्याद सकिनुअघिका घण्टा
policy-save = नियम सेभ गर्नुहोस्
policy-waits = तपाईंको परिवर्तन अर्को व्यक्तिको स्वीकृति पर्खिँदै छ।
policy-applied = नयाँ नियम अहिलेदेखि लागू भयो।
policy-admin-applies = तपाईं प्रशासक हुनुहुन्छ: तपाईंको परिवर्तन तुरुन्तै लागू हुन्छ।
policy-treasurer-waits = अर्को व्यक्तिले स्वीकृत गरेपछि मात्र तपाईंको परिवर्तन लागू हुन्छ।

## Remittances on their way
remit-status-arrived = पुग्यो
remit-status-in_transit = बाटोमा छ
remit-status-completed = पुग्यो (पुष्टि भयो)
remit-status-failed = असफल भयो वा फिर्ता आयो
remit-in-transit-label = अहिलेसम्म पुगेको छैन: बाटोमा छ भनी दर्ता गर्नुहोस्
remit-saved-in-transit = बाटोमा छ भनी सेभ भयो। परिवारले पुष्टि गरेपछि पुगेको दर्ता गर्नुहोस्।
remit-in-transit-title = बाटोमा रहेका रेमिट्यान्स
remit-in-transit-none = कुनै रेमिट्यान्स बाटोमा छैन।
remit-sent-on = { $date }मा पठाइएको, { $days ->
    [one] { $days } दिन अघि
   *[other] { $days } दिन अघि
}
remit-arrived-amount = पाएको रकम ({ $currency })
remit-arrived-save = पुग्यो
remit-failed-kept = कम्पनीले राखेको ({ $currency }, ऐच्छिक)
remit-failed-save = असफल भयो वा फिर्ता आयो
remit-arrived-done = पुगेको दर्ता भयो।
remit-failed-done = असफल भनी दर्ता भयो: पैसा सदस्यको बचतमा फिर्ता भयो।
member-remittances = रेमिट्यान्स

## Group performance
action-performance = समूहको कार्यसम्पादन
action-accreditation = मान्यताका लागि विवरण
perf-title = { $group }को कार्यसम्पादन
perf-from = देखि
perf-from-hint = खाली: समूहको पहिलो दिनदेखि।
perf-to = सम्म
perf-to-hint = खाली: आजसम्म।
perf-period = { $from } देखि { $to } सम्म ({ $days ->
    [one] एक दिन
   *[other] { $days } दिन
})
perf-not-available = उपलब्ध छैन
perf-ind-members = सदस्यहरू
perf-ind-members_at_start = सुरुमा सदस्यहरू
perf-ind-women_percent = सदस्यमध्ये महिला
perf-ind-meetings = बैठकहरू
perf-ind-attendance_percent = उपस्थिति
perf-ind-savings = सदस्यहरूको बचत
perf-ind-savings_per_member = प्रति सदस्य बचत
perf-ind-net_income = खुद आम्दानी
perf-ind-return_on_savings_percent = बचतमा वार्षिक प्रतिफल
perf-ind-return_on_assets_percent = सम्पत्तिमा वार्षिक प्रतिफल
perf-ind-members_left = छोडेका सदस्यहरू
perf-ind-dropout_percent = छोड्ने दर
perf-ind-portfolio_written_down_percent = मूल्य घटाइएका लगानी
perf-ind-social_fund = सामाजिक कोष
perf-ind-savings_mobilised = जुटाइएको बचत
perf-none-here = यहाँ मान छैन:
perf-def-members = अवधिको अन्त्यमा सदस्यहरू: अवधिको अन्तिम दिनसम्म सामेल भइसकेका र त्यो दिनसम्म घर नफर्केका वा समूह नछोडेका सदस्यहरू।
perf-def-members_at_start = अवधि सुरु हुनुभन्दा अघिल्लो दिनका सदस्यहरू, उही तरिकाले गनिएका।
perf-def-women_percent = अवधिको अन्त्यमा सदस्यमध्ये महिलाको हिस्सा: महिला ÷ सदस्य × १००।
perf-def-meetings = अवधिभित्र बसेका बैठकहरू।
perf-def-attendance_percent = अवधिका बैठकमा कति सदस्य आए: दर्ता गरिएका उपस्थिति ÷ (हरेक बैठकका लागि, त्यस दिन समूहमा भएका सदस्य) × १००।
perf-def-savings = अवधिको अन्त्यमा सदस्यहरूको बचत, { $currency } मा: हरेक सदस्यको बचत खाताको मौज्दात।
perf-def-savings_per_member = अवधिको अन्त्यमा प्रति सदस्य बचत, { $currency } मा: सदस्यहरूको बचत ÷ सदस्य, सेन्टसम्म।
perf-def-net_income = अवधिभित्र समूहले कमाएको रकम, { $currency } मा: अवधिभित्र दर्ता भएको आम्दानीबाट खर्च घटाएर (लगानीको आम्दानी र विनिमय दरको नाफाबाट शुल्क, विनिमय दरको नोक्सानी र लगानीको मूल्य घटाइएको रकम घटाएर); अरू मुद्रामा भएका रकम न साटिन्छन् न गनिन्छन्।
perf-def-return_on_savings_percent = सदस्यहरूको बचतमा वार्षिक प्रतिफल: खुद आम्दानी ÷ औसत बचत (अवधि सुरु हुनुअघिको दिन र अवधिको अन्तिम दिनको बचतको औसत) × ३६५ ÷ अवधिका दिन × १००।
perf-def-return_on_assets_percent = समूहको सम्पत्तिमा वार्षिक प्रतिफल: खुद आम्दानी ÷ समूहको मुद्रामा औसत सम्पत्ति (अवधि सुरु हुनुअघिको दिन र अवधिको अन्तिम दिनको औसत) × ३६५ ÷ अवधिका दिन × १००।
perf-def-members_left = अवधिभित्र घर फर्केका वा समूह छोडेका सदस्यहरू।
perf-def-dropout_percent = छोड्ने दर: अवधिभित्र घर फर्केका वा समूह छोडेका सदस्य ÷ अवधि सुरु हुनुअघिको दिनका सदस्य × १००।
perf-def-portfolio_written_down_percent = मूल्य घटाइएका लगानीको हिस्सा: अवधिभित्र दर्ता गरिएको मूल्य घटाइएको रकम ÷ अवधिको अन्त्यसम्म { $currency } मा लगानीमा हालिएको सबै रकम × १००।
perf-def-social_fund = अवधिको अन्त्यमा सामाजिक (कल्याण) कोष, { $currency } मा: खाँचोमा परेका सदस्यका लागि राखिएको रकम, जुन कहिल्यै बाँडिँदैन।
perf-def-savings_mobilised = अवधिभित्र जुटाइएको बचत, { $currency } मा: सदस्यहरूको बचत खातामा जम्मा भएको सबै रकम (जम्मा, समूहका लागि आएको रेमिट्यान्स, बचतमा हालिएको नाफाको भाग)।
accr-title = { $group }को मान्यताका लागि विवरण
accr-on = विवरणको मिति
accr-on-hint = खाली: आज।
accr-print = प्रिन्ट वा PDF मा सेभ गर्नुहोस्
accr-download = हस्ताक्षर गरिएको विवरण डाउनलोड गर्नुहोस् (JSON)
accr-heading = { $group }: { $date } मा लेखापरीक्षण गरिएका अंकहरू
accr-countries = सदस्यहरू { $host } मा काम गर्छन्; घर देश { $home }; समूहको मुद्रा { $currency }।
accr-balance-sheet = वासलात ({ $currency })
accr-assets = सम्पत्ति
accr-total-assets = कुल सम्पत्ति
accr-liabilities = दायित्व
accr-total-liabilities = कुल दायित्व
accr-equity = पुँजी कोष
accr-total-equity = कुल पुँजी कोष
accr-result = नतिजा र सन्तुलन जाँच
accr-unclosed-income = पुँजी कोषमा बन्द नगरिएको आम्दानी
accr-unclosed-expenses = पुँजी कोषमा बन्द नगरिएको खर्च
accr-equation-assets = सम्पत्ति
accr-equation-other-side = दायित्व, पुँजी कोष र नतिजा
accr-equation-holds = वासलात मिलेको छ: सम्पत्ति दायित्व, पुँजी कोष र नतिजा बराबर छ।
accr-equation-broken = वासलात मिलेको छैन।
accr-income-statement = यो मितिसम्मको आय विवरण ({ $currency })
accr-income = आम्दानी
accr-total-income = कुल आम्दानी
accr-expenses = खर्च
accr-total-expenses = कुल खर्च
accr-net-income = खुद आम्दानी
accr-savings-mobilised = जुटाइएको बचत
accr-savings-mobilised-text = यो मितिसम्म सदस्यहरूको बचतमा जम्मा भएको सबै रकम:
accr-investments = लगानी
accr-committed = वाचा गरिएको
accr-disbursed = हालिएको
accr-no-investments = यो मितिमा कुनै लगानी छैन।
accr-distributions = बाँडिएको नाफा
accr-pool = बाँडिएको रकम
accr-members = सदस्य
accr-no-distributions = यो मितिसम्म कुनै नाफा बाँडिएको छैन।
accr-indicators = { $from } देखि { $to } सम्मका सूचकहरू
accr-indicator = सूचक
accr-value = मान
accr-definition = परिभाषा
accr-chain = खाता बहीको जाँच
accr-chain-ok = खाता बहीको ह्यास चेन ठीक छ: { $count ->
    [one] एउटा कारोबार
   *[other] { $count } कारोबार
} जाँचियो, कुनै पनि बदलिएको छैन।
accr-chain-broken = खाता बहीको ह्यास चेन मिलेन। लेखापरीक्षकले नहेरेसम्म यो विवरणमा भर नपर्नुहोस्।
accr-chain-head = अन्तिम कारोबार: नं. { $sequence }। यसको ह्यास:
accr-signature = हस्ताक्षर
accr-signed-by = सेवाले यो विवरणमा { $when } मा आफ्नो Ed25519 कुञ्जी { $key } ले हस्ताक्षर गर्‍यो।
accr-key-id = कुञ्जीको id:
accr-signature-value = हस्ताक्षर (base64):
accr-verify-title = बैंकले खाता बिना यसलाई कसरी जाँच्छ
accr-verify-file = समूहसँग हस्ताक्षर गरिएको फाइल माग्नुहोस् (यस पृष्ठको "हस्ताक्षर गरिएको विवरण डाउनलोड गर्नुहोस्" ले यो बनाउँछ)।
accr-verify-keys = सबैका लागि खुला सेवाका सार्वजनिक कुञ्जीहरू लिनुहोस्, र key id { $key } भएको कुञ्जी प्रयोग गर्नुहोस्:
accr-verify-check = फाइलको "payload" का ठ्याक्कै बाइटहरूसँग Ed25519 हस्ताक्षर जाँच्नुहोस्, जस्तै तलको जस्तो OpenSSL ले।
accr-verify-meaning = हस्ताक्षर मिलेमा, फाइलका अंकहरू सेवाले हस्ताक्षर गरेकै हुन्, र यो पृष्ठले त्यही फाइलका अंकहरू देखाउँछ।

-- A network of 1,000 groups (20 members each) and 1,000,000 transactions (2,000,000 entries,
-- 700,000 of them on members' savings accounts) booked over 2024 and 2025, with 12
-- remittances and 2 investments (4 events each) per group, as the bench's own loader makes
-- them, written straight into a PostgreSQL database the service has migrated: for timing the
-- network dashboard at full size in minutes rather than the hour the bench's loader takes
-- through the store. Only the tables the dashboard's reports read are filled; the hash chain
-- is not a real one, and investment events name transactions of the journal that are not
-- theirs. See BENCHMARKS.md.
--
--   psql "$URL" -v ON_ERROR_STOP=1 -f benches/network_synthetic.sql
BEGIN;
INSERT INTO groups (id, name, currency, host_country, home_country, created_at, head_hash)
SELECT md5('g' || g)::uuid, 'Synthetic ' || lpad(g::text, 4, '0'), 'HKD',
       (ARRAY['HK', 'SG', 'AE', 'SA', 'KW'])[1 + g % 5], (ARRAY['PH', 'ID', 'NP', 'BD', 'LK'])[1 + (g / 5) % 5],
       now(), ''
FROM generate_series(0, 999) g;
-- Each member's savings (s) and capital (c) accounts; the group's cash (a…-0) and three others.
INSERT INTO accounts (id, group_id, code, name, type, currency, no_overdraft, created_at)
SELECT md5('s' || g || '-' || k)::uuid, md5('g' || g)::uuid, 'liabilities:savings:' || k, 'Savings ' || k,
       'liability', 'HKD', true, now()
FROM generate_series(0, 999) g, generate_series(0, 19) k;
INSERT INTO accounts (id, group_id, code, name, type, currency, no_overdraft, created_at)
SELECT md5('c' || g || '-' || k)::uuid, md5('g' || g)::uuid, 'equity:capital:' || k, 'Capital ' || k,
       'equity', 'HKD', false, now()
FROM generate_series(0, 999) g, generate_series(0, 19) k;
INSERT INTO accounts (id, group_id, code, name, type, currency, no_overdraft, created_at)
SELECT md5('a' || g || '-' || k)::uuid, md5('g' || g)::uuid,
       (ARRAY['assets:cash:HKD', 'income:fees', 'liabilities:social_fund', 'income:interest'])[1 + k],
       'Account ' || k, (ARRAY['asset', 'income', 'liability', 'income'])[1 + k], 'HKD', false, now()
FROM generate_series(0, 999) g, generate_series(0, 3) k;
INSERT INTO members (id, group_id, name, sex, birth_year, home_country, host_country, joined_on, status,
                     status_on, savings_account_id, capital_account_id, created_at, number)
SELECT md5('m' || g || '-' || k)::uuid, md5('g' || g)::uuid, 'Member ' || k,
       (ARRAY['female', 'female', 'male', 'other', 'undisclosed'])[1 + k % 5], 1980 + k,
       (ARRAY['PH', 'ID', 'NP', 'BD', 'LK'])[1 + (g / 5) % 5], (ARRAY['HK', 'SG', 'AE', 'SA', 'KW'])[1 + g % 5],
       date '2024-01-01' + k * 17, CASE WHEN k = 19 THEN 'returned_home' ELSE 'active' END,
       CASE WHEN k = 19 THEN date '2025-06-30' END,
       md5('s' || g || '-' || k)::uuid, md5('c' || g || '-' || k)::uuid, now(), k + 1
FROM generate_series(0, 999) g, generate_series(0, 19) k;
-- Transaction i: group i % 1000; 35 % a member's deposit (cash → savings), 35 % a member's
-- withdrawal (savings → another account), the rest between the group's other accounts.
INSERT INTO transactions (id, group_id, sequence, booked_on, recorded_at, description, metadata,
                          previous_hash, hash)
SELECT md5('t' || i)::uuid, md5('g' || (i % 1000))::uuid, i / 1000 + 1,
       date '2024-01-01' + ((i * 730) / 1000000)::int, now(), 'synthetic', '{}', md5('p' || i), md5('h' || i)
FROM generate_series(0::bigint, 999999) i;
INSERT INTO entries (group_id, transaction_id, line, account_id, direction, amount_minor, currency, booked_on,
                     sequence)
SELECT md5('g' || (i % 1000))::uuid, md5('t' || i)::uuid, l,
       CASE WHEN l = 0 AND (i * 7919) % 100 >= 65 THEN md5('s' || (i % 1000) || '-' || ((i / 1000 + 7) % 20))::uuid
            WHEN l = 0 THEN md5('a' || (i % 1000) || '-0')::uuid
            WHEN (i * 7919) % 100 < 35 THEN md5('s' || (i % 1000) || '-' || ((i / 1000) % 20))::uuid
            ELSE md5('a' || (i % 1000) || '-' || (1 + (i / 1000) % 3))::uuid END,
       CASE WHEN l = 0 THEN 'debit' ELSE 'credit' END,
       CASE WHEN (i * 7919) % 100 >= 65 THEN 100 + i % 500 ELSE 1000 + i % 5000 END, 'HKD',
       date '2024-01-01' + ((i * 730) / 1000000)::int, i / 1000 + 1
FROM generate_series(0::bigint, 999999) i, generate_series(0, 1) l;
-- Twelve remittances a member of each group sends home over 2025 (no part to the group's
-- savings, so no transaction), and two investments per group with four events each.
INSERT INTO remittances (id, group_id, member_id, send_amount_minor, send_currency, fee_minor,
                         receive_amount_minor, receive_currency, applied_rate, rate_derived, provider,
                         channel, send_country, receive_country, uses, booked_on, created_at)
SELECT md5('r' || g || '-' || r)::uuid, md5('g' || g)::uuid, md5('m' || g || '-' || (r % 20))::uuid,
       100000 + r * 1000, 'HKD', 2000 + (g + r) % 4000, (100000 + r * 1000) * 7,
       (ARRAY['PHP', 'IDR', 'NPR', 'BDT', 'LKR'])[1 + (g / 5) % 5], '7', true, 'Provider ' || (r % 3),
       (ARRAY['bank', 'money_transfer_operator', 'mobile_wallet', 'post'])[1 + r % 4],
       (ARRAY['HK', 'SG', 'AE', 'SA', 'KW'])[1 + g % 5], (ARRAY['PH', 'ID', 'NP', 'BD', 'LK'])[1 + (g / 5) % 5],
       '[{"purpose":"family_support","amount_minor":' || ((100000 + r * 1000) * 7) || '}]',
       date '2025-01-05' + r * 30, now()
FROM generate_series(0, 999) g, generate_series(0, 11) r;
INSERT INTO accounts (id, group_id, code, name, type, currency, no_overdraft, created_at)
SELECT md5('i' || g || '-' || k)::uuid, md5('g' || g)::uuid, 'assets:investments:' || k, 'Investment ' || k,
       'asset', 'HKD', false, now()
FROM generate_series(0, 999) g, generate_series(0, 1) k;
INSERT INTO investments (id, group_id, name, kind, sector, country, currency, committed_minor, women_led,
                         status, account_id, created_at)
SELECT md5('v' || g || '-' || k)::uuid, md5('g' || g)::uuid, 'Venture ' || k,
       (ARRAY['cooperative', 'enterprise', 'livelihood', 'land', 'deposit', 'other'])[1 + (g + k) % 6],
       (ARRAY['agriculture', 'retail', 'transport', 'fishing', 'housing', 'crafts'])[1 + (g * 2 + k) % 6],
       (ARRAY['PH', 'ID', 'NP', 'BD', 'LK'])[1 + (g / 5) % 5], 'HKD', 500000, (g + k) % 3 = 0,
       'active', md5('i' || g || '-' || k)::uuid, now()
FROM generate_series(0, 999) g, generate_series(0, 1) k;
INSERT INTO investment_events (id, group_id, investment_id, kind, amount_minor, currency, booked_on,
                               transaction_id, created_at)
SELECT md5('x' || g || '-' || k || '-' || n)::uuid, md5('g' || g)::uuid, md5('v' || g || '-' || k)::uuid,
       (ARRAY['disbursement', 'income', 'capital_returned', 'income'])[1 + n], 10000 * (n + 1), 'HKD',
       date '2025-02-01' + n * 60, md5('t' || (g + 1000 * (k * 4 + n)))::uuid, now()
FROM generate_series(0, 999) g, generate_series(0, 1) k, generate_series(0, 3) n;
UPDATE accounts a SET debits_minor = t.debits, credits_minor = t.credits
FROM (SELECT account_id,
             SUM(CASE WHEN direction = 'debit' THEN amount_minor ELSE 0 END) AS debits,
             SUM(CASE WHEN direction = 'credit' THEN amount_minor ELSE 0 END) AS credits
      FROM entries GROUP BY account_id) t
WHERE a.id = t.account_id;
UPDATE groups SET head_sequence = 1000;
COMMIT;
VACUUM ANALYZE;

-- A network of 1,000 groups (20 members each) and 1,000,000 transactions (2,000,000 entries,
-- 700,000 of them on members' savings accounts) booked over 2024 and 2025, written straight
-- into a PostgreSQL database the service has migrated: for timing the savings trend and the
-- network dashboard at full size in minutes rather than the hour the bench's API-driven load
-- takes. Only the tables those reports read are filled (groups, accounts, members,
-- transactions, entries); the hash chain is not a real one. See BENCHMARKS.md.
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
UPDATE accounts a SET debits_minor = t.debits, credits_minor = t.credits
FROM (SELECT account_id,
             SUM(CASE WHEN direction = 'debit' THEN amount_minor ELSE 0 END) AS debits,
             SUM(CASE WHEN direction = 'credit' THEN amount_minor ELSE 0 END) AS credits
      FROM entries GROUP BY account_id) t
WHERE a.id = t.account_id;
UPDATE groups SET head_sequence = 1000;
COMMIT;
VACUUM ANALYZE;

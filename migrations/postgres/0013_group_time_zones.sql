-- A group keeps its host country's time, so that "today" (the default date of a write, of a
-- meeting, of a status) is the date where the group meets, not the server's. A new group
-- names its zone or takes its host country's; the groups created before this get the zone of
-- their host country where that country keeps one time throughout (the table of
-- src/domain/dates.rs, HOST_COUNTRY_ZONES), and UTC elsewhere, which their treasurer can
-- change (PATCH /v1/groups/{group_id}).
ALTER TABLE groups ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';

UPDATE groups SET time_zone = CASE host_country
    WHEN 'AE' THEN 'Asia/Dubai'
    WHEN 'BD' THEN 'Asia/Dhaka'
    WHEN 'BH' THEN 'Asia/Bahrain'
    WHEN 'BN' THEN 'Asia/Brunei'
    WHEN 'CH' THEN 'Europe/Zurich'
    WHEN 'DE' THEN 'Europe/Berlin'
    WHEN 'FR' THEN 'Europe/Paris'
    WHEN 'GB' THEN 'Europe/London'
    WHEN 'GR' THEN 'Europe/Athens'
    WHEN 'HK' THEN 'Asia/Hong_Kong'
    WHEN 'IE' THEN 'Europe/Dublin'
    WHEN 'IL' THEN 'Asia/Jerusalem'
    WHEN 'IN' THEN 'Asia/Kolkata'
    WHEN 'IT' THEN 'Europe/Rome'
    WHEN 'JO' THEN 'Asia/Amman'
    WHEN 'JP' THEN 'Asia/Tokyo'
    WHEN 'KH' THEN 'Asia/Phnom_Penh'
    WHEN 'KR' THEN 'Asia/Seoul'
    WHEN 'KW' THEN 'Asia/Kuwait'
    WHEN 'LB' THEN 'Asia/Beirut'
    WHEN 'LK' THEN 'Asia/Colombo'
    WHEN 'MO' THEN 'Asia/Macau'
    WHEN 'MV' THEN 'Indian/Maldives'
    WHEN 'MY' THEN 'Asia/Kuala_Lumpur'
    WHEN 'NL' THEN 'Europe/Amsterdam'
    WHEN 'NP' THEN 'Asia/Kathmandu'
    WHEN 'OM' THEN 'Asia/Muscat'
    WHEN 'PH' THEN 'Asia/Manila'
    WHEN 'PK' THEN 'Asia/Karachi'
    WHEN 'QA' THEN 'Asia/Qatar'
    WHEN 'SA' THEN 'Asia/Riyadh'
    WHEN 'SG' THEN 'Asia/Singapore'
    WHEN 'TH' THEN 'Asia/Bangkok'
    WHEN 'TW' THEN 'Asia/Taipei'
    WHEN 'VN' THEN 'Asia/Ho_Chi_Minh'
    ELSE 'UTC'
END;

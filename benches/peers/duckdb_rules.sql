-- Deterministic rules of the doisoat default rule pack (SPEC §4) in DuckDB SQL.
--
-- A peer implementation for the side-by-side benchmark (benches/peers/run.py): it
-- reads the same CSV files as `doisoat run`, applies every rule that needs no fuzzy
-- matching, and writes the same kind of artefacts: a findings table (findings.csv,
-- SPEC §5 columns) and one worklist CSV per commune (`COPY … PARTITION_BY`).
--
-- Rules: DUNG.ID_STRUCTURE, DUNG.ID_BIRTH_PROVINCE, DUNG.INVALID_VALUE,
-- DU.MISSING_FIELD, DU.HOUSEHOLD_NO_HEAD, DUNG.HOUSEHOLD_MULTI_HEAD, SACH.DUP_ID,
-- SONG.NO_ID_CARD, SONG.CARD_EXPIRED, SONG.DEATH_NOT_RECORDED (deaths joined by ID),
-- XM.<ds>.MISMATCH and XM.<ds>.DECEASED_ACTIVE (sector records joined by exact ID).
--
-- Written for speed the way one would for a nightly job: every input value is parsed
-- once into typed columns, expensive text normalisation only runs where the raw values
-- differ, and per-record detail text is only built for records that have a finding.
--
-- Placeholders substituted by duckdb_rules.py: {{DATA}} (folder of the generated
-- province), {{OUT}} (output folder), {{REF}} (rules/ref of the project: ethnicities
-- and nationalities), {{AS_OF}} (run date, YYYY-MM-DD).
-- `-- @stage NAME` lines split the script into timed stages; the driver also times
-- every statement (`--verbose`).

-- @stage setup
SET VARIABLE as_of = DATE '{{AS_OF}}';

-- ---------------------------------------------------------------------------------
-- Text. Names compare ignoring case, spacing and Unicode form (NFC/NFD).
CREATE MACRO nz(t) AS nullif(trim(t), '');
-- Empty or only spaces (trim() only runs on values that start with a space).
CREATE MACRO blank(t) AS t IS NULL OR (ascii(t) = 32 AND trim(t) = '');
-- NFC, lower case, single spaces: the form in which diacritics still count.
CREATE MACRO name_plain(t) AS
    CASE WHEN contains(t, '  ') THEN regexp_replace(trim(lower(nfc_normalize(t))), '\s+', ' ', 'g')
         ELSE trim(lower(nfc_normalize(t))) END;
-- Without diacritics (đ is a letter of its own in Unicode: strip_accents keeps it).
CREATE MACRO name_folded(plain) AS strip_accents(replace(plain, 'đ', 'd'));
-- Key for reference lists: folded, without spaces, hyphens or apostrophes
-- ("Ê-đê" = "Ê Đê" → "ede", "H'Mông" → "hmong").
CREATE MACRO list_key(t) AS
    regexp_replace(strip_accents(replace(lower(nfc_normalize(t)), 'đ', 'd')), '[^a-z0-9]', '', 'g');
-- Gender code: 0 Nam, 1 Nữ (any case, with or without diacritics), else NULL.
CREATE MACRO gender_code(t) AS CASE list_key(t) WHEN 'nam' THEN 0 WHEN 'nu' THEN 1 END;

-- ---------------------------------------------------------------------------------
-- Dates: dd/mm/yyyy, d/m/yyyy, yyyy-mm-dd, or partial mm/yyyy, yyyy (day-first
-- always). A date is kept as the interval [lo, hi] of days it can mean and its
-- precision 'd' | 'm' | 'y'; lo is NULL when text is present but is no date.
CREATE MACRO date_prec(t) AS
    CASE WHEN t IS NULL THEN NULL WHEN length(t) = 4 THEN 'y' WHEN length(t) <= 7 THEN 'm' ELSE 'd' END;
CREATE MACRO date_lo(t) AS
    CASE WHEN t IS NULL THEN NULL
         WHEN length(t) = 4 THEN make_date(TRY_CAST(t AS INTEGER), 1, 1)
         WHEN length(t) <= 7 THEN try_strptime('1/' || t, '%d/%m/%Y')::DATE
         WHEN contains(t, '-') THEN try_strptime(t, '%Y-%m-%d')::DATE
         ELSE try_strptime(t, '%d/%m/%Y')::DATE END;
CREATE MACRO date_hi(lo, prec) AS
    CASE prec WHEN 'd' THEN lo WHEN 'm' THEN last_day(lo) WHEN 'y' THEN make_date(year(lo), 12, 31) END;
-- Completed years of age on day o for someone born on day b.
CREATE MACRO age_on(b, o) AS
    year(o) - year(b) - CASE WHEN (month(o), day(o)) < (month(b), day(b)) THEN 1 ELSE 0 END;
-- Card renewal (SPEC §4 SONG.CARD_EXPIRED): renewal ages 14, 25, 40, 60; a card issued
-- within 2 years before a renewal age stays valid until the next one; none after 60.
CREATE MACRO due_age(issue_age) AS
    CASE WHEN issue_age < 12 THEN 14 WHEN issue_age < 23 THEN 25
         WHEN issue_age < 38 THEN 40 WHEN issue_age < 58 THEN 60 END;
CREATE MACRO card_expired_for(b, issue, on_day) AS
    coalesce(age_on(b, on_day) >= due_age(age_on(b, issue)), false);

-- ---------------------------------------------------------------------------------
-- Personal ID (SPEC §2): PPP G YY NNNNNN. The 63 PPP province prefixes, embedded.
CREATE TABLE id_prefix AS SELECT unnest([
    '001','002','004','006','008','010','011','012','014','015','017','019','020','022',
    '024','025','026','027','030','031','033','034','035','036','037','038','040','042',
    '044','045','046','048','049','051','052','054','056','058','060','062','064','066',
    '067','068','070','072','074','075','077','079','080','082','083','084','086','087',
    '089','091','092','093','094','095','096']) AS ppp;
-- Two-digit statistical province codes: the same 63 (an ID's PPP is the code with a 0).
CREATE TABLE province_code AS SELECT ppp::INTEGER AS code FROM id_prefix;
-- Checks of a 12-digit string s against the birth year y and gender code g (TRY_CAST:
-- SQL may evaluate these on rows a WHERE clause then drops).
CREATE MACRO id_digit(s, i) AS TRY_CAST(substr(s, i, 1) AS INTEGER);
CREATE MACRO id_prov_ok(s) AS substr(s, 1, 3) IN (SELECT ppp FROM id_prefix);
-- G: 0/1 born 1900–1999, 2/3 2000–2099, …; YY: last two digits of the birth year. With
-- no plausible birth year, a century digit for births from 2100 on is still impossible.
CREATE MACRO id_year_ok(s, y) AS
    CASE WHEN y IS NULL THEN id_digit(s, 4) < 4
         ELSE (y // 100 - 19) = id_digit(s, 4) // 2
              AND y % 100 = TRY_CAST(substr(s, 5, 2) AS INTEGER) END;
CREATE MACRO id_gender_ok(s, g) AS g IS NULL OR g = id_digit(s, 4) % 2;
CREATE MACRO id_ok(s, y, g) AS id_prov_ok(s) AND id_year_ok(s, y) AND id_gender_ok(s, g);

-- Reference lists shipped with the rules (canonical name | aliases …; # comments),
-- as folded keys.
CREATE MACRO ref_keys(path) AS TABLE
    SELECT DISTINCT list_key(alias) AS k
    FROM (SELECT unnest(string_split(split_part(line, '#', 1), '|')) AS alias
          FROM read_csv(path, columns = {'line': 'VARCHAR'}, header = false, delim = '\t',
                        quote = '', escape = '', auto_detect = false))
    WHERE list_key(alias) <> '';
CREATE TABLE ethnicity_ref AS SELECT k FROM ref_keys('{{REF}}/ethnicities.txt');
CREATE TABLE nationality_ref AS SELECT k FROM ref_keys('{{REF}}/nationalities.txt');

-- @stage read
-- Every column is read as VARCHAR (identifiers keep their leading zeros; dates are
-- parsed by the rules: several formats, partial dates). Empty fields read as NULL.

-- Administrative units in force.
CREATE TABLE admin AS
SELECT DISTINCT trim(commune_code) AS commune_code
FROM read_csv('{{DATA}}/admin_units.csv', all_varchar = true, header = true, delim = ',');

-- Death registrations (khai tử), keyed by death_reg_id.
CREATE TABLE deaths AS
SELECT death_reg_id, pid, full_name, birth_date, commune_code,
       d_lo, date_hi(d_lo, d_prec) AS d_hi
FROM (SELECT *, nz(person_id) AS pid, date_lo(nz(death_date)) AS d_lo, date_prec(nz(death_date)) AS d_prec
      FROM read_csv('{{DATA}}/deaths.csv', all_varchar = true, header = true, delim = ','));

-- The population register, with every parsed value the rules need, in one pass.
CREATE TABLE pop AS
WITH raw AS (
    SELECT *,
           nz(person_id) AS pid,
           nz(birth_date) AS birth_t, nz(death_date) AS death_t, nz(card_issue_date) AS card_t,
           date_lo(nz(birth_date)) AS b_lo, date_prec(nz(birth_date)) AS b_prec,
           date_lo(nz(death_date)) AS d_lo, date_prec(nz(death_date)) AS d_prec,
           date_lo(nz(card_issue_date)) AS c_lo, date_prec(nz(card_issue_date)) AS c_prec,
           gender_code(gender) AS g,
           list_key(relation_to_head) = 'chuho' AS is_head,
           -- any numeric code: birth provinces before the 2025 merger are not in
           -- today's list, and the SPEC's reference-list checks do not include them
           CASE WHEN regexp_full_match(trim(birth_province_code), '\d{1,3}')
                THEN TRY_CAST(trim(birth_province_code) AS INTEGER) END AS birth_prov,
           regexp_full_match(nz(person_id), '\d{12}') AS is12,
           regexp_full_match(nz(person_id), '\d{9,11}') AS is9to11
    FROM read_csv('{{DATA}}/population.csv', all_varchar = true, header = true, delim = ',')
),
dated AS (
    SELECT *, date_hi(b_lo, b_prec) AS b_hi, date_hi(d_lo, d_prec) AS d_hi,
           date_hi(c_lo, c_prec) AS c_hi
    FROM raw
),
registered AS (SELECT DISTINCT pid FROM deaths WHERE pid IS NOT NULL),
facts AS (
    SELECT dated.*,
           -- plausible birth: parsed, not in the future, at most 120 at death (or today)
           b_lo IS NOT NULL AND b_lo <= getvariable('as_of')
               AND age_on(b_lo, CASE WHEN d_hi <= getvariable('as_of') THEN d_hi
                                     ELSE getvariable('as_of') END) <= 120 AS birth_ok,
           -- alive: no death date in the register and no registered death for the ID
           death_t IS NULL AND registered.pid IS NULL AS alive,
           lpad(dated.pid, 12, '0') AS padded
    FROM dated LEFT JOIN registered ON registered.pid = dated.pid
)
-- the birth year a valid ID must encode (of a plausible birth date only)
SELECT *, CASE WHEN birth_ok THEN year(b_lo) END AS birth_year FROM facts;

-- Records of the same ID (SACH.DUP_ID; the cross-match picks the best of them).
CREATE TABLE dup_id AS SELECT pid FROM pop WHERE pid IS NOT NULL GROUP BY pid HAVING count(*) > 1;

-- Sector datasets as one relation (ds, record key, identity fields, birth date
-- parsed); tax carries no gender, only vaccination a dose date. A view: it is read
-- once, streaming into the cross-match join.
CREATE VIEW sector AS
SELECT *, date_lo(nz(birth_date)) AS sb_lo, date_prec(nz(birth_date)) AS sb_prec
FROM (
    SELECT 'insurance' AS ds, insurance_code AS record_key, nz(person_id) AS pid, full_name,
           birth_date, gender, commune_code, status, NULL::VARCHAR AS dose_date
    FROM read_csv('{{DATA}}/insurance.csv', all_varchar = true, header = true, delim = ',')
    UNION ALL
    SELECT 'tax', tax_code, nz(person_id), full_name, birth_date, NULL, commune_code, NULL, NULL
    FROM read_csv('{{DATA}}/tax.csv', all_varchar = true, header = true, delim = ',')
    UNION ALL
    SELECT 'vaccination', record_id, nz(person_id), full_name, birth_date, gender, commune_code,
           NULL, dose_date
    FROM read_csv('{{DATA}}/vaccination.csv', all_varchar = true, header = true, delim = ';')
)
WHERE pid IS NOT NULL;  -- only records with an ID take part in the exact-ID rules

-- @stage population_rules
-- Findings are collected in one table: the SPEC §5 columns plus the household, used
-- to order the worklists.
CREATE TABLE findings_raw (
    rule_id VARCHAR, dimension VARCHAR, severity VARCHAR, dataset VARCHAR,
    record_key VARCHAR, person_id VARCHAR, full_name VARCHAR, birth_date VARCHAR,
    province_code VARCHAR, district_code VARCHAR, commune_code VARCHAR, fields VARCHAR,
    detail VARCHAR, suggested_value VARCHAR, related_keys VARCHAR, cluster_id VARCHAR,
    household_id VARCHAR);

-- DUNG.ID_STRUCTURE: not 12 digits, unknown province code, century/year digits vs the
-- birth year, gender digit vs the gender. 9–11 digits that become a valid ID when
-- left-padded with zeros: leading zeros lost (suggest the padded value).
INSERT INTO findings_raw
SELECT 'DUNG.ID_STRUCTURE', 'dung', 'high', 'population', record_id, person_id, full_name,
       birth_date, province_code, district_code, commune_code, 'person_id',
       CASE
           WHEN lost_zeros THEN 'Số định danh ' || pid || ' mất số 0 ở đầu (' || length(pid)
                || ' chữ số); đúng là ' || padded
           WHEN NOT is12 THEN 'Số định danh ' || pid || ' không phải 12 chữ số'
           ELSE 'Số định danh ' || pid || ': ' || concat_ws('; ',
               CASE WHEN NOT id_prov_ok(pid) THEN 'mã tỉnh ' || substr(pid, 1, 3) || ' không tồn tại' END,
               CASE WHEN NOT id_year_ok(pid, birth_year) THEN 'mã thế kỷ/năm sinh ' || substr(pid, 4, 3)
                    || ' không khớp năm sinh ' || coalesce(birth_year::VARCHAR, '?') END,
               CASE WHEN NOT id_gender_ok(pid, g) THEN 'mã giới tính ' || substr(pid, 4, 1)
                    || ' không khớp giới tính ' || gender END)
       END,
       CASE WHEN lost_zeros THEN padded END, NULL, NULL, household_id
FROM (SELECT *, is9to11 AND id_ok(padded, birth_year, g) AS lost_zeros
      FROM pop WHERE pid IS NOT NULL AND (NOT is12 OR NOT id_ok(pid, birth_year, g)));

-- DUNG.ID_BIRTH_PROVINCE: the ID's PPP (of the 12-digit ID, or of the padded value when
-- that is valid) is a known province but not the recorded birth province.
INSERT INTO findings_raw
SELECT 'DUNG.ID_BIRTH_PROVINCE', 'dung', 'medium', 'population', record_id, person_id,
       full_name, birth_date, province_code, district_code, commune_code,
       'person_id;birth_province_code',
       'Mã tỉnh trong số định danh ' || substr(idv, 1, 3) || ' khác nơi đăng ký khai sinh '
           || lpad(birth_prov::VARCHAR, 2, '0'),
       NULL, NULL, NULL, household_id
FROM (SELECT *, CASE WHEN is12 THEN pid
                     WHEN is9to11 AND id_ok(padded, birth_year, g) THEN padded END AS idv
      FROM pop WHERE pid IS NOT NULL AND birth_prov IS NOT NULL)
WHERE idv IS NOT NULL AND id_prov_ok(idv)
  AND TRY_CAST(substr(idv, 1, 3) AS INTEGER) <> birth_prov;

-- DUNG.INVALID_VALUE: a present value outside its reference list, or an impossible
-- date (unparseable, future birth, age > 120, death / card in the future or before
-- the birth). One finding per record listing every bad field.
INSERT INTO findings_raw
WITH
-- list checks on the distinct raw values only (a register has a handful of spellings)
bad_ethnicity AS (
    SELECT v FROM (SELECT DISTINCT ethnicity AS v FROM pop WHERE nz(ethnicity) IS NOT NULL)
    WHERE list_key(v) NOT IN (SELECT k FROM ethnicity_ref)),
bad_nationality AS (
    SELECT v FROM (SELECT DISTINCT nationality AS v FROM pop WHERE nz(nationality) IS NOT NULL)
    WHERE list_key(v) NOT IN (SELECT k FROM nationality_ref)),
bad_residence AS (
    SELECT v FROM (SELECT DISTINCT residence_type AS v FROM pop WHERE nz(residence_type) IS NOT NULL)
    WHERE list_key(v) NOT IN ('thuongtru', 'tamtru')),
bad_commune AS (
    SELECT v FROM (SELECT DISTINCT commune_code AS v FROM pop WHERE nz(commune_code) IS NOT NULL)
    WHERE trim(v) NOT IN (SELECT commune_code FROM admin)),
flags AS (
    SELECT *,
           ethnicity IN (SELECT v FROM bad_ethnicity) AS bad_ethnicity,
           nationality IN (SELECT v FROM bad_nationality) AS bad_nationality,
           nz(gender) IS NOT NULL AND g IS NULL AS bad_gender,
           residence_type IN (SELECT v FROM bad_residence) AS bad_residence,
           commune_code IN (SELECT v FROM bad_commune) AS bad_commune,
           birth_t IS NOT NULL AND NOT birth_ok AS bad_birth,
           death_t IS NOT NULL AND (d_lo IS NULL OR d_lo > getvariable('as_of') OR d_hi < b_lo) AS bad_death,
           card_t IS NOT NULL AND (c_lo IS NULL OR c_lo > getvariable('as_of') OR c_hi < b_lo) AS bad_card
    FROM pop
),
bad AS (
    SELECT *, list_filter([
        CASE WHEN bad_ethnicity THEN {'f': 'ethnicity', 'why': 'dân tộc "' || ethnicity || '" ngoài danh mục'} END,
        CASE WHEN bad_nationality THEN {'f': 'nationality', 'why': 'quốc tịch "' || nationality || '" ngoài danh mục'} END,
        CASE WHEN bad_gender THEN {'f': 'gender', 'why': 'giới tính "' || gender || '" không hợp lệ'} END,
        CASE WHEN bad_residence THEN {'f': 'residence_type', 'why': 'loại cư trú "' || residence_type || '" không hợp lệ'} END,
        CASE WHEN bad_commune THEN {'f': 'commune_code', 'why': 'mã xã "' || commune_code || '" không có trong danh mục'} END,
        CASE WHEN bad_birth THEN {'f': 'birth_date', 'why':
            CASE WHEN b_lo IS NULL THEN 'ngày sinh "' || birth_date || '" không hợp lệ'
                 WHEN b_lo > getvariable('as_of') THEN 'ngày sinh ở tương lai' ELSE 'tuổi trên 120' END} END,
        CASE WHEN bad_death THEN {'f': 'death_date', 'why':
            CASE WHEN d_lo IS NULL THEN 'ngày mất "' || death_date || '" không hợp lệ'
                 WHEN d_lo > getvariable('as_of') THEN 'ngày mất ở tương lai' ELSE 'ngày mất trước ngày sinh' END} END,
        CASE WHEN bad_card THEN {'f': 'card_issue_date', 'why':
            CASE WHEN c_lo IS NULL THEN 'ngày cấp thẻ "' || card_issue_date || '" không hợp lệ'
                 WHEN c_lo > getvariable('as_of') THEN 'ngày cấp thẻ ở tương lai' ELSE 'ngày cấp thẻ trước ngày sinh' END} END],
        lambda x: x IS NOT NULL) AS problems
    FROM flags
    WHERE bad_ethnicity OR bad_nationality OR bad_gender OR bad_residence
       OR bad_commune OR bad_birth OR bad_death OR bad_card
)
SELECT 'DUNG.INVALID_VALUE', 'dung', 'medium', 'population', record_id, person_id, full_name,
       birth_date, province_code, district_code, commune_code,
       array_to_string(list_transform(problems, lambda x: x.f), ';'),
       array_to_string(list_transform(problems, lambda x: x.why), '; '),
       NULL, NULL, NULL, household_id
FROM bad;

-- DU.MISSING_FIELD: mandatory fields (SPEC §3) that are empty, one finding per record.
INSERT INTO findings_raw
WITH m AS (
    SELECT *, list_filter([
        CASE WHEN pid IS NULL THEN 'person_id' END,
        CASE WHEN nz(full_name) IS NULL THEN 'full_name' END,
        CASE WHEN birth_t IS NULL THEN 'birth_date' END,
        CASE WHEN nz(gender) IS NULL THEN 'gender' END,
        CASE WHEN nz(birth_province_code) IS NULL THEN 'birth_province_code' END,
        CASE WHEN nz(ethnicity) IS NULL THEN 'ethnicity' END,
        CASE WHEN nz(nationality) IS NULL THEN 'nationality' END,
        CASE WHEN nz(commune_code) IS NULL THEN 'commune_code' END,
        CASE WHEN nz(household_id) IS NULL THEN 'household_id' END,
        CASE WHEN nz(relation_to_head) IS NULL THEN 'relation_to_head' END],
        lambda x: x IS NOT NULL) AS missing
    FROM pop
    WHERE pid IS NULL OR blank(full_name) OR birth_t IS NULL OR blank(gender)
       OR blank(birth_province_code) OR blank(ethnicity) OR blank(nationality)
       OR blank(commune_code) OR blank(household_id) OR blank(relation_to_head)
)
SELECT 'DU.MISSING_FIELD', 'du', 'medium', 'population', record_id, person_id, full_name,
       birth_date, province_code, district_code, commune_code,
       array_to_string(missing, ';'), 'Thiếu: ' || array_to_string(missing, ', '),
       NULL, NULL, NULL, household_id
FROM m;

-- DU.HOUSEHOLD_NO_HEAD / DUNG.HOUSEHOLD_MULTI_HEAD: members whose relation is "Chủ hộ"
-- (any case / diacritics). Keyed by household_id, routed to the household's commune
-- (that of its first member); related keys: every member (no head) or the heads.
INSERT INTO findings_raw
WITH counts AS (
    SELECT nz(household_id) AS hid, count(*) FILTER (WHERE is_head) AS heads
    FROM pop WHERE nz(household_id) IS NOT NULL
    GROUP BY ALL HAVING count(*) FILTER (WHERE is_head) <> 1
),
hh AS (
    SELECT c.hid, c.heads, count(*) AS members,
           string_agg(p.record_id, ';' ORDER BY p.record_id)
               FILTER (WHERE c.heads = 0 OR p.is_head) AS related,
           arg_min(p.province_code, p.record_id) AS province_code,
           arg_min(p.district_code, p.record_id) AS district_code,
           arg_min(p.commune_code, p.record_id) AS commune_code
    FROM counts c JOIN pop p ON nz(p.household_id) = c.hid
    GROUP BY c.hid, c.heads
)
SELECT CASE WHEN heads = 0 THEN 'DU.HOUSEHOLD_NO_HEAD' ELSE 'DUNG.HOUSEHOLD_MULTI_HEAD' END,
       CASE WHEN heads = 0 THEN 'du' ELSE 'dung' END, 'medium', 'population', hid,
       NULL, NULL, NULL, province_code, district_code, commune_code, 'relation_to_head',
       CASE WHEN heads = 0 THEN 'Hộ ' || hid || ' (' || members || ' người) không có chủ hộ'
            ELSE 'Hộ ' || hid || ' có ' || heads || ' chủ hộ' END,
       NULL, related, NULL, hid
FROM hh;

-- SACH.DUP_ID: the same person_id on two or more records; one finding per record.
INSERT INTO findings_raw
SELECT 'SACH.DUP_ID', 'sach', 'high', 'population', record_id, person_id, full_name,
       birth_date, province_code, district_code, commune_code, 'person_id',
       'Số định danh ' || pid || ' trùng với ' || (len(group_keys) - 1) || ' hồ sơ khác: '
           || array_to_string(list_filter(group_keys, lambda k: k <> record_id), ', '),
       NULL, array_to_string(list_filter(group_keys, lambda k: k <> record_id), ';'), NULL,
       household_id
FROM (SELECT *, list(record_id ORDER BY record_id) OVER (PARTITION BY pid) AS group_keys
      FROM pop
      WHERE pid IN (SELECT pid FROM dup_id));

-- SONG.NO_ID_CARD: alive, certainly 14 or older at the run date (the latest possible
-- birthday of a partial date), no card issue date.
INSERT INTO findings_raw
SELECT 'SONG.NO_ID_CARD', 'song', 'medium', 'population', record_id, person_id, full_name,
       birth_date, province_code, district_code, commune_code, 'card_issue_date',
       'Công dân ' || age_on(b_hi, getvariable('as_of')) || ' tuổi chưa có ngày cấp thẻ căn cước',
       NULL, NULL, NULL, household_id
FROM pop
WHERE alive AND birth_ok AND card_t IS NULL AND age_on(b_hi, getvariable('as_of')) >= 14;

-- SONG.CARD_EXPIRED: alive, card issued (full date, not in the future, not before the
-- birth) before a renewal age that has now passed. For a partial birth date the card
-- must be expired whatever the real birthday: the outcome only changes around the
-- anniversaries of the issue date and of the run date, so those days (±1) and the
-- ends of the interval are checked.
INSERT INTO findings_raw
WITH c AS (
    SELECT * FROM pop
    WHERE alive AND birth_ok AND c_prec = 'd' AND c_lo <= getvariable('as_of') AND c_lo >= b_lo
)
SELECT 'SONG.CARD_EXPIRED', 'song', 'low', 'population', record_id, person_id, full_name,
       birth_date, province_code, district_code, commune_code, 'card_issue_date',
       'Thẻ cấp ngày ' || strftime(c_lo, '%d/%m/%Y') || ' lúc ' || age_on(b_lo, c_lo)
           || ' tuổi, đến hạn đổi ở tuổi ' || due_age(age_on(b_lo, c_lo)),
       NULL, NULL, NULL, household_id
FROM c
WHERE CASE WHEN b_prec = 'd' THEN card_expired_for(b_lo, c_lo, getvariable('as_of'))
           ELSE list_bool_and(list_transform(
               list_filter([b_lo, b_hi,
                   try(make_date(year(b_lo), month(c_lo), day(c_lo))),
                   try(make_date(year(b_lo), month(c_lo), day(c_lo))) - 1,
                   try(make_date(year(b_lo), month(c_lo), day(c_lo))) + 1,
                   try(make_date(year(b_lo), month(getvariable('as_of')), day(getvariable('as_of')))),
                   try(make_date(year(b_lo), month(getvariable('as_of')), day(getvariable('as_of')))) - 1,
                   try(make_date(year(b_lo), month(getvariable('as_of')), day(getvariable('as_of')))) + 1],
                   lambda x: x IS NOT NULL AND x BETWEEN b_lo AND b_hi),
               lambda x: card_expired_for(x, c_lo, getvariable('as_of'))))
      END;

-- @stage deaths_rule
-- SONG.DEATH_NOT_RECORDED: a registered death whose person (same ID) has no death date
-- in the register. Keyed by the registration; the register records in related_keys.
INSERT INTO findings_raw
SELECT 'SONG.DEATH_NOT_RECORDED', 'song', 'high', 'deaths', d.death_reg_id,
       any_value(d.pid), any_value(d.full_name), any_value(d.birth_date),
       arg_min(p.province_code, p.record_id), arg_min(p.district_code, p.record_id),
       arg_min(p.commune_code, p.record_id), 'death_date',
       'Đã đăng ký khai tử ngày ' || coalesce(strftime(any_value(d.d_lo), '%d/%m/%Y'), '?')
           || ' nhưng hồ sơ dân cư chưa có ngày mất',
       strftime(any_value(d.d_lo), '%d/%m/%Y'),
       string_agg(p.record_id, ';' ORDER BY p.record_id), NULL,
       arg_min(p.household_id, p.record_id)
FROM deaths d JOIN pop p ON p.pid = d.pid
WHERE p.death_t IS NULL
GROUP BY d.death_reg_id;

-- @stage crossmatch
-- Sector records whose ID is in the register: compare name, birth date (at the
-- coarser precision of the two: the day intervals overlap) and gender with each
-- register record of that ID; the best-agreeing record is the person. Identical raw
-- values agree without any normalisation (most rows); a value missing or unreadable
-- on either side is no disagreement. Only rows that can yield a finding are kept: a
-- disagreement, a dead person, or an ID that several register records carry.
CREATE TABLE xm AS
WITH cand AS (
    SELECT s.ds, s.record_key, s.pid, s.full_name AS s_name, s.birth_date AS s_birth,
           s.gender AS s_gender, s.status, s.dose_date,
           p.record_id, p.full_name AS p_name, p.birth_date AS p_birth, p.gender AS p_gender,
           p.province_code, p.district_code, p.commune_code, p.household_id,
           p.alive, p.death_t, p.d_lo, p.d_hi,
           CASE WHEN s.full_name = p.full_name THEN true
                ELSE coalesce(name_plain(s.full_name) = name_plain(p.full_name)
                    -- a side stored without any diacritics matches on the folded name
                    OR ((name_folded(name_plain(s.full_name)) = name_plain(s.full_name)
                         OR name_folded(name_plain(p.full_name)) = name_plain(p.full_name))
                        AND name_folded(name_plain(s.full_name)) = name_folded(name_plain(p.full_name))),
                    true) END AS name_ok,
           CASE WHEN s.birth_date = p.birth_date THEN true
                ELSE coalesce(s.sb_lo <= p.b_hi AND p.b_lo <= date_hi(s.sb_lo, s.sb_prec), true) END AS birth_ok,
           CASE WHEN s.gender = p.gender THEN true
                ELSE coalesce(gender_code(s.gender) = p.g, true) END AS gender_ok
    FROM sector s JOIN pop p ON p.pid = s.pid
)
SELECT *, (NOT name_ok)::INTEGER + (NOT birth_ok)::INTEGER + (NOT gender_ok)::INTEGER AS n_bad
FROM cand
WHERE NOT (name_ok AND birth_ok AND gender_ok) OR NOT alive OR pid IN (SELECT pid FROM dup_id)
QUALIFY row_number() OVER (PARTITION BY ds, record_key ORDER BY n_bad, record_id) = 1;

-- XM.<ds>.MISMATCH: name / birth date / gender disagree (which, with both values).
INSERT INTO findings_raw
SELECT 'XM.' || ds || '.MISMATCH', 'dung', 'medium', ds, record_key, pid, s_name, s_birth,
       province_code, district_code, commune_code,
       concat_ws(';', CASE WHEN NOT name_ok THEN 'full_name' END,
                      CASE WHEN NOT birth_ok THEN 'birth_date' END,
                      CASE WHEN NOT gender_ok THEN 'gender' END),
       concat_ws('; ',
           CASE WHEN NOT name_ok THEN 'họ tên: "' || s_name || '" ≠ dân cư "' || p_name || '"' END,
           CASE WHEN NOT birth_ok THEN 'ngày sinh: ' || s_birth || ' ≠ dân cư ' || p_birth END,
           CASE WHEN NOT gender_ok THEN 'giới tính: ' || s_gender || ' ≠ dân cư ' || p_gender END),
       NULL, record_id, NULL, household_id
FROM xm WHERE n_bad > 0;

-- XM.<ds>.DECEASED_ACTIVE: the ID's holder is dead (death date in the register, or a
-- registered death with that ID) and the insurance card is active / the dose is dated
-- after the death. Tax extracts carry no status column: they list the tax codes in
-- use, so any tax record of a dead person fires.
INSERT INTO findings_raw
WITH reg AS (
    SELECT pid, min(d_lo) AS lo, max(d_hi) AS hi FROM deaths WHERE pid IS NOT NULL GROUP BY pid
),
dead AS (
    SELECT x.*,
           -- the death day: the register's, else the registration's
           coalesce(x.d_lo, reg.lo) AS death_lo, coalesce(x.d_hi, reg.hi) AS death_hi
    FROM xm x LEFT JOIN reg ON reg.pid = x.pid
    WHERE NOT x.alive
)
SELECT 'XM.' || ds || '.DECEASED_ACTIVE', 'song', CASE WHEN ds = 'tax' THEN 'medium' ELSE 'high' END,
       ds, record_key, pid, s_name, s_birth, province_code, district_code, commune_code,
       CASE ds WHEN 'vaccination' THEN 'dose_date' WHEN 'tax' THEN 'person_id' ELSE 'status' END,
       CASE WHEN ds = 'vaccination'
            THEN 'Mũi tiêm ngày ' || dose_date || ' sau ngày mất ' || strftime(death_lo, '%d/%m/%Y')
            WHEN ds = 'tax'
            THEN 'Hồ sơ vẫn còn trong dữ liệu thuế nhưng người đã mất'
                 || coalesce(' ngày ' || strftime(death_lo, '%d/%m/%Y'), '')
            ELSE 'Người đã mất' || coalesce(' ngày ' || strftime(death_lo, '%d/%m/%Y'), '')
                 || ' nhưng trạng thái là "' || status || '"' END,
       NULL, record_id, NULL, household_id
FROM dead
WHERE (ds = 'insurance'
          AND list_key(status) IN ('active', 'danghoatdong', 'hoatdong', 'conhieuluc'))
   OR ds = 'tax'
   OR (ds = 'vaccination' AND date_lo(nz(dose_date)) > death_hi);

-- @stage write
-- findings.csv: SPEC §5 columns, stable id (hash of rule id + dataset + record key),
-- deterministic order.
CREATE TABLE findings AS
SELECT format('{:016x}', hash(rule_id || '|' || dataset || '|' || record_key)) AS finding_id,
       rule_id, dimension, severity, dataset, record_key, person_id, full_name, birth_date,
       province_code, district_code, commune_code, fields, detail, suggested_value,
       related_keys, cluster_id, 'new' AS status, household_id
FROM findings_raw;

COPY (SELECT * EXCLUDE (household_id) FROM findings ORDER BY rule_id, dataset, record_key)
TO '{{OUT}}/findings.csv' (FORMAT csv, HEADER);

-- worklists: one CSV per commune in hive-style folders province_code=…/commune_code=…
-- (the documented fast path), Vietnamese headers; "STT" numbers the rows highest
-- severity first, then household and name.
COPY (
    SELECT province_code, commune_code,
           row_number() OVER (PARTITION BY province_code, commune_code
                              ORDER BY sev, household_id, full_name, rule_id, record_key) AS "STT",
           severity_vi AS "Mức độ", dimension AS "Nhóm", rule_id AS "Mã quy tắc",
           dataset AS "Nguồn dữ liệu", record_key AS "Mã hồ sơ", person_id AS "Số định danh",
           full_name AS "Họ và tên", birth_date AS "Ngày sinh", household_id AS "Mã hộ",
           fields AS "Trường liên quan", detail AS "Chi tiết", suggested_value AS "Giá trị đề xuất",
           related_keys AS "Hồ sơ liên quan", cluster_id AS "Mã cụm trùng", status AS "Trạng thái",
           finding_id AS "Mã phát hiện", NULL AS "Kết quả xác minh", NULL AS "Ghi chú"
    FROM (SELECT *, CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END AS sev,
                 CASE severity WHEN 'high' THEN 'Cao' WHEN 'medium' THEN 'Trung bình' ELSE 'Thấp' END AS severity_vi
          FROM findings)
    ORDER BY province_code, commune_code, "STT")
TO '{{OUT}}/worklists' (FORMAT csv, HEADER, PARTITION_BY (province_code, commune_code), OVERWRITE_OR_IGNORE);

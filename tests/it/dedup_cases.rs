//! `SACH.DUP_PERSON` on small hand-written registers: second registrations whose birth
//! date was mistyped (a day off, another year digit, day and month swapped) are the
//! same person when their parents agree, and namesakes with such dates are not; a
//! misspelt name on a copy that left a parent out still meets its record; siblings
//! (same parents) with near names and near dates, or the same name given again after a
//! child died, stay two people.

use crate::common::*;

/// One register row: key, ID (empty: a record without an ID), name, birth date,
/// gender, father, mother, spouse.
type Person<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
);

fn csv_row(person: Person<'_>, commune: &str) -> String {
    let (key, id, name, birth, gender, father, mother, spouse) = person;
    format!(
        "{key},{id},,{name},{birth},{gender},83,Kinh,Không,Việt Nam,83,829,{commune},\"Ấp 1\",thuong_tru,H{key},Chủ hộ,{father},{mother},{spouse},01/02/2021,,"
    )
}

/// Two thousand other people with distinct names and shared relatives' names, so that
/// the test people's relatives are as rare as real ones' names are in a province (their
/// agreement is evidence) while no filler pair can be one person.
fn filler() -> Vec<String> {
    const SURNAMES: [&str; 10] = [
        "Nguyễn", "Hoàng", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương",
    ];
    const MIDDLES: [&str; 10] = [
        "Văn", "Hữu", "Đức", "Công", "Quang", "Minh", "Thành", "Xuân", "Ngọc", "Gia",
    ];
    const GIVEN: [&str; 20] = [
        "An", "Bảo", "Cường", "Dũng", "Giang", "Hải", "Khoa", "Lâm", "Long", "Nam", "Phong",
        "Quân", "Sơn", "Thắng", "Toàn", "Trung", "Tuấn", "Việt", "Vinh", "Hiếu",
    ];
    (0..2000)
        .map(|i| {
            let year = 1950 + i % 50;
            let name = format!(
                "{} {} {}",
                SURNAMES[i % 10],
                MIDDLES[i / 10 % 10],
                GIVEN[i / 100]
            );
            let person = (
                &*format!("F{i:04}"),
                &*format!("0830{:02}{i:06}", year % 100),
                &*name,
                &*format!("{:02}/{:02}/{year}", 1 + i % 28, 1 + i / 7 % 12),
                "Nam",
                "Đỗ Văn Phụ",
                "Đỗ Thị Phụ",
                "Đỗ Thị Dâu",
            );
            csv_row(person, "28756")
        })
        .collect()
}

/// The register rows placed in one cluster, with their related keys.
fn duplicate_pairs(
    found: &std::collections::BTreeMap<(String, String), (String, String)>,
) -> Vec<(&str, &str)> {
    found
        .iter()
        .filter(|((rule, _), _)| rule == "SACH.DUP_PERSON")
        .map(|((_, key), (_, related))| (key.as_str(), related.as_str()))
        .collect()
}

/// Each test person on a row of its own, in commune 28756 or 28757 in turn, after the
/// filler; `adjust` may rewrite a person's row (a death date, a shared household).
fn register_of(people: &[Person<'_>], adjust: impl Fn(&str, String) -> String) -> Vec<String> {
    let mut rows = filler();
    for (i, &person) in people.iter().enumerate() {
        let commune = if i % 2 == 0 { "28756" } else { "28757" };
        rows.push(adjust(person.0, csv_row(person, commune)));
    }
    rows
}

/// Run the register of `people` (rows rewritten by `adjust`) and assert that exactly
/// the `expected` (record, other record) pairs are reported as one person.
fn assert_joined(
    people: &[Person<'_>],
    adjust: impl Fn(&str, String) -> String,
    expected: &[(&str, &str)],
) {
    let found = findings(&[("population", POPULATION_HEADER, register_of(people, adjust))]);
    assert_eq!(duplicate_pairs(&found), expected, "{found:#?}");
}

/// Moves the records whose key starts with `prefix` into one household of commune
/// 28756, as children.
fn one_household(prefix: &str) -> impl Fn(&str, String) -> String + '_ {
    move |key, row| {
        if key.starts_with(prefix) {
            row.replace(&format!(",H{key},Chủ hộ,"), &format!(",H{prefix}HOME,Con,"))
                .replace(",28757,", ",28756,")
        } else {
            row
        }
    }
}

#[test]
fn mistyped_dates_and_missing_parents_against_siblings_and_namesakes() {
    #[rustfmt::skip]
    let people = [
        // One day off, second registration without an ID in another commune.
        ("A1", "083085000101", "Trần Văn Khải", "15/03/1985", "Nam", "Trần Văn Bình", "Lê Thị Hoa", ""),
        ("A2", "", "Trần Văn Khải", "16/03/1985", "Nam", "Trần Văn Bình", "Lê Thị Hoa", ""),
        // Another last digit of the year (different name + year blocks).
        ("B1", "083190000102", "Phạm Thị Ngọc Ánh", "02/07/1990", "Nữ", "Phạm Văn Tư", "Vũ Thị Mận", ""),
        ("B2", "083191000103", "Phạm Thị Ngọc Ánh", "02/07/1991", "Nữ", "Phạm Văn Tư", "Vũ Thị Mận", ""),
        // Day and month swapped; the copy left the father out.
        ("C1", "083078000104", "Lê Minh Tâm", "05/11/1978", "Nam", "Lê Văn Sáu", "Trần Thị Bưởi", ""),
        ("C2", "", "Lê Minh Tâm", "11/05/1978", "Nam", "", "Trần Thị Bưởi", ""),
        // A misspelt given name on a copy without the mother (no name block holds both).
        ("F1", "083172000108", "Võ Thị Lan", "19/03/1972", "Nữ", "Võ Văn Năm", "Nguyễn Thị Ánh", ""),
        ("F2", "", "Võ Thị Lang", "19/03/1972", "Nữ", "Võ Văn Năm", "", ""),
        // A misspelt name and a mistyped day: the parents cannot tell this from a
        // sibling, the spouse can.
        ("G1", "083164000109", "Lý Thị Nhung", "04/05/1964", "Nữ", "Lý Văn Phong", "Dương Mỹ Hương", "Lê Ngọc Tâm"),
        ("G2", "", "Lý Thị Nhun", "04/01/1964", "Nữ", "Lý Văn Phong", "Dương Mỹ Hương", "Lê Ngọc Tâm"),
        // Namesakes one day apart with other parents: two people.
        ("D1", "083080000105", "Vũ Văn Hùng", "10/01/1980", "Nam", "Vũ Văn Lợi", "Lê Thị Nụ", ""),
        ("D2", "083080000106", "Vũ Văn Hùng", "11/01/1980", "Nam", "Vũ Văn Thìn", "Phạm Thị Lài", ""),
        // Same parents, but dates no single typo explains: not joined.
        ("E1", "083075000107", "Trần Quốc Bảo", "10/01/1975", "Nam", "Trần Văn Tám", "Lê Thị Sen", ""),
        ("E2", "", "Trần Quốc Bảo", "25/06/1975", "Nam", "Trần Văn Tám", "Lê Thị Sen", ""),
        // Sisters born on the same day three years apart, one name without its middle.
        ("H1", "083321000110", "Đào Lan", "04/08/2021", "Nữ", "Đào Minh Trung", "Nguyễn Kim Trang", ""),
        ("H2", "083324000111", "Đào Tường Lan", "04/08/2024", "Nữ", "Đào Minh Trung", "Nguyễn Kim Trang", ""),
        // A child who died (death date added below) and the brother given his name.
        ("I1", "083080000112", "Ông Văn Lộc", "03/04/1980", "Nam", "Ông Văn Thọ", "Hà Thị Cúc", ""),
        ("I2", "083082000113", "Ông Văn Lộc", "03/04/1982", "Nam", "Ông Văn Thọ", "Hà Thị Cúc", ""),
        // A copy without a gender, its year mistyped.
        ("J1", "083185000114", "Quách Thị Xuân", "12/09/1985", "Nữ", "Quách Văn Bảy", "Lò Thị Mai", ""),
        ("J2", "", "Quách Thị Xuân", "12/09/1986", "", "Quách Văn Bảy", "Lò Thị Mai", ""),
    ];
    // I1 died as a child.
    let died_as_a_child = |key: &str, row: String| {
        if key == "I1" {
            row.replace(",01/02/2021,,", ",,05/06/1981,")
        } else {
            row
        }
    };
    assert_joined(
        &people,
        died_as_a_child,
        &[
            ("A1", "A2"),
            ("A2", "A1"),
            ("B1", "B2"),
            ("B2", "B1"),
            ("C1", "C2"),
            ("C2", "C1"),
            ("F1", "F2"),
            ("F2", "F1"),
            ("G1", "G2"),
            ("G2", "G1"),
            ("J1", "J2"),
            ("J2", "J1"),
        ],
    );
}

/// Twins (one household, one birthday, given names a letter or a tone apart) stay two
/// people; a second registration whose date is days or a day-and-month swap away, or
/// whose name lost a middle name or a space, is joined to its record when the parents
/// agree; siblings a year apart with near names are not.
#[test]
fn twins_stay_apart_and_near_dates_of_one_person_are_joined() {
    #[rustfmt::skip]
    let people = [
        ("T1", "083215000201", "Vương Minh Khôi", "10/10/2015", "Nam", "Vương Đình Lộc", "Chu Thị Hạnh", ""),
        ("T2", "083215000202", "Vương Minh Khải", "10/10/2015", "Nam", "Vương Đình Lộc", "Chu Thị Hạnh", ""),
        ("T3", "083218000203", "Vương Đình Hùng", "03/03/2018", "Nam", "Vương Đình Lộc", "Chu Thị Hạnh", ""),
        ("T4", "083218000204", "Vương Đình Hưng", "03/03/2018", "Nam", "Vương Đình Lộc", "Chu Thị Hạnh", ""),
        ("K1", "083099000205", "Tống Bảo Tâm", "08/07/1999", "Nam", "Tống Văn Hiệp", "Lại Thị Gấm", ""),
        ("K2", "083099000305", "Tống Tâm", "07/08/1999", "Nam", "Tống Văn Hiệp", "Lại Thị Gấm", ""),
        ("L1", "083198000206", "Hàn Thị Bảo Trinh", "28/01/1998", "Nữ", "Hàn Văn Lực", "Mai Thị Đào", ""),
        ("L2", "", "Hàn Thị Bảo Trin", "29/01/1998", "Nữ", "Hàn Văn Lực", "Mai Thị Đào", ""),
        ("M1", "083187000207", "Kiều Thị Ngọc Hà", "14/02/1987", "Nữ", "Kiều Văn Sử", "Phí Thị Thoa", ""),
        ("M2", "", "Kiều Thị NgọcHà", "14/02/1987", "Nữ", "Kiều Văn Sử", "Phí Thị Thoa", ""),
        ("S1", "083090000208", "Đinh Văn Tùng", "03/04/1990", "Nam", "Đinh Văn Quý", "Tạ Thị Yến", ""),
        ("S2", "083091000209", "Đinh Văn Tùn", "03/04/1991", "Nam", "Đinh Văn Quý", "Tạ Thị Yến", ""),
    ];
    // The twins live with their parents, in one household of one commune.
    assert_joined(
        &people,
        one_household("T"),
        &[
            ("K1", "K2"),
            ("K2", "K1"),
            ("L1", "L2"),
            ("L2", "L1"),
            ("M1", "M2"),
            ("M2", "M1"),
        ],
    );
}

#[test]
fn namesakes_on_a_stand_in_birthday_are_not_one_person() {
    // Where a birth date was not known, 01/01 of the year is written. The filler's
    // births fall on 84 days of the year only, 01/01 among them, so each of those is
    // four times commoner than a day of the year, as 01/01 is in such a province. Two
    // people who share a name and "01/01/1980" and nothing else are then two people;
    // the same name and a real birthday, or 01/01 and both parents, are one.
    #[rustfmt::skip]
    let people = [
        ("N1", "083080000301", "Giàng A Sử", "01/01/1980", "Nam", "", "", ""),
        ("N2", "083080000302", "Giàng A Sử", "01/01/1980", "Nam", "", "", ""),
        ("R1", "083080000303", "Sùng Seo Chứ", "30/06/1980", "Nam", "", "", ""),
        ("R2", "083080000304", "Sùng Seo Chứ", "30/06/1980", "Nam", "", "", ""),
        ("P1", "083175000305", "Vàng Thị Mai", "01/01/1975", "Nữ", "Vàng A Páo", "Lý Thị Dợ", ""),
        ("P2", "", "Vàng Thị Mai", "01/01/1975", "Nữ", "Vàng A Páo", "Lý Thị Dợ", ""),
        // One name in the two spellings of a lone final i / y, the parents' too.
        ("Y1", "083080000306", "Lý Văn Sỹ", "17/03/1980", "Nam", "Lý Văn Tài", "Trần Thị Hoa", ""),
        ("Y2", "", "Lí Văn Sĩ", "17/03/1980", "Nam", "Lí Văn Tài", "Trần Thị Hoa", ""),
    ];
    assert_joined(
        &people,
        |_, row| row,
        &[
            ("P1", "P2"),
            ("P2", "P1"),
            ("R1", "R2"),
            ("R2", "R1"),
            ("Y1", "Y2"),
            ("Y2", "Y1"),
        ],
    );
}

#[test]
fn a_stand_in_birthday_meets_the_real_date_of_its_year() {
    // The filler makes 01/01 a stand-in (see above). A second registration that has
    // the real date where the first has 01/01 of the same year, with both parents
    // agreeing, is one person; the same against another year is not.
    #[rustfmt::skip]
    let people = [
        ("S1", "083051000401", "Sùng A Chư", "01/01/1951", "Nam", "Sùng Văn Xá", "Sùng Thị Dua", ""),
        ("S2", "", "Sùng A Chư", "10/09/1951", "Nam", "Sùng Văn Xá", "Sùng Thị Dua", ""),
        ("V1", "083084000402", "Vàng A Chá", "01/01/1984", "Nam", "Vàng Seo Pao", "Lý Thị Mỷ", ""),
        ("V2", "", "Vàng A Chá", "20/03/1987", "Nam", "Vàng Seo Pao", "Lý Thị Mỷ", ""),
    ];
    assert_joined(&people, |_, row| row, &[("S1", "S2"), ("S2", "S1")]);
}

#[test]
fn a_mistyped_middle_name_meets_its_record() {
    // A letter doubled or mistyped in the middle name, the same day of birth and the
    // same spouse: one person. Another middle name on the same day is another person.
    #[rustfmt::skip]
    let people = [
        ("H1", "083049000501", "Hoàng Trung Hùng", "09/02/1949", "Nam", "", "", "Đỗ Ngọc Thu"),
        ("H2", "", "Hoàng Trrung Hùng", "09/02/1949", "Nam", "", "", "Đỗ Ngọc Thu"),
        ("H3", "083049000503", "Hoàng Quang Hùng", "09/02/1949", "Nam", "", "", ""),
    ];
    assert_joined(&people, |_, row| row, &[("H1", "H2"), ("H2", "H1")]);
}

#[test]
fn sisters_at_home_do_not_share_a_second_registration() {
    // Two sisters of one household, each with her ID, given name and birthday; a
    // second registration of one of them, year-only and without an ID, scores well
    // against both (the given names are a letter apart, the parents agree). It joins
    // the sister it names, and the two sisters stay two people.
    #[rustfmt::skip]
    let people = [
        ("DS1", "083309000601", "Lý Thị Dợ", "15/01/2009", "Nữ", "Lý Seo Sình", "Vừ Thị Mỷ", ""),
        ("DS2", "083309000602", "Lý Thị Dí", "12/10/2009", "Nữ", "Lý Seo Sình", "Vừ Thị Mỷ", ""),
        ("D3", "", "LÝ THỊ DỢ", "2009", "Nữ", "Lý Seo Sình", "Vừ Thị Mỷ", ""),
    ];
    assert_joined(
        &people,
        one_household("DS"),
        &[("D3", "DS1"), ("DS1", "D3")],
    );
}

#[test]
fn a_misspelt_year_only_copy_with_one_parent_meets_its_record() {
    // A second registration that wrote only the year, left the mother out and
    // misspelt the given name (Koa): no name + year block holds both records and no
    // parent + birthday block either; the father's name with the surname and year
    // does, and the father and spouse make it one person. A brother born three years
    // later, misspelt alike, stays apart.
    #[rustfmt::skip]
    let people = [
        ("K1", "083088000701", "Trần Văn Khoa", "17/03/1988", "Nam", "Trần Quốc Uy", "Lâm Thị Nga", "Tạ Thị Lan"),
        ("K2", "083088000702", "Trần Văn Koa", "1988", "Nam", "Trần Quốc Uy", "", "Tạ Thị Lan"),
        ("K3", "083091000703", "Trần Văn Koa", "1991", "Nam", "Trần Quốc Uy", "", ""),
    ];
    assert_joined(&people, |_, row| row, &[("K1", "K2"), ("K2", "K1")]);
}

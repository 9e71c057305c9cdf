//! Name and ID similarity on folded ASCII keys, without allocation per comparison.
//!
//! Names are compared token-aware: the surname is the first word (with the regional
//! variants Hoàng/Huỳnh and Vũ/Võ treated as one), the given name the last; a missing
//! or different middle name lowers the score only a little, so `Nguyễn Hùng` still
//! finds `Nguyễn Văn Hùng`, while a different given name does not.

/// Jaro similarity of two byte strings (0–1).
pub fn jaro(a: &[u8], b: &[u8]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    if a == b {
        return 1.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_matched = [false; 64];
    let mut b_matched = [false; 64];
    let mut a_heap;
    let mut b_heap;
    let (a_flags, b_flags): (&mut [bool], &mut [bool]) = if a.len() <= 64 && b.len() <= 64 {
        (&mut a_matched[..a.len()], &mut b_matched[..b.len()])
    } else {
        a_heap = vec![false; a.len()];
        b_heap = vec![false; b.len()];
        (&mut a_heap[..], &mut b_heap[..])
    };
    let mut matches = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        let start = i.saturating_sub(window);
        let end = (i + window + 1).min(b.len());
        for j in start..end {
            if !b_flags[j] && b[j] == ca {
                a_flags[i] = true;
                b_flags[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut j = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        if !a_flags[i] {
            continue;
        }
        while !b_flags[j] {
            j += 1;
        }
        if ca != b[j] {
            transpositions += 1;
        }
        j += 1;
    }
    // Half the out-of-order matches, rounded down (as strsim and most libraries do).
    let transpositions = transpositions / 2;
    let m = matches as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (m - transpositions as f64) / m) / 3.0
}

/// Jaro-Winkler similarity (prefix scale 0.1, up to 4 characters, boost above 0.7).
pub fn jaro_winkler(a: &[u8], b: &[u8]) -> f64 {
    let j = jaro(a, b);
    if j <= 0.7 {
        return j;
    }
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count();
    j + prefix as f64 * 0.1 * (1.0 - j)
}

/// The surname with regional variants merged (huynh → hoang, vo → vu).
pub fn canonical_surname(surname: &str) -> &str {
    match surname {
        "huynh" => "hoang",
        "vo" => "vu",
        other => other,
    }
}

/// Surname, middle part and given name of a folded full name.
pub fn split_name(folded: &str) -> (&str, &str, &str) {
    // Folded keys are already trimmed and single-spaced. Names are a few dozen bytes:
    // a plain scan beats memchr's set-up (profiled: memchr was 7 % of a 10M dedup run).
    let bytes = folded.as_bytes();
    let first_space = bytes.iter().position(|&b| b == b' ');
    let last_space = bytes.iter().rposition(|&b| b == b' ');
    match (first_space, last_space) {
        (Some(first), Some(last)) if first == last => (&folded[..first], "", &folded[last + 1..]),
        (Some(first), Some(last)) => (
            &folded[..first],
            &folded[first + 1..last],
            &folded[last + 1..],
        ),
        _ => ("", "", folded),
    }
}

/// Token-aware similarity of two folded full names (0–1); symmetric.
///
/// Plain Jaro-Winkler over the whole string overrates Vietnamese names, which share
/// long prefixes (`nguyen van hung` / `nguyen van hai` ≈ 0.93). Here the given name
/// (last word) weighs 60 %, the surname 25 % (Huỳnh = Hoàng, Võ = Vũ almost fully),
/// the middle part 15 % — a missing middle name costs little, a different one more.
pub fn name_similarity(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    // Names compare ignoring spacing (SPEC §4): "Mai Anh" typed "MaiAnh" is one name.
    if a.len() != b.len() && crate::normalize::text::same_letters(a, b) {
        return 1.0;
    }
    let (surname_a, middle_a, given_a) = split_name(a);
    let (surname_b, middle_b, given_b) = split_name(b);
    if surname_a.is_empty() || surname_b.is_empty() {
        // A one-word name: nothing to align, compare whole strings.
        return jaro_winkler(a.as_bytes(), b.as_bytes());
    }
    let surname = if surname_a == surname_b {
        1.0
    } else if canonical_surname(surname_a) == canonical_surname(surname_b) {
        0.95
    } else {
        jaro_winkler(surname_a.as_bytes(), surname_b.as_bytes())
    };
    let middle = if middle_a == middle_b {
        1.0
    } else if middle_a.is_empty() || middle_b.is_empty() {
        0.9
    } else if contains_words(middle_a, middle_b) || contains_words(middle_b, middle_a) {
        0.95
    } else {
        jaro_winkler(middle_a.as_bytes(), middle_b.as_bytes())
    };
    let given = jaro_winkler(given_a.as_bytes(), given_b.as_bytes());
    (0.25 * surname + 0.15 * middle + 0.6 * given).min(1.0)
}

/// How two folded full names relate, for evidence that must tell a typo or a dropped
/// middle name (one person) from a different middle or surname (two people).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameRelation {
    /// The same folded name.
    Same,
    /// One side has no middle name (or a subset of the other's), the rest is equal.
    MissingMiddle,
    /// Regional surname variant (Huỳnh/Hoàng, Võ/Vũ), the rest equal.
    SurnameVariant,
    /// One edit (a letter changed, added, dropped, or two swapped) in the whole name.
    Typo,
    /// Anything else: different people's names.
    Different,
}

/// Classify two folded full names.
pub fn name_relation(a: &str, b: &str) -> NameRelation {
    // Lí Văn Sĩ / Lý Văn Sỹ: one name in the two spellings in use.
    if a == b || crate::normalize::text::i_y_variants(a, b) {
        return NameRelation::Same;
    }
    let (surname_a, middle_a, given_a) = split_name(a);
    let (surname_b, middle_b, given_b) = split_name(b);
    if surname_a == surname_b && given_a == given_b && !given_a.is_empty() {
        let missing = middle_a.is_empty()
            || middle_b.is_empty()
            || contains_words(middle_a, middle_b)
            || contains_words(middle_b, middle_a);
        if missing {
            return NameRelation::MissingMiddle;
        }
    }
    if surname_a != surname_b
        && canonical_surname(surname_a) == canonical_surname(surname_b)
        && middle_a == middle_b
        && given_a == given_b
    {
        return NameRelation::SurnameVariant;
    }
    if edit_distance_at_most_one(a.as_bytes(), b.as_bytes()) {
        return NameRelation::Typo;
    }
    NameRelation::Different
}

/// Optimal-string-alignment distance ≤ 1 (substitution, insertion, deletion or
/// adjacent transposition), without allocating.
pub fn edit_distance_at_most_one(a: &[u8], b: &[u8]) -> bool {
    let (long, short) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    match long.len() - short.len() {
        0 => {
            // Up to three differing positions, without allocating (called per pair).
            let mut differing = [0usize; 3];
            let mut count = 0;
            for i in (0..a.len()).filter(|&i| a[i] != b[i]) {
                differing[count] = i;
                count += 1;
                if count == differing.len() {
                    break;
                }
            }
            match &differing[..count] {
                [] | [_] => true,
                [i, j] => *j == i + 1 && a[*i] == b[*j] && a[*j] == b[*i],
                _ => false,
            }
        }
        1 => {
            let prefix = long.iter().zip(short).take_while(|(x, y)| x == y).count();
            long[prefix + 1..] == short[prefix..]
        }
        _ => false,
    }
}

fn contains_words(haystack: &str, needle: &str) -> bool {
    needle
        .split(' ')
        .all(|word| haystack.split(' ').any(|w| w == word))
}

/// Digits of a 12-digit ID number.
fn digits(value: u64) -> [u8; 12] {
    let mut out = [0u8; 12];
    let mut v = value;
    for slot in out.iter_mut().rev() {
        *slot = (v % 10) as u8;
        v /= 10;
    }
    out
}

/// Do two 12-digit IDs differ by one digit, or by two adjacent digits swapped?
pub fn is_id_typo(a: u64, b: u64) -> bool {
    if a == b {
        return false;
    }
    let (x, y) = (digits(a), digits(b));
    let differing: Vec<usize> = (0..12).filter(|&i| x[i] != y[i]).collect();
    match differing.as_slice() {
        [_] => true,
        [i, j] => *j == i + 1 && x[*i] == y[*j] && x[*j] == y[*i],
        _ => false,
    }
}

/// Every 12-digit ID one typo away from `value` (108 substitutions, 11 swaps).
pub fn id_typo_neighbours(value: u64) -> Vec<u64> {
    let d = digits(value);
    let to_number = |digits: &[u8; 12]| digits.iter().fold(0u64, |acc, &x| acc * 10 + u64::from(x));
    let mut out = Vec::with_capacity(119);
    for i in 0..12 {
        for replacement in 0..10u8 {
            if replacement != d[i] {
                let mut changed = d;
                changed[i] = replacement;
                out.push(to_number(&changed));
            }
        }
    }
    for i in 0..11 {
        if d[i] != d[i + 1] {
            let mut swapped = d;
            swapped.swap(i, i + 1);
            out.push(to_number(&swapped));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jaro_winkler_matches_strsim() {
        for (a, b) in [
            ("martha", "marhta"),
            ("nguyen van hung", "nguyen van hunh"),
            ("dixon", "dicksonx"),
            ("", "abc"),
            ("abc", "abc"),
            ("tran thi thu ha", "tran thu ha"),
        ] {
            let ours = jaro_winkler(a.as_bytes(), b.as_bytes());
            let oracle = strsim::jaro_winkler(a, b);
            assert!(
                (ours - oracle).abs() < 1e-9,
                "{a} / {b}: {ours} vs {oracle}"
            );
        }
    }

    #[test]
    fn token_aware_cases() {
        assert!(name_similarity("nguyen van hung", "nguyen hung") >= 0.95);
        assert!(name_similarity("huynh thi lan", "hoang thi lan") >= 0.97);
        assert!(name_similarity("vo van nam", "vu van nam") >= 0.97);
        assert!(name_similarity("tran thi thu ha", "tran thu ha") >= 0.93);
        assert!(name_similarity("nguyen van hung", "nguyen van hai") < 0.8);
        assert!(name_similarity("nguyen van hung", "le van hung") < 0.8);
        assert!(name_similarity("nguyen van hung", "nguyen van hnug") > 0.9);
        assert!(name_similarity("nguyen van hung", "nguyen duc hung") < 0.88);
    }

    #[test]
    fn name_relations() {
        use NameRelation::*;
        assert_eq!(name_relation("nguyen van hung", "nguyen van hung"), Same);
        assert_eq!(
            name_relation("nguyen van hung", "nguyen hung"),
            MissingMiddle
        );
        assert_eq!(
            name_relation("tran thi thu ha", "tran thu ha"),
            MissingMiddle
        );
        assert_eq!(
            name_relation("huynh thi lan", "hoang thi lan"),
            SurnameVariant
        );
        assert_eq!(name_relation("tran thi nhu", "tran thi nu"), Typo);
        assert_eq!(name_relation("nguyen minh lan", "nguyen minh lang"), Typo);
        assert_eq!(name_relation("tran huy", "tran hui"), Typo);
        assert_eq!(
            name_relation("nguyen van hung", "nguyen quang hung"),
            Different
        );
        assert_eq!(name_relation("pham van ut", "phan tan ut"), Different);
        assert_eq!(
            name_relation("nguyen kim huong", "nguyen thi huong"),
            Different
        );
        assert!(edit_distance_at_most_one(b"abcd", b"abdc"));
        assert!(!edit_distance_at_most_one(b"abcd", b"badc"));
    }

    #[test]
    fn id_typos() {
        let id = 83_190_012_345;
        assert!(is_id_typo(id, 83_190_012_346));
        assert!(is_id_typo(id, 83_190_012_354));
        assert!(!is_id_typo(id, 83_190_012_356));
        assert!(!is_id_typo(id, id));
        let neighbours = id_typo_neighbours(id);
        assert!(neighbours.contains(&83_190_012_354));
        assert!(neighbours.iter().all(|&n| is_id_typo(id, n)));
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;
    use unicode_normalization::UnicodeNormalization;

    use super::*;
    use crate::normalize::text::fold;

    const SURNAMES: &[&str] = &[
        "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Vũ", "Đặng", "Bùi",
    ];
    const MIDDLES: &[&str] = &[
        "Văn",
        "Thị",
        "Hữu",
        "Ngọc",
        "Thanh",
        "Minh",
        "Thị Thu",
        "Đức",
    ];
    const GIVEN: &[&str] = &[
        "Hùng", "Hưng", "Lan", "Hà", "Dũng", "Ánh", "Tuấn", "Ngọc", "Yến", "Đạt",
    ];

    fn name() -> impl Strategy<Value = (String, String, String)> {
        (
            prop::sample::select(SURNAMES),
            prop::sample::select(MIDDLES),
            prop::sample::select(GIVEN),
        )
            .prop_map(|(s, m, g)| (s.to_string(), m.to_string(), g.to_string()))
    }

    proptest! {
        #[test]
        fn similarity_is_symmetric_and_bounded(a in name(), b in name()) {
            let x = fold(&format!("{} {} {}", a.0, a.1, a.2));
            let y = fold(&format!("{} {} {}", b.0, b.1, b.2));
            let forward = name_similarity(&x, &y);
            let backward = name_similarity(&y, &x);
            prop_assert!((forward - backward).abs() < 1e-12);
            prop_assert!((0.0..=1.0).contains(&forward));
            prop_assert_eq!(name_relation(&x, &y), name_relation(&y, &x));
        }

        #[test]
        fn folding_ignores_case_nfd_and_spacing(n in name(), upper in any::<bool>(), nfd in any::<bool>(), spaces in 1usize..4) {
            let base = format!("{} {} {}", n.0, n.1, n.2);
            let mut variant = base.replace(' ', &" ".repeat(spaces));
            if upper { variant = variant.to_uppercase(); }
            if nfd { variant = variant.nfd().collect(); }
            prop_assert_eq!(fold(&base), fold(&variant));
            prop_assert_eq!(name_similarity(&fold(&base), &fold(&variant)), 1.0);
        }

        #[test]
        fn a_dropped_middle_name_stays_close(n in name()) {
            let full = fold(&format!("{} {} {}", n.0, n.1, n.2));
            let short = fold(&format!("{} {}", n.0, n.2));
            prop_assert!(name_similarity(&full, &short) >= 0.95);
            prop_assert_eq!(name_relation(&full, &short), NameRelation::MissingMiddle);
        }

        #[test]
        fn regional_surname_variants_stay_close(m in prop::sample::select(MIDDLES), g in prop::sample::select(GIVEN)) {
            for (a, b) in [("Huỳnh", "Hoàng"), ("Võ", "Vũ")] {
                let x = fold(&format!("{a} {m} {g}"));
                let y = fold(&format!("{b} {m} {g}"));
                prop_assert!(name_similarity(&x, &y) >= 0.97);
                prop_assert_eq!(name_relation(&x, &y), NameRelation::SurnameVariant);
            }
        }

        #[test]
        fn every_single_typo_of_an_id_is_detected(id in 1_000_000_000u64..999_999_999_999u64, position in 0usize..12, digit in 0u64..10, swap in 0usize..11) {
            let digits: Vec<u64> = format!("{id:012}").bytes().map(|b| u64::from(b - b'0')).collect();
            let number = |d: &[u64]| d.iter().fold(0u64, |a, &x| a * 10 + x);
            let mut changed = digits.clone();
            changed[position] = digit;
            let changed = number(&changed);
            prop_assert_eq!(is_id_typo(id, changed), changed != id);
            let mut swapped = digits.clone();
            swapped.swap(swap, swap + 1);
            let swapped = number(&swapped);
            prop_assert_eq!(is_id_typo(id, swapped), swapped != id);
            if changed != id {
                prop_assert!(id_typo_neighbours(id).contains(&changed));
            }
        }

        #[test]
        fn two_distant_changes_are_not_a_typo(id in 1_000_000_000u64..999_999_999_999u64, a in 0usize..5, b in 7usize..12) {
            let mut digits: Vec<u64> = format!("{id:012}").bytes().map(|x| u64::from(x - b'0')).collect();
            digits[a] = (digits[a] + 1) % 10;
            digits[b] = (digits[b] + 1) % 10;
            let other = digits.iter().fold(0u64, |acc, &x| acc * 10 + x);
            prop_assert!(!is_id_typo(id, other));
        }
    }
}

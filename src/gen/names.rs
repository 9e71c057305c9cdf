//! Vietnamese personal names: pools with real surname frequencies, era- and
//! gender-dependent middle names, Zipf-distributed given names (so namesakes are common,
//! as they are in a real province), and the variants used as noise and as defects.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

use super::rng::{Rng, Weighted};

/// Surnames with their approximate share (percent) of the population.
const SURNAMES: &[(&str, f64)] = &[
    ("Nguyễn", 38.0),
    ("Trần", 11.0),
    ("Lê", 9.5),
    ("Phạm", 7.0),
    ("Phan", 4.5),
    ("Hoàng", 3.0),
    ("Đặng", 2.1),
    ("Huỳnh", 2.0),
    ("Vũ", 2.0),
    ("Võ", 2.0),
    ("Bùi", 2.0),
    ("Đỗ", 1.4),
    ("Hồ", 1.3),
    ("Ngô", 1.3),
    ("Dương", 1.0),
    ("Lý", 0.5),
    ("Đinh", 0.5),
    ("Trương", 0.5),
    ("Đoàn", 0.45),
    ("Lâm", 0.4),
    ("Mai", 0.4),
    ("Trịnh", 0.35),
    ("Lương", 0.3),
    ("Đào", 0.3),
    ("Cao", 0.3),
    ("Lưu", 0.3),
    ("Hà", 0.3),
    ("Tạ", 0.2),
    ("Châu", 0.2),
    ("Thái", 0.2),
    ("Tô", 0.2),
    ("Quách", 0.15),
    ("Phùng", 0.12),
    ("Vương", 0.1),
    ("Lại", 0.1),
    ("Kiều", 0.1),
    ("Triệu", 0.1),
    ("La", 0.1),
    ("Tăng", 0.1),
    ("Từ", 0.08),
    ("Thạch", 0.08),
    ("Sơn", 0.06),
    ("Danh", 0.05),
    ("Lục", 0.05),
    ("Khổng", 0.05),
    ("Diệp", 0.05),
    ("Mạc", 0.05),
    ("Âu", 0.05),
    ("Giang", 0.05),
    ("Nghiêm", 0.05),
    ("Tôn", 0.05),
    ("Bạch", 0.05),
    ("Hứa", 0.05),
    ("Quan", 0.05),
    ("Chu", 0.05),
    ("Đàm", 0.05),
    ("Thân", 0.05),
    ("Tống", 0.05),
    ("Ông", 0.04),
    ("Mạch", 0.02),
    ("Khúc", 0.02),
    ("Ninh", 0.02),
    ("Tiêu", 0.02),
    ("Doãn", 0.02),
    ("Hầu", 0.02),
    ("Cù", 0.02),
    ("Ôn", 0.02),
];

/// Surnames common among Khmer people of the Mekong delta.
const KHMER_SURNAMES: &[&str] = &["Thạch", "Sơn", "Kim", "Danh", "Lâm", "Châu", "Lý", "Kiên"];

/// Surnames common among the Hoa.
const HOA_SURNAMES: &[&str] = &[
    "Lâm", "Lý", "Trương", "Quách", "Mã", "Tăng", "Huỳnh", "Lưu", "Hứa", "Diệp",
];

/// Male middle names of older generations (weights).
const MALE_MIDDLE_CLASSIC: &[(&str, f64)] = &[
    ("Văn", 50.0),
    ("Hữu", 6.0),
    ("Tấn", 5.0),
    ("Đức", 5.0),
    ("Minh", 5.0),
    ("Thanh", 5.0),
    ("Công", 4.0),
    ("Quốc", 4.0),
    ("Ngọc", 3.0),
    ("Quang", 3.0),
    ("Xuân", 2.0),
    ("Hoàng", 2.0),
    ("Trọng", 2.0),
    ("Thành", 2.0),
    ("Đình", 2.0),
    ("Phước", 1.5),
    ("Chí", 1.5),
    ("Bá", 1.0),
    ("Kim", 1.0),
    ("Trung", 1.0),
    ("Việt", 1.0),
    ("Duy", 1.0),
    ("Hồng", 1.0),
    ("Nhật", 1.0),
];

/// Male middle names fashionable since the 1990s (weights).
const MALE_MIDDLE_MODERN: &[(&str, f64)] = &[
    ("Minh", 10.0),
    ("Gia", 8.0),
    ("Văn", 8.0),
    ("Hoàng", 6.0),
    ("Quốc", 6.0),
    ("Thanh", 5.0),
    ("Đức", 5.0),
    ("Anh", 5.0),
    ("Bảo", 5.0),
    ("Tuấn", 4.0),
    ("Duy", 4.0),
    ("Khánh", 4.0),
    ("Nhật", 4.0),
    ("Hữu", 3.0),
    ("Trung", 3.0),
    ("Thiên", 3.0),
    ("Đăng", 3.0),
    ("Tấn", 3.0),
    ("Quang", 3.0),
    ("Phúc", 2.0),
    ("Công", 2.0),
    ("Hải", 2.0),
    ("Ngọc", 2.0),
    ("Tiến", 2.0),
];

/// Female middle names of older generations (weights).
const FEMALE_MIDDLE_CLASSIC: &[(&str, f64)] = &[
    ("Thị", 60.0),
    ("Ngọc", 6.0),
    ("Kim", 5.0),
    ("Thanh", 4.0),
    ("Thu", 3.0),
    ("Hồng", 3.0),
    ("Mỹ", 2.0),
    ("Bích", 2.0),
    ("Thúy", 1.5),
    ("Xuân", 1.5),
    ("Minh", 1.0),
    ("Phương", 1.0),
    ("Tuyết", 1.0),
    ("Cẩm", 1.0),
    ("Diễm", 1.0),
    ("Hoài", 1.0),
];

/// Female middle names fashionable since the 1990s (weights).
const FEMALE_MIDDLE_MODERN: &[(&str, f64)] = &[
    ("Thị", 15.0),
    ("Ngọc", 10.0),
    ("Bảo", 6.0),
    ("Thanh", 5.0),
    ("Kim", 5.0),
    ("Gia", 5.0),
    ("Khánh", 5.0),
    ("Minh", 5.0),
    ("Phương", 5.0),
    ("Thảo", 4.0),
    ("Như", 4.0),
    ("Mỹ", 4.0),
    ("Quỳnh", 3.0),
    ("Thùy", 3.0),
    ("Hoài", 3.0),
    ("Tú", 2.0),
    ("Diệu", 2.0),
    ("Yến", 2.0),
    ("Hải", 2.0),
    ("Tường", 2.0),
    ("Cát", 2.0),
    ("An", 2.0),
    ("Huyền", 2.0),
];

/// Male given names, most common first (Zipf weights by rank).
const MALE_GIVEN: &[&str] = &[
    "Hùng",
    "Dũng",
    "Tuấn",
    "Minh",
    "Nam",
    "Hải",
    "Long",
    "Sơn",
    "Thành",
    "Phong",
    "Tâm",
    "Huy",
    "Hiếu",
    "Trung",
    "Thắng",
    "Bình",
    "Phúc",
    "Tài",
    "Khoa",
    "Quân",
    "Cường",
    "Đạt",
    "Hòa",
    "Lộc",
    "Tín",
    "Nghĩa",
    "Trí",
    "Hậu",
    "Khang",
    "Bảo",
    "Duy",
    "An",
    "Vinh",
    "Việt",
    "Hưng",
    "Thịnh",
    "Thuận",
    "Toàn",
    "Tú",
    "Tùng",
    "Kiên",
    "Lâm",
    "Luân",
    "Mạnh",
    "Nhân",
    "Nhật",
    "Phát",
    "Phước",
    "Quang",
    "Quý",
    "Sang",
    "Tân",
    "Thái",
    "Thanh",
    "Thiện",
    "Thông",
    "Tiến",
    "Trọng",
    "Trường",
    "Vũ",
    "Chiến",
    "Công",
    "Cảnh",
    "Danh",
    "Đăng",
    "Định",
    "Đông",
    "Đức",
    "Giang",
    "Hào",
    "Hiển",
    "Hiệp",
    "Hoàng",
    "Hữu",
    "Khải",
    "Khánh",
    "Khôi",
    "Lợi",
    "Lương",
    "Ngọc",
    "Nguyên",
    "Ninh",
    "Phi",
    "Phương",
    "Quyết",
    "Sáng",
    "Sinh",
    "Tấn",
    "Thọ",
    "Tiền",
    "Tình",
    "Toản",
    "Triều",
    "Trực",
    "Tường",
    "Út",
    "Vương",
    "Bằng",
    "Biên",
    "Châu",
    "Chính",
    "Doanh",
    "Dương",
    "Được",
    "Hợp",
    "Khiêm",
    "Kha",
    "Lai",
    "Lập",
    "Liêm",
    "Nhựt",
    "Quới",
    "Rạng",
    "Sĩ",
    "Tạo",
    "Thiên",
    "Thuần",
    "Tuệ",
    "Uy",
    "Vỹ",
    "Bé",
    "Em",
    "Lành",
    "Mến",
    "Nhiều",
    "Hên",
    "Đệ",
    "Hoài",
    "Kỳ",
    "Lực",
    "Mẫn",
    "Nhẫn",
    "Phụng",
    "Quốc",
    "Sự",
    "Tặng",
    "Thạnh",
    "Thới",
    "Trãi",
    "Trị",
    "Xuân",
    "Ân",
    "Bửu",
    "Cẩn",
    "Dự",
    "Giàu",
    "Hảo",
    "Khương",
    "Lễ",
    "Nhơn",
    "Phú",
    "Quyền",
    "Sử",
    "Thể",
    "Vàng",
    "Yên",
    "Đại",
    "Hiền",
    "Kiệt",
    "Luật",
];

/// Female given names, most common first.
const FEMALE_GIVEN: &[&str] = &[
    "Lan",
    "Hương",
    "Linh",
    "Trang",
    "Hà",
    "Ngọc",
    "Mai",
    "Hằng",
    "Thảo",
    "Phương",
    "Anh",
    "Hoa",
    "Nhung",
    "Thủy",
    "Thúy",
    "Yến",
    "Hạnh",
    "Hiền",
    "Dung",
    "Huyền",
    "Loan",
    "Vân",
    "Oanh",
    "Nga",
    "Tuyết",
    "Trinh",
    "Xuân",
    "Quyên",
    "Uyên",
    "Vy",
    "Nhi",
    "My",
    "Thư",
    "Trâm",
    "Ngân",
    "Hân",
    "Như",
    "Diễm",
    "Châu",
    "Chi",
    "Giang",
    "Hồng",
    "Huệ",
    "Khánh",
    "Kim",
    "Liên",
    "Liễu",
    "Ly",
    "Mỹ",
    "Nguyệt",
    "Nhàn",
    "Phượng",
    "Quỳnh",
    "Sương",
    "Tâm",
    "Thanh",
    "Thắm",
    "Thơ",
    "Thu",
    "Thùy",
    "Thương",
    "Tiên",
    "Trúc",
    "Tú",
    "Tuyền",
    "Vi",
    "Bích",
    "Ánh",
    "Diệp",
    "Duyên",
    "Hậu",
    "Hoài",
    "Kiều",
    "Lệ",
    "Lụa",
    "Mận",
    "Mơ",
    "Nụ",
    "Ngà",
    "Ngoan",
    "Nhạn",
    "Quế",
    "Sáu",
    "Tám",
    "Thoa",
    "Thục",
    "Thuận",
    "Tình",
    "Trà",
    "Trân",
    "Út",
    "Xuyến",
    "Diệu",
    "Đào",
    "Điệp",
    "Gấm",
    "Hảo",
    "Hường",
    "Hòa",
    "Khuê",
    "Lài",
    "Lam",
    "Lựu",
    "Minh",
    "Na",
    "Nhã",
    "Nhiên",
    "Phấn",
    "Phụng",
    "Quý",
    "Sa",
    "Thi",
    "Tươi",
    "Uyển",
    "Viên",
    "Xinh",
    "Bé",
    "Em",
    "Hiên",
    "Hạ",
    "Lành",
    "Lý",
    "Mến",
    "Mười",
    "Nương",
    "Phúc",
    "Sen",
    "Thêu",
    "Thìn",
    "Trầm",
    "Tuyến",
    "Yên",
    "Ái",
    "Ân",
    "An",
    "Bảo",
    "Băng",
    "Cúc",
    "Đoan",
    "Giao",
    "Huê",
    "Lợi",
    "Ngát",
    "Nhị",
    "Nhu",
    "Ny",
    "Thoại",
    "Tím",
    "Cẩm",
    "Hải",
    "Kha",
    "Nhàng",
    "Son",
];

/// Given names popular for children born since 2000 (drawn half the time for them).
const MALE_MODERN_GIVEN: &[&str] = &[
    "Khang", "Khôi", "Huy", "Bảo", "Phúc", "Minh", "An", "Nam", "Khoa", "Quân", "Đạt", "Duy",
    "Kiệt", "Thịnh", "Phát", "Hiếu", "Long", "Vinh",
];

/// Given names popular for girls born since 2000.
const FEMALE_MODERN_GIVEN: &[&str] = &[
    "Ngân", "Hân", "Vy", "Nhi", "My", "Thư", "Trâm", "An", "Anh", "Linh", "Như", "Uyên", "Quyên",
    "Khuê", "Nhiên", "Trúc", "Ngọc", "Thảo",
];

/// Surnames of Central Highlands peoples, used only for people outside the register
/// so that "nobody matches" records cannot accidentally resemble a registered person.
const HIGHLAND_SURNAMES: &[&str] = &[
    "Ksor",
    "Siu",
    "Rơ Mah",
    "Rơ Châm",
    "Nay",
    "Kpă",
    "Rahlan",
    "Puih",
    "Rcom",
    "Êban",
    "Niê",
    "Mlô",
    "Adrơng",
    "Byă",
    "Hwing",
    "Kbuôr",
    "Ayŭn",
    "Ênuôl",
    "Hđơk",
    "Mdrang",
    "Bđăp",
    "Bkrông",
    "Hmok",
    "Kpơr",
];

/// Highland male given names (written after `Y`).
const HIGHLAND_MALE: &[&str] = &[
    "Bhin", "Blin", "Moan", "Nuê", "Jôn", "Dhăm", "Wơn", "Jut", "Kbôn", "Hrôl", "Mlang", "Dơk",
    "Prông", "Yŭ", "Rư", "Juê", "Bhiêr", "Krang", "Sươl", "Thuôl",
];

/// Highland female given names (written with `H'`).
const HIGHLAND_FEMALE: &[&str] = &[
    "H'Bia", "H'Hen", "H'Ngơm", "H'Bluk", "H'Dlung", "H'Năm", "H'Yuh", "H'Djuê", "H'Nguah",
    "H'Lim", "H'Wiơn", "H'Rin", "H'Dlim", "H'Jăn", "H'Nhi", "H'Mai",
];

/// Given names that differ only in diacritics (a real mismatch: Hùng ≠ Hưng).
const DIACRITIC_TWINS: &[(&str, &str)] = &[
    ("Hùng", "Hưng"),
    ("Hưng", "Hùng"),
    ("Hương", "Hường"),
    ("Hường", "Hương"),
    ("Thủy", "Thúy"),
    ("Thúy", "Thủy"),
    ("Tuấn", "Tuân"),
    ("Dũng", "Dung"),
    ("Dung", "Dũng"),
    ("Hải", "Hài"),
    ("Trinh", "Trình"),
    ("Thanh", "Thành"),
    ("Thành", "Thanh"),
    ("Hoa", "Hòa"),
    ("Hòa", "Hoa"),
    ("Nga", "Ngà"),
    ("Ngà", "Nga"),
    ("Tâm", "Tám"),
    ("Tám", "Tâm"),
    ("Tiên", "Tiền"),
    ("Tiền", "Tiên"),
    ("Hiền", "Hiển"),
    ("Hiển", "Hiền"),
    ("Phương", "Phượng"),
    ("Phượng", "Phương"),
    ("Ly", "Lý"),
    ("Lý", "Ly"),
    ("Thư", "Thu"),
    ("Thu", "Thư"),
    ("Hà", "Hạ"),
    ("Hạ", "Hà"),
    ("Yến", "Yên"),
    ("Yên", "Yến"),
    ("Sơn", "Sởn"),
    ("Lan", "Lân"),
    ("Linh", "Lĩnh"),
];

/// A person's name as indices into the lexicon: surname, two optional middle names
/// (0 = none) and the given name. Index 0 is the empty string.
pub(super) type Name = [u16; 4];

/// The empty name.
pub(super) const NO_NAME: Name = [0; 4];

/// Ethnicity index of the Khmer in `super::people::ETHNICITIES`.
const KHMER: u8 = 4;
/// Ethnicity index of the Hoa.
const HOA: u8 = 5;

/// All name parts, their folded keys, and the sampling tables.
pub(super) struct Lexicon {
    parts: Vec<String>,
    folded: Vec<u32>,
    index: HashMap<String, u16>,
    folded_index: HashMap<String, u32>,
    surnames: Vec<u16>,
    surname_weights: Weighted,
    khmer_surnames: Vec<u16>,
    hoa_surnames: Vec<u16>,
    middles: [(Vec<u16>, Weighted); 4],
    givens: [(Vec<u16>, Weighted); 2],
    modern_givens: [Vec<u16>; 2],
    highland_surnames: Vec<u16>,
    highland_givens: [Vec<u16>; 2],
    highland_y: u16,
    diacritic_twins: HashMap<u16, u16>,
    generic_middles: [u16; 2],
    canonical_surname: HashMap<u32, u32>,
}

impl Lexicon {
    /// Build the lexicon from the pools above.
    pub(super) fn new() -> Lexicon {
        let mut lex = Lexicon {
            parts: vec![String::new()],
            folded: vec![0],
            index: HashMap::new(),
            folded_index: HashMap::new(),
            surnames: Vec::new(),
            surname_weights: Weighted::new(&[]),
            khmer_surnames: Vec::new(),
            hoa_surnames: Vec::new(),
            middles: Default::default(),
            givens: Default::default(),
            modern_givens: Default::default(),
            highland_surnames: Vec::new(),
            highland_givens: Default::default(),
            highland_y: 0,
            diacritic_twins: HashMap::new(),
            generic_middles: [0; 2],
            canonical_surname: HashMap::new(),
        };
        lex.folded_index.insert(String::new(), 0);
        lex.surnames = SURNAMES.iter().map(|(s, _)| lex.intern(s)).collect();
        let weights: Vec<f64> = SURNAMES.iter().map(|(_, w)| *w).collect();
        lex.surname_weights = Weighted::new(&weights);
        lex.khmer_surnames = KHMER_SURNAMES.iter().map(|s| lex.intern(s)).collect();
        lex.hoa_surnames = HOA_SURNAMES.iter().map(|s| lex.intern(s)).collect();
        for (slot, pool) in [
            MALE_MIDDLE_CLASSIC,
            MALE_MIDDLE_MODERN,
            FEMALE_MIDDLE_CLASSIC,
            FEMALE_MIDDLE_MODERN,
        ]
        .iter()
        .enumerate()
        {
            let ids = pool.iter().map(|(s, _)| lex.intern(s)).collect();
            let weights: Vec<f64> = pool.iter().map(|(_, w)| *w).collect();
            lex.middles[slot] = (ids, Weighted::new(&weights));
        }
        for (slot, pool) in [MALE_GIVEN, FEMALE_GIVEN].iter().enumerate() {
            let ids: Vec<u16> = pool.iter().map(|s| lex.intern(s)).collect();
            let weights = Weighted::zipf(ids.len(), 3.0, 1.05);
            lex.givens[slot] = (ids, weights);
        }
        lex.modern_givens = [
            MALE_MODERN_GIVEN.iter().map(|s| lex.intern(s)).collect(),
            FEMALE_MODERN_GIVEN.iter().map(|s| lex.intern(s)).collect(),
        ];
        lex.highland_surnames = HIGHLAND_SURNAMES.iter().map(|s| lex.intern(s)).collect();
        lex.highland_givens = [
            HIGHLAND_MALE.iter().map(|s| lex.intern(s)).collect(),
            HIGHLAND_FEMALE.iter().map(|s| lex.intern(s)).collect(),
        ];
        lex.highland_y = lex.intern("Y");
        lex.generic_middles = [lex.intern("Văn"), lex.intern("Thị")];
        for (from, to) in DIACRITIC_TWINS {
            let (a, b) = (lex.intern(from), lex.intern(to));
            lex.diacritic_twins.insert(a, b);
        }
        // Regional spellings of one family name (Huỳnh/Hoàng, Võ/Vũ) count as one.
        for (variant, canonical) in [("Huỳnh", "Hoàng"), ("Võ", "Vũ")] {
            let (v, c) = (lex.intern(variant), lex.intern(canonical));
            lex.canonical_surname
                .insert(lex.folded[v as usize], lex.folded[c as usize]);
        }
        lex
    }

    /// Index of `text`, adding it when new; `None` when the table is full.
    pub(super) fn try_intern(&mut self, text: &str) -> Option<u16> {
        if let Some(&id) = self.index.get(text) {
            return Some(id);
        }
        let id = u16::try_from(self.parts.len()).ok()?;
        let folded = fold(text);
        let next = self.folded_index.len() as u32;
        let folded_id = *self.folded_index.entry(folded).or_insert(next);
        self.parts.push(text.to_string());
        self.folded.push(folded_id);
        self.index.insert(text.to_string(), id);
        Some(id)
    }

    // Pool strings are few and fixed, so the table can never be full while building.
    fn intern(&mut self, text: &str) -> u16 {
        self.try_intern(text).unwrap_or(0)
    }

    /// The text of a name part.
    pub(super) fn part(&self, id: u16) -> &str {
        self.parts.get(id as usize).map_or("", String::as_str)
    }

    /// Folded key id of a name part (equal for parts that differ only in diacritics).
    pub(super) fn folded_id(&self, id: u16) -> u32 {
        self.folded.get(id as usize).copied().unwrap_or(0)
    }

    /// Folded key id of a surname, merging regional variants.
    pub(super) fn surname_key(&self, id: u16) -> u32 {
        let f = self.folded_id(id);
        self.canonical_surname.get(&f).copied().unwrap_or(f)
    }

    /// Append the full name to `out`, single-spaced.
    pub(super) fn render(&self, name: &Name, out: &mut String) {
        let mut first = true;
        for &part in name {
            if part == 0 {
                continue;
            }
            if !first {
                out.push(' ');
            }
            first = false;
            out.push_str(self.part(part));
        }
    }

    /// The full name as a new string.
    pub(super) fn full(&self, name: &Name) -> String {
        let mut out = String::with_capacity(24);
        self.render(name, &mut out);
        out
    }

    /// A surname drawn by frequency, or from the ethnic group's own pool.
    pub(super) fn surname(&self, rng: &mut Rng, ethnicity: u8) -> u16 {
        match ethnicity {
            KHMER if rng.chance(0.8) => rng.pick(&self.khmer_surnames),
            HOA if rng.chance(0.7) => rng.pick(&self.hoa_surnames),
            _ => self.surnames[self.surname_weights.sample(rng)],
        }
    }

    /// A name for a person of `gender` (0 male, 1 female) born in `year` with `surname`.
    pub(super) fn name(&self, rng: &mut Rng, gender: u8, year: i32, surname: u16) -> Name {
        let g = usize::from(gender.min(1));
        let classic = &self.middles[g * 2];
        let modern = &self.middles[g * 2 + 1];
        let draw = |rng: &mut Rng, pool: &(Vec<u16>, Weighted)| pool.0[pool.1.sample(rng)];
        let (m1, m2) = if year < 1975 {
            if rng.chance(0.05) {
                (0, 0)
            } else {
                (draw(rng, classic), 0)
            }
        } else if year < 1995 {
            let pool = if rng.chance(0.75) { classic } else { modern };
            (draw(rng, pool), 0)
        } else {
            let r = rng.f64();
            if r < 0.08 {
                (0, 0)
            } else if r < 0.80 {
                let pool = if rng.chance(0.8) { modern } else { classic };
                (draw(rng, pool), 0)
            } else {
                // Two middle names ("Ngọc Bảo", "Gia Huy"): never with Văn / Thị.
                let plain = |rng: &mut Rng| {
                    let m = draw(rng, modern);
                    if self.generic_middles.contains(&m) {
                        0
                    } else {
                        m
                    }
                };
                let a = plain(rng);
                let b = plain(rng);
                if a == 0 || b == 0 || a == b {
                    (a.max(b), 0)
                } else {
                    (a, b)
                }
            }
        };
        let given = if year >= 2000 && rng.chance(0.5) {
            rng.pick(&self.modern_givens[g])
        } else {
            let pool = &self.givens[g];
            pool.0[pool.1.sample(rng)]
        };
        // A given name equal to the middle name reads oddly ("Minh Minh"): drop the middle.
        let (m1, m2) = if m2 == given {
            (m1, 0)
        } else if m1 == given {
            (m2, 0)
        } else {
            (m1, m2)
        };
        [surname, m1, m2, given]
    }

    /// A Central Highlands name (people outside the register only).
    pub(super) fn highland_name(&self, rng: &mut Rng, gender: u8) -> Name {
        let surname = rng.pick(&self.highland_surnames);
        if gender == 0 {
            [
                surname,
                self.highland_y,
                0,
                rng.pick(&self.highland_givens[0]),
            ]
        } else {
            [surname, 0, 0, rng.pick(&self.highland_givens[1])]
        }
    }

    /// Another given name of the same gender whose folded form differs.
    pub(super) fn other_given(&self, rng: &mut Rng, gender: u8, given: u16) -> u16 {
        let pool = &self.givens[usize::from(gender.min(1))];
        for _ in 0..32 {
            let candidate = pool.0[pool.1.sample(rng)];
            if self.folded_id(candidate) != self.folded_id(given) {
                return candidate;
            }
        }
        pool.0
            .iter()
            .copied()
            .find(|&c| self.folded_id(c) != self.folded_id(given))
            .unwrap_or(given)
    }

    /// Another middle name of the same gender whose folded form differs.
    pub(super) fn other_middle(&self, rng: &mut Rng, gender: u8, middle: u16) -> u16 {
        let pool = &self.middles[usize::from(gender.min(1)) * 2];
        for _ in 0..32 {
            let candidate = pool.0[pool.1.sample(rng)];
            if self.folded_id(candidate) != self.folded_id(middle) {
                return candidate;
            }
        }
        middle
    }

    /// The given name differing only in diacritics (Hùng → Hưng), if there is one.
    pub(super) fn diacritic_twin(&self, given: u16) -> Option<u16> {
        self.diacritic_twins.get(&given).copied()
    }
}

/// Folded comparison key: lowercase ASCII letters and digits, diacritics removed,
/// đ → d, apostrophes dropped, words separated by single spaces.
pub(super) fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.nfd() {
        let mapped = match c {
            'đ' | 'Đ' => Some('d'),
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        };
        if let Some(m) = mapped {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(m);
        } else if ('\u{300}'..='\u{36f}').contains(&c) || c == '\'' || c == '’' {
            // Combining marks and apostrophes belong to the letters around them.
        } else {
            pending_space = true;
        }
    }
    out
}

/// Folded key with all separators removed (`Gia Rai` → `giarai`), used for lists.
pub(super) fn fold_compact(text: &str) -> String {
    fold(text).replace(' ', "")
}

/// The text without any diacritics, case kept (how some sector systems store names).
pub(super) fn strip_diacritics(text: &str) -> String {
    text.nfd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            other => other,
        })
        .collect()
}

/// The text in decomposed (NFD) form.
pub(super) fn to_nfd(text: &str) -> String {
    text.nfd().collect()
}

/// A one-letter slip in a given name as a clerk re-typing a record makes it: a changed
/// final consonant (Thanh → Than, Vy → Vi), a wrong tone mark (Bích → Bịch), or a
/// dropped `h` (Khánh → Kánh).
pub(super) fn letter_typo(rng: &mut Rng, given: &str) -> String {
    const ENDINGS: &[(&str, &str)] = &[
        ("nh", "n"),
        ("ng", "n"),
        ("y", "i"),
        ("i", "y"),
        ("c", "t"),
        ("t", "c"),
        ("m", "n"),
        ("n", "ng"),
    ];
    // Tone marks (acute, grave, hook, tilde, dot) as combining characters.
    const TONES: [char; 5] = ['\u{301}', '\u{300}', '\u{309}', '\u{303}', '\u{323}'];
    let ending = |g: &str| {
        ENDINGS
            .iter()
            .find(|(from, _)| g.len() > from.len() + 1 && g.ends_with(from))
            .map(|(from, to)| format!("{}{}", &g[..g.len() - from.len()], to))
    };
    let tone = |g: &str, rng: &mut Rng| {
        let decomposed: Vec<char> = g.nfd().collect();
        let pos = decomposed.iter().position(|c| TONES.contains(c))?;
        let mut changed = decomposed.clone();
        let current = TONES
            .iter()
            .position(|t| *t == decomposed[pos])
            .unwrap_or(0);
        changed[pos] = TONES[(current + 1 + rng.index(4)) % 5];
        let out: String = changed.into_iter().collect::<String>().nfc().collect();
        (out != g).then_some(out)
    };
    let dropped_h = |g: &str| {
        let chars: Vec<char> = g.chars().collect();
        (chars.len() >= 3 && chars[1] == 'h').then(|| {
            let mut out: String = chars[..1].iter().collect();
            out.extend(&chars[2..]);
            out
        })
    };
    let start = rng.index(3);
    for k in 0..3 {
        let attempt = match (start + k) % 3 {
            0 => ending(given),
            1 => tone(given, rng),
            _ => dropped_h(given),
        };
        if let Some(out) = attempt {
            return out;
        }
    }
    // No tone, no known ending, no h: lose the diacritics of the vowel hats (Ơn → On).
    let plain = strip_diacritics(given);
    if plain != given {
        plain
    } else {
        format!("{given}n")
    }
}

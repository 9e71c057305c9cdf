//! The synthetic administrative units: the main province with its districts and
//! communes (scaled to the population), a few neighbouring provinces, hamlets, and the
//! industrial zones of the main province.

use std::collections::HashSet;

use super::rng::Rng;
use super::GenError;

/// The 63 pre-2025 provinces: two-digit statistical code and official name.
pub(super) const PROVINCES: &[(u8, &str)] = &[
    (1, "Thành phố Hà Nội"),
    (2, "Tỉnh Hà Giang"),
    (4, "Tỉnh Cao Bằng"),
    (6, "Tỉnh Bắc Kạn"),
    (8, "Tỉnh Tuyên Quang"),
    (10, "Tỉnh Lào Cai"),
    (11, "Tỉnh Điện Biên"),
    (12, "Tỉnh Lai Châu"),
    (14, "Tỉnh Sơn La"),
    (15, "Tỉnh Yên Bái"),
    (17, "Tỉnh Hòa Bình"),
    (19, "Tỉnh Thái Nguyên"),
    (20, "Tỉnh Lạng Sơn"),
    (22, "Tỉnh Quảng Ninh"),
    (24, "Tỉnh Bắc Giang"),
    (25, "Tỉnh Phú Thọ"),
    (26, "Tỉnh Vĩnh Phúc"),
    (27, "Tỉnh Bắc Ninh"),
    (30, "Tỉnh Hải Dương"),
    (31, "Thành phố Hải Phòng"),
    (33, "Tỉnh Hưng Yên"),
    (34, "Tỉnh Thái Bình"),
    (35, "Tỉnh Hà Nam"),
    (36, "Tỉnh Nam Định"),
    (37, "Tỉnh Ninh Bình"),
    (38, "Tỉnh Thanh Hóa"),
    (40, "Tỉnh Nghệ An"),
    (42, "Tỉnh Hà Tĩnh"),
    (44, "Tỉnh Quảng Bình"),
    (45, "Tỉnh Quảng Trị"),
    (46, "Tỉnh Thừa Thiên Huế"),
    (48, "Thành phố Đà Nẵng"),
    (49, "Tỉnh Quảng Nam"),
    (51, "Tỉnh Quảng Ngãi"),
    (52, "Tỉnh Bình Định"),
    (54, "Tỉnh Phú Yên"),
    (56, "Tỉnh Khánh Hòa"),
    (58, "Tỉnh Ninh Thuận"),
    (60, "Tỉnh Bình Thuận"),
    (62, "Tỉnh Kon Tum"),
    (64, "Tỉnh Gia Lai"),
    (66, "Tỉnh Đắk Lắk"),
    (67, "Tỉnh Đắk Nông"),
    (68, "Tỉnh Lâm Đồng"),
    (70, "Tỉnh Bình Phước"),
    (72, "Tỉnh Tây Ninh"),
    (74, "Tỉnh Bình Dương"),
    (75, "Tỉnh Đồng Nai"),
    (77, "Tỉnh Bà Rịa - Vũng Tàu"),
    (79, "Thành phố Hồ Chí Minh"),
    (80, "Tỉnh Long An"),
    (82, "Tỉnh Tiền Giang"),
    (83, "Tỉnh Bến Tre"),
    (84, "Tỉnh Trà Vinh"),
    (86, "Tỉnh Vĩnh Long"),
    (87, "Tỉnh Đồng Tháp"),
    (89, "Tỉnh An Giang"),
    (91, "Tỉnh Kiên Giang"),
    (92, "Thành phố Cần Thơ"),
    (93, "Tỉnh Hậu Giang"),
    (94, "Tỉnh Sóc Trăng"),
    (95, "Tỉnh Bạc Liêu"),
    (96, "Tỉnh Cà Mau"),
];

/// Is `code` one of the 63 province codes?
pub(super) fn is_province(code: u8) -> bool {
    PROVINCES.iter().any(|(c, _)| *c == code)
}

/// Name of a province code ("" when unknown).
pub(super) fn province_name(code: u8) -> &'static str {
    PROVINCES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("", |(_, n)| n)
}

/// The real district names of Bến Tre, used when the main province is 83.
const BEN_TRE_DISTRICTS: &[&str] = &[
    "Thành phố Bến Tre",
    "Huyện Châu Thành",
    "Huyện Chợ Lách",
    "Huyện Mỏ Cày Nam",
    "Huyện Mỏ Cày Bắc",
    "Huyện Giồng Trôm",
    "Huyện Bình Đại",
    "Huyện Ba Tri",
    "Huyện Thạnh Phú",
];

/// Place names for districts elsewhere (southern flavour).
const DISTRICT_POOL: &[&str] = &[
    "Châu Thành",
    "Cái Bè",
    "Cai Lậy",
    "Chợ Gạo",
    "Gò Công Tây",
    "Gò Công Đông",
    "Tân Phước",
    "Cầu Kè",
    "Càng Long",
    "Tiểu Cần",
    "Cầu Ngang",
    "Trà Cú",
    "Duyên Hải",
    "Long Hồ",
    "Mang Thít",
    "Vũng Liêm",
    "Tam Bình",
    "Trà Ôn",
    "Bình Tân",
    "Tân Hồng",
    "Hồng Ngự",
    "Tam Nông",
    "Thanh Bình",
    "Lấp Vò",
    "Lai Vung",
    "Tân Thạnh",
    "Thạnh Hóa",
    "Đức Hòa",
    "Cần Giuộc",
    "Cần Đước",
    "Phong Điền",
    "Thới Lai",
    "Cờ Đỏ",
    "Vĩnh Thạnh",
    "Long Mỹ",
    "Phụng Hiệp",
    "Mỹ Tú",
    "Kế Sách",
    "Long Phú",
    "Thạnh Trị",
    "Hồng Dân",
    "Phước Long",
    "Giá Rai",
    "Đầm Dơi",
    "Cái Nước",
    "Năm Căn",
    "Ngọc Hiển",
    "U Minh",
    "Trần Văn Thời",
    "An Minh",
    "Vĩnh Thuận",
    "Gò Quao",
    "Giồng Riềng",
    "Tân Hiệp",
    "Hòn Đất",
    "Thoại Sơn",
    "Chợ Mới",
    "Phú Tân",
    "Tri Tôn",
    "Tịnh Biên",
];

/// First syllable of commune names.
const COMMUNE_FIRST: &[&str] = &[
    "An", "Tân", "Phú", "Bình", "Mỹ", "Long", "Thạnh", "Hòa", "Vĩnh", "Phước", "Hưng", "Thới",
    "Lương", "Định", "Tường", "Hữu", "Sơn", "Đại", "Thành", "Quới", "Lộc", "Nhơn", "Châu", "Hiệp",
    "Giao", "Thừa", "Khánh", "Cẩm", "Đa", "Tam",
];

/// Second syllable of commune names.
const COMMUNE_SECOND: &[&str] = &[
    "Thạnh", "Hòa", "Phú", "Bình", "Hiệp", "Lợi", "Đông", "Tây", "Thuận", "Hưng", "Định", "Mỹ",
    "Thới", "Long", "Khánh", "Phong", "An", "Điền", "Trung", "Lộc", "Quới", "Nhuận", "Ngãi",
    "Xuân", "Thành", "Hội", "Sơn", "Đức", "Tân", "Phước",
];

/// Hamlet names of the delta ("Ấp An Thới").
const HAMLET_NAMES: &[&str] = &[
    "An Thới",
    "Phú Lợi",
    "Bình Thạnh",
    "Tân Hòa",
    "Mỹ An",
    "Long Hội",
    "Thạnh Phú",
    "Hòa Lợi",
    "Vĩnh Bình",
    "Phước Hậu",
    "Hưng Nhơn",
    "Thới Thuận",
    "Giồng Kè",
    "Cồn Chim",
    "Rạch Miễu",
    "Bến Đình",
    "Cầu Sắt",
    "Cây Da",
    "Xóm Mới",
    "Vàm Hồ",
];

/// Industrial zones named after places of the main province.
const ZONE_NAMES_BEN_TRE: &[&str] = &["KCN Giao Long", "KCN An Hiệp", "KCN Phú Thuận"];

/// The kind of a commune-level unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CommuneKind {
    /// Xã (rural).
    Xa,
    /// Phường (urban ward).
    Phuong,
    /// Thị trấn (district town).
    ThiTran,
}

/// One province in the generated admin units.
#[derive(Clone, Debug)]
pub(super) struct Province {
    /// Two-digit code.
    pub code: u8,
    /// Official name.
    pub name: &'static str,
    /// Range of its communes in `AdminUnits::communes`.
    pub communes: std::ops::Range<usize>,
}

/// One district.
#[derive(Clone, Debug)]
pub(super) struct District {
    /// Three-digit code.
    pub code: String,
    /// Name with its prefix.
    pub name: String,
}

/// One commune.
#[derive(Clone, Debug)]
pub(super) struct Commune {
    /// Five-digit code.
    pub code: String,
    /// Name with its prefix.
    pub name: String,
    /// Urban or rural.
    pub kind: CommuneKind,
    /// Index of the district.
    pub district: usize,
    /// Index of the province.
    pub province: usize,
    /// Hamlet / residential group names ("Ấp An Thới", "Khu phố 3").
    pub hamlets: Vec<String>,
    /// ", <commune>, <district>, <province>" appended to a hamlet to make an address.
    pub address_tail: String,
    /// Relative size (urban wards are denser).
    pub weight: f64,
}

/// An industrial zone of the main province.
#[derive(Clone, Debug)]
pub(super) struct Zone {
    /// Name ("KCN Giao Long").
    pub name: String,
    /// Commune it lies in.
    pub commune: usize,
}

/// The generated administrative units.
#[derive(Clone, Debug)]
pub(super) struct AdminUnits {
    /// Main province first, then the neighbours.
    pub provinces: Vec<Province>,
    /// All districts.
    pub districts: Vec<District>,
    /// All communes, grouped by province in `provinces` order.
    pub communes: Vec<Commune>,
    /// Industrial zones of the main province.
    pub zones: Vec<Zone>,
    /// Every used commune code (for generating codes that are not in the list).
    pub used_codes: HashSet<String>,
}

impl AdminUnits {
    /// Build the units for a main province with `main_communes` communes and
    /// `extra` neighbours.
    pub(super) fn build(
        main_code: u8,
        main_communes: usize,
        extra: usize,
        rng: &mut Rng,
    ) -> Result<AdminUnits, GenError> {
        if !is_province(main_code) {
            return Err(GenError::Options(format!(
                "province code {main_code:02} is not one of the 63 province codes"
            )));
        }
        let mut neighbours: Vec<u8> = PROVINCES
            .iter()
            .map(|(c, _)| *c)
            .filter(|&c| c != main_code)
            .collect();
        neighbours.sort_by_key(|&c| ((i32::from(c) - i32::from(main_code)).abs(), c));
        neighbours.truncate(extra);
        let mut units = AdminUnits {
            provinces: Vec::new(),
            districts: Vec::new(),
            communes: Vec::new(),
            zones: Vec::new(),
            used_codes: HashSet::new(),
        };
        let mut used_districts: HashSet<u32> = HashSet::new();
        let main_districts = (main_communes / 16).clamp(2, 9).max(main_communes / 18);
        units.add_province(
            main_code,
            main_districts,
            main_communes,
            rng,
            &mut used_districts,
        )?;
        for &code in &neighbours {
            let communes = 3 + rng.index(4);
            let districts = 1 + usize::from(communes > 4);
            units.add_province(code, districts, communes, rng, &mut used_districts)?;
        }
        units.add_zones(main_code, rng);
        Ok(units)
    }

    fn add_province(
        &mut self,
        code: u8,
        n_districts: usize,
        n_communes: usize,
        rng: &mut Rng,
        used_districts: &mut HashSet<u32>,
    ) -> Result<(), GenError> {
        let province = self.provinces.len();
        let name = province_name(code);
        let short = name
            .trim_start_matches("Thành phố ")
            .trim_start_matches("Tỉnh ");
        let first_commune = self.communes.len();
        // Real codes: districts near code*10, communes near district*34, in steps of 3.
        let mut district_code = if code == 83 {
            829
        } else {
            u32::from(code) * 10
        };
        let mut commune_code = if code == 83 {
            28756
        } else {
            district_code * 34
        };
        let mut pool: Vec<&str> = DISTRICT_POOL.to_vec();
        // Shuffle the pool deterministically so provinces get different districts.
        for i in (1..pool.len()).rev() {
            pool.swap(i, rng.index(i + 1));
        }
        let mut names: Vec<String> = Vec::with_capacity(n_districts);
        for d in 0..n_districts {
            let district_name = if code == 83 && d < BEN_TRE_DISTRICTS.len() {
                BEN_TRE_DISTRICTS[d].to_string()
            } else if d == 0 {
                format!("Thành phố {short}")
            } else {
                let base = pool[(d - 1) % pool.len()];
                let round = (d - 1) / pool.len();
                if round == 0 {
                    format!("Huyện {base}")
                } else {
                    format!("Huyện {base} {}", round + 1)
                }
            };
            names.push(district_name);
        }
        // Spread the communes over the districts; the city gets wards.
        let mut per_district = vec![n_communes / n_districts; n_districts];
        for slot in per_district.iter_mut().take(n_communes % n_districts) {
            *slot += 1;
        }
        for (d, district_name) in names.into_iter().enumerate() {
            while used_districts.contains(&district_code) {
                district_code += 1;
            }
            if district_code > 999 {
                return Err(GenError::Options(
                    "too many districts for three-digit codes; lower --people".into(),
                ));
            }
            used_districts.insert(district_code);
            let district = self.districts.len();
            self.districts.push(District {
                code: format!("{district_code:03}"),
                name: district_name.clone(),
            });
            district_code += 1;
            let is_city = district_name.starts_with("Thành phố");
            let mut commune_names: HashSet<String> = HashSet::new();
            let town_name = district_name
                .trim_start_matches("Huyện ")
                .trim_start_matches("Thành phố ")
                .to_string();
            for c in 0..per_district[d] {
                let (kind, commune_name) = if is_city && c < per_district[d].div_ceil(2) {
                    if rng.chance(0.75) {
                        (CommuneKind::Phuong, format!("Phường {}", c + 1))
                    } else {
                        let n = unique_name(rng, &mut commune_names, "Phường");
                        (CommuneKind::Phuong, n)
                    }
                } else if !is_city && c == 0 {
                    (CommuneKind::ThiTran, format!("Thị trấn {town_name}"))
                } else {
                    let n = unique_name(rng, &mut commune_names, "Xã");
                    (CommuneKind::Xa, n)
                };
                commune_names.insert(commune_name.clone());
                while self.used_codes.contains(&format!("{commune_code:05}")) {
                    commune_code += 1;
                }
                if commune_code > 99_999 {
                    return Err(GenError::Options(
                        "too many communes for five-digit codes; lower --people".into(),
                    ));
                }
                let code_text = format!("{commune_code:05}");
                commune_code += 1 + rng.below(3) as u32;
                let n_hamlets = 4 + rng.index(8);
                let hamlets: Vec<String> = (0..n_hamlets)
                    .map(|h| match kind {
                        CommuneKind::Phuong | CommuneKind::ThiTran => format!("Khu phố {}", h + 1),
                        CommuneKind::Xa if rng.chance(0.5) => format!("Ấp {}", h + 1),
                        CommuneKind::Xa => {
                            format!("Ấp {}", HAMLET_NAMES[rng.index(HAMLET_NAMES.len())])
                        }
                    })
                    .collect();
                let weight = match kind {
                    CommuneKind::Phuong => 1.4,
                    CommuneKind::ThiTran => 1.2,
                    CommuneKind::Xa => 1.0,
                } * (0.55 + rng.f64() * 0.9);
                self.used_codes.insert(code_text.clone());
                self.communes.push(Commune {
                    code: code_text,
                    address_tail: format!(", {commune_name}, {district_name}, {name}"),
                    name: commune_name,
                    kind,
                    district,
                    province,
                    hamlets,
                    weight,
                });
            }
        }
        self.provinces.push(Province {
            code,
            name,
            communes: first_commune..self.communes.len(),
        });
        Ok(())
    }

    fn add_zones(&mut self, main_code: u8, rng: &mut Rng) {
        let main = self.provinces[0].communes.clone();
        let rural: Vec<usize> = main
            .clone()
            .filter(|&c| self.communes[c].kind == CommuneKind::Xa)
            .collect();
        let candidates = if rural.is_empty() {
            main.collect::<Vec<_>>()
        } else {
            rural
        };
        let names: Vec<String> = if main_code == 83 {
            ZONE_NAMES_BEN_TRE.iter().map(|s| s.to_string()).collect()
        } else {
            (0..3)
                .map(|_| {
                    let c = candidates[rng.index(candidates.len())];
                    let commune = &self.communes[c].name;
                    format!(
                        "KCN {}",
                        commune
                            .trim_start_matches("Xã ")
                            .trim_start_matches("Phường ")
                            .trim_start_matches("Thị trấn ")
                    )
                })
                .collect()
        };
        for name in names {
            let commune = candidates[rng.index(candidates.len())];
            self.zones.push(Zone { name, commune });
        }
    }

    /// The main province.
    pub(super) fn main(&self) -> &Province {
        &self.provinces[0]
    }

    /// Two-digit code text of a commune's province.
    pub(super) fn province_code_of(&self, commune: usize) -> u8 {
        self.provinces[self.communes[commune].province].code
    }

    /// Is the commune in the main province?
    pub(super) fn in_main(&self, commune: usize) -> bool {
        self.communes[commune].province == 0
    }

    /// A five-digit code that names no commune (a data-entry error).
    pub(super) fn unknown_commune_code(&self, rng: &mut Rng) -> String {
        loop {
            let base = &self.communes[rng.index(self.communes.len())].code;
            let mut digits: Vec<u8> = base.bytes().collect();
            let i = 1 + rng.index(4);
            digits[i] = b'0' + rng.below(10) as u8;
            let code = String::from_utf8(digits).unwrap_or_default();
            if !code.is_empty() && !self.used_codes.contains(&code) {
                return code;
            }
        }
    }
}

fn unique_name(rng: &mut Rng, taken: &mut HashSet<String>, prefix: &str) -> String {
    for attempt in 0..200 {
        let a = COMMUNE_FIRST[rng.index(COMMUNE_FIRST.len())];
        let b = COMMUNE_SECOND[rng.index(COMMUNE_SECOND.len())];
        if a == b {
            continue;
        }
        let name = if attempt < 100 {
            format!("{prefix} {a} {b}")
        } else {
            format!("{prefix} {a} {b} {}", attempt - 99)
        };
        if taken.insert(name.clone()) {
            return name;
        }
    }
    format!("{prefix} {}", taken.len() + 1)
}

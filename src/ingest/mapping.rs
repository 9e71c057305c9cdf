//! Header mapping: which file column feeds which canonical field.
//!
//! Order of precedence: the run config's explicit mapping (`[datasets.x.columns]`),
//! then the canonical name itself, then a table of the Vietnamese headers that
//! register and sector extracts commonly carry (`Số định danh`, `Họ và tên`, …).
//! Headers are compared folded (case, diacritics, spaces and `_` ignored).

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Result};
use crate::model::Schema;
use crate::normalize::text::fold_compact;

/// Common Vietnamese (and English) headers for canonical fields.
const ALIASES: &[(&str, &[&str])] = &[
    ("record_id", &["Mã bản ghi", "ID bản ghi", "Mã hồ sơ"]),
    (
        "person_id",
        &[
            "Số định danh",
            "Số định danh cá nhân",
            "Số ĐDCN",
            "Số CCCD",
            "CCCD",
            "Số căn cước",
            "Số căn cước công dân",
            "Mã định danh",
            "Personal ID",
        ],
    ),
    (
        "old_id",
        &["Số CMND", "CMND", "Số CMND cũ", "Số chứng minh nhân dân"],
    ),
    (
        "full_name",
        &["Họ và tên", "Họ tên", "Họ và tên khai sinh", "Name"],
    ),
    (
        "birth_date",
        &["Ngày sinh", "Ngày tháng năm sinh", "Date of birth", "DOB"],
    ),
    ("gender", &["Giới tính", "Sex"]),
    (
        "birth_province_code",
        &[
            "Mã tỉnh khai sinh",
            "Mã tỉnh nơi sinh",
            "Mã tỉnh nơi đăng ký khai sinh",
            "Nơi đăng ký khai sinh",
            "Tỉnh nơi sinh",
        ],
    ),
    ("ethnicity", &["Dân tộc", "Mã dân tộc"]),
    ("religion", &["Tôn giáo"]),
    ("nationality", &["Quốc tịch"]),
    ("province_code", &["Mã tỉnh", "Mã tỉnh thành phố"]),
    ("district_code", &["Mã huyện"]),
    (
        "commune_code",
        &["Mã xã", "Mã xã phường", "Mã đơn vị hành chính xã"],
    ),
    ("address", &["Địa chỉ", "Nơi ở hiện tại", "Nơi thường trú"]),
    ("residence_type", &["Loại cư trú", "Loại hình cư trú"]),
    (
        "household_id",
        &["Mã hộ", "Số hộ khẩu", "Mã hộ gia đình", "Số sổ hộ khẩu"],
    ),
    (
        "relation_to_head",
        &["Quan hệ với chủ hộ", "Quan hệ chủ hộ", "Quan hệ"],
    ),
    ("father_name", &["Họ tên cha", "Tên cha", "Họ và tên cha"]),
    ("mother_name", &["Họ tên mẹ", "Tên mẹ", "Họ và tên mẹ"]),
    (
        "spouse_name",
        &["Họ tên vợ chồng", "Họ tên vợ/chồng", "Vợ chồng"],
    ),
    (
        "card_issue_date",
        &["Ngày cấp", "Ngày cấp CCCD", "Ngày cấp thẻ"],
    ),
    ("death_date", &["Ngày mất", "Ngày chết", "Ngày tử vong"]),
    ("phone", &["Số điện thoại", "Điện thoại", "SĐT"]),
    (
        "insurance_code",
        &["Mã BHXH", "Mã số BHXH", "Số sổ BHXH", "Mã số bảo hiểm"],
    ),
    ("tax_code", &["Mã số thuế", "MST"]),
    (
        "death_reg_id",
        &["Số đăng ký khai tử", "Mã khai tử", "Số khai tử"],
    ),
    ("employer", &["Đơn vị", "Tên đơn vị", "Đơn vị công tác"]),
    ("employer_commune_code", &["Mã xã đơn vị"]),
    ("industrial_zone", &["Khu công nghiệp", "KCN"]),
    ("status", &["Trạng thái", "Tình trạng"]),
    ("card_valid_to", &["Hạn thẻ", "Thẻ có giá trị đến"]),
    ("vaccine", &["Vắc xin", "Loại vắc xin"]),
    ("dose_no", &["Mũi", "Mũi số", "Mũi tiêm"]),
    ("dose_date", &["Ngày tiêm"]),
    ("hometown", &["Quê quán", "Nguyên quán"]),
];

/// Where each canonical field comes from in a file.
#[derive(Debug, Clone)]
pub struct Mapping {
    /// For each schema field (in schema order), the file column index.
    pub fields: Vec<Option<usize>>,
    /// Extra (non-canonical) columns to load: (name, file column index).
    pub extras: Vec<(String, usize)>,
}

/// The form headers are compared in: folded, without separators or a byte-order mark.
pub(crate) fn header_key(header: &str) -> String {
    fold_compact(header.trim_start_matches('\u{feff}'))
}

/// Every word a header line of `schema`'s dataset may hold, in [`header_key`] form: the
/// file's own headers, the canonical names and their aliases.
pub(crate) fn header_words(
    headers: &[String],
    schema: &Schema,
) -> std::collections::HashSet<String> {
    let canonical = schema.fields.iter().map(|field| field.name.as_str());
    let aliases = ALIASES
        .iter()
        .flat_map(|(name, aliases)| std::iter::once(*name).chain(aliases.iter().copied()));
    headers
        .iter()
        .map(String::as_str)
        .chain(canonical)
        .chain(aliases)
        .map(header_key)
        .filter(|key| !key.is_empty())
        .collect()
}

/// The run-file table that maps `fields` of `dataset` to the file's headers, written
/// so that it works whichever form the dataset's entry has now.
fn mapping_advice(path: &Path, dataset: &str, fields: &[&str]) -> String {
    let file = path.file_name().map_or_else(
        || path.display().to_string(),
        |f| f.to_string_lossy().into_owned(),
    );
    let columns = fields
        .iter()
        .map(|field| format!("{field} = \"<column header in the file>\""))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "  [datasets.{dataset}]\n  path = \"{file}\"\n  columns = {{ {columns} }}\n\
         (this table takes the place of a line {dataset} = \"{file}\"; the path is relative to \
         the run file)"
    )
}

/// Resolve the file's `headers` against `schema`. `explicit` maps canonical names to
/// file headers (from the run config); `extras` names non-canonical columns that rules
/// reference. Missing required columns are an error that says how to map them.
pub fn resolve(
    path: &Path,
    dataset: &str,
    headers: &[String],
    schema: &Schema,
    explicit: &BTreeMap<String, String>,
    extras: &[String],
) -> Result<Mapping> {
    let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
    // Every column whose header reads as `name`, in file order.
    let find_all = |name: &str| -> Vec<usize> {
        let wanted = header_key(name);
        (0..keys.len()).filter(|&i| keys[i] == wanted).collect()
    };
    let find = |name: &str| find_all(name).first().copied();
    // Headers with a note in brackets (`Số định danh cá nhân (CCCD)`, `Ngày sinh
    // (dd/mm/yyyy)`) read as the header without it when nothing matches in full.
    let bare_keys: Vec<Option<String>> = headers
        .iter()
        .map(|h| {
            let (before, _) = h.split_once('(')?;
            let bare = header_key(before);
            (!bare.is_empty()).then_some(bare)
        })
        .collect();
    let find_all_bare = |name: &str| -> Vec<usize> {
        let wanted = header_key(name);
        (0..bare_keys.len())
            .filter(|&i| bare_keys[i].as_deref() == Some(wanted.as_str()))
            .collect()
    };
    for (field, header) in explicit {
        if find(header).is_none() {
            return Err(Error::input(
                path,
                format!(
                    "the run config maps {dataset}.{field} to column \"{header}\", but the file has no such column (columns: {})",
                    headers.join(", ")
                ),
            ));
        }
    }
    let mut fields = Vec::with_capacity(schema.fields.len());
    let mut missing = Vec::new();
    for spec in &schema.fields {
        let mut candidates = match explicit.get(&spec.name) {
            Some(header) => find_all(header),
            None => {
                let aliases = ALIASES
                    .iter()
                    .find(|(name, _)| *name == spec.name)
                    .map_or(&[][..], |(_, aliases)| *aliases);
                let names = || std::iter::once(spec.name.as_str()).chain(aliases.iter().copied());
                let exact: Vec<usize> = names().flat_map(&find_all).collect();
                if exact.is_empty() {
                    names().flat_map(&find_all_bare).collect()
                } else {
                    exact
                }
            }
        };
        // Priority order (the canonical name, then the aliases in order), each column
        // once.
        let mut seen = Vec::with_capacity(candidates.len());
        candidates.retain(|&column| {
            let first = !seen.contains(&column);
            seen.push(column);
            first
        });
        // Two columns that both read as one identity field (a repeated `full_name`, or
        // "Số CCCD" beside "Số định danh"): taking either silently could misread every
        // row's identity. Other fields take the first by priority: an export with both
        // "Nơi thường trú" and "Nơi ở hiện tại", or two phone columns, is ordinary.
        let identity = matches!(spec.name.as_str(), "person_id" | "full_name" | "birth_date")
            || spec.name == schema.key;
        if candidates.len() > 1 && identity {
            let named: Vec<String> = candidates
                .iter()
                .map(|&i| format!("\"{}\" (column {})", headers[i], i + 1))
                .collect();
            return Err(Error::input(
                path,
                format!(
                    "{} all read as {dataset}.{field}; say which one holds it in the run \
                     config (rename the other column if both have the same header):\n{}",
                    named.join(", "),
                    mapping_advice(path, dataset, &[&spec.name]),
                    field = spec.name,
                ),
            ));
        }
        let index = candidates.first().copied();
        if index.is_none() && spec.required {
            missing.push(spec.name.clone());
        }
        fields.push(index);
    }
    if !missing.is_empty() {
        let fields: Vec<&str> = missing.iter().map(String::as_str).collect();
        return Err(Error::input(
            path,
            format!(
                "missing required column(s) {} for dataset {dataset}; the file has: {}. \
                 If the file names them differently, map them in the run config:\n{}",
                missing.join(", "),
                headers.join(", "),
                mapping_advice(path, dataset, &fields),
            ),
        ));
    }
    let mut extra_columns = Vec::new();
    for name in extras {
        if schema.field(name).is_some() {
            continue;
        }
        let header = explicit.get(name).map(String::as_str).unwrap_or(name);
        if let Some(index) = find(header) {
            extra_columns.push((name.clone(), index));
        }
    }
    Ok(Mapping {
        fields,
        extras: extra_columns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DatasetKind;

    fn headers(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn vietnamese_headers_map_by_alias() {
        let schema = Schema::for_kind(DatasetKind::Deaths, None);
        let h = headers(&[
            "Số đăng ký khai tử",
            "Số định danh",
            "HỌ VÀ TÊN",
            "Ngày sinh",
            "Giới tính",
            "Ngày mất",
            "commune_code",
        ]);
        let m = resolve(
            Path::new("d.csv"),
            "deaths",
            &h,
            &schema,
            &BTreeMap::new(),
            &[],
        )
        .unwrap();
        assert_eq!(m.fields[0], Some(0));
        assert_eq!(m.fields[1], Some(1));
        assert_eq!(m.fields[2], Some(2));
        assert_eq!(m.fields[5], Some(5));
    }

    #[test]
    fn a_note_in_brackets_after_a_header_is_read_past_when_nothing_matches_in_full() {
        let schema = Schema::for_kind(DatasetKind::Deaths, None);
        let mut names = vec![
            "death_reg_id",
            "Số định danh cá nhân (CCCD)",
            "Họ và tên",
            "Ngày sinh (dd/mm/yyyy)",
            "Ngày mất",
        ];
        let read = |names: &[&str]| {
            resolve(
                Path::new("d.csv"),
                "deaths",
                &headers(names),
                &schema,
                &BTreeMap::new(),
                &[],
            )
        };
        let m = read(&names).unwrap();
        let field = |name: &str| {
            let index = schema.fields.iter().position(|f| f.name == name).unwrap();
            m.fields[index]
        };
        assert_eq!(
            (field("person_id"), field("birth_date")),
            (Some(1), Some(3))
        );
        // Two bracketed headers read as one identity field: the run says which.
        names.push("birth_date (old)");
        let err = read(&names).unwrap_err().to_string();
        assert!(
            err.contains("(column 4)") && err.contains("(column 6)"),
            "{err}"
        );
    }

    #[test]
    fn missing_required_column_names_it_and_suggests_mapping() {
        let schema = Schema::for_kind(DatasetKind::Deaths, None);
        let h = headers(&["death_reg_id", "full_name"]);
        let err = resolve(
            Path::new("d.csv"),
            "deaths",
            &h,
            &schema,
            &BTreeMap::new(),
            &[],
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("person_id") && err.contains("birth_date"),
            "{err}"
        );
        assert!(
            err.contains("[datasets.deaths]\n  path = \"d.csv\"\n  columns = { person_id = "),
            "{err}"
        );
    }

    #[test]
    fn explicit_mapping_wins_and_is_checked() {
        let schema = Schema::for_kind(DatasetKind::LegacyId, None);
        let h = headers(&["so_cmnd", "ten", "ns", "gt"]);
        let mut explicit = BTreeMap::new();
        for (k, v) in [
            ("old_id", "so_cmnd"),
            ("full_name", "ten"),
            ("birth_date", "ns"),
            ("gender", "gt"),
        ] {
            explicit.insert(k.to_string(), v.to_string());
        }
        let m = resolve(Path::new("l.csv"), "legacy_id", &h, &schema, &explicit, &[]).unwrap();
        assert_eq!(&m.fields[..4], &[Some(0), Some(1), Some(2), Some(3)]);
        explicit.insert("hometown".into(), "que".into());
        assert!(resolve(Path::new("l.csv"), "legacy_id", &h, &schema, &explicit, &[]).is_err());
    }
}

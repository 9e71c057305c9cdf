//! XLSX worklists: one workbook per commune, a summary sheet and one sheet per
//! dimension (Đúng, Đủ, Sạch, Sống), with frozen headers, autofilter, sensible
//! widths, IDs as text (leading zeros kept), full dates as real Excel dates, and the
//! two columns the officer fills in: "Kết quả xác minh" (a drop-down) and "Ghi chú".

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rust_xlsxwriter::{
    Color, DataValidation, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder,
    Workbook, Worksheet, XlsxError,
};

use super::tables::{code_dir, worklist_cells, WORKLIST_HEADERS};
use crate::error::{Error, Result};
use crate::findings::Finding;
use crate::model::AdminUnits;
use crate::rules::load::Rule;
use crate::rules::types::Dimension;

/// Values offered in the "Kết quả xác minh" drop-down (Excel lists cannot hold commas).
pub const VERIFICATION_CHOICES: [&str; 3] = ["Đã sửa", "Đúng - không sai", "Không xác minh được"];

/// Column widths (characters) for the worklist columns.
const WIDTHS: [f64; 23] = [
    6.0, 10.0, 7.0, 30.0, 40.0, 14.0, 14.0, 15.0, 24.0, 11.0, 12.0, 18.0, 60.0, 16.0, 24.0, 14.0,
    40.0, 10.0, 12.0, 8.0, 18.0, 20.0, 30.0,
];

/// Indices of columns holding identifiers that must stay text.
const TEXT_COLUMNS: [usize; 6] = [6, 7, 10, 13, 14, 20];

struct Formats {
    header: Format,
    text: Format,
    wrap: Format,
    date: Format,
    fill_in: Format,
}

fn formats() -> Formats {
    Formats {
        header: Format::new()
            .set_bold()
            .set_text_wrap()
            .set_background_color(Color::RGB(0xDDEBF7))
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Top),
        text: Format::new().set_num_format("@"),
        wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
        date: Format::new().set_num_format("dd/mm/yyyy"),
        fill_in: Format::new().set_background_color(Color::RGB(0xFFF2CC)),
    }
}

fn xlsx_error(path: &Path, e: XlsxError) -> Error {
    Error::Xlsx {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// A `dd/mm/yyyy` text as an Excel date, when it is a full date.
/// Excel refuses a cell of more than 32,767 characters (a detail listing a household
/// of thousands, a related-keys list of an ID shared by thousands of records); such a
/// value is cut there, with a mark, rather than failing the whole night's run. The CSV
/// worklist and findings.csv keep it whole.
fn cell_text(value: &str) -> std::borrow::Cow<'_, str> {
    const MAX_CHARS: usize = 32_767;
    const MARK: &str = " … (xem đủ trong tệp CSV)";
    if value.len() <= MAX_CHARS {
        // Bytes bound characters: nothing to count.
        return std::borrow::Cow::Borrowed(value);
    }
    let keep = MAX_CHARS - MARK.chars().count();
    match value.char_indices().nth(keep) {
        None => std::borrow::Cow::Borrowed(value),
        Some((cut, _)) => std::borrow::Cow::Owned(format!("{}{MARK}", &value[..cut])),
    }
}

fn excel_date(text: &str) -> Option<ExcelDateTime> {
    let date = crate::normalize::date::parse_date(text);
    if date.precision() != Some(crate::model::Precision::Day) {
        return None;
    }
    ExcelDateTime::from_ymd(date.year() as u16, date.month() as u8, date.day() as u8).ok()
}

fn write_dimension_sheet(
    sheet: &mut Worksheet,
    findings: &[&Finding],
    rules: &BTreeMap<&str, &Rule>,
    f: &Formats,
) -> std::result::Result<(), XlsxError> {
    for (col, header) in WORKLIST_HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *header, &f.header)?;
        sheet.set_column_width(col as u16, WIDTHS[col])?;
        // A cell written without a format takes its column's: the format is looked up
        // (hashed) once per column instead of once per cell.
        let column_format = match col {
            9 | 18 => Some(&f.date),
            12 | 16 => Some(&f.wrap),
            c if TEXT_COLUMNS.contains(&c) => Some(&f.text),
            _ => None,
        };
        if let Some(format) = column_format {
            sheet.set_column_format(col as u16, format)?;
        }
    }
    sheet.set_row_height(0, 32)?;
    sheet.set_freeze_panes(1, 0)?;
    for (i, finding) in findings.iter().enumerate() {
        let row = (i + 1) as u32;
        let cells = worklist_cells(i, finding, rules.get(&*finding.rule_id).copied());
        for (col, value) in cells.iter().enumerate() {
            let col16 = col as u16;
            match col {
                0 | 19 => {
                    sheet.write_number(row, col16, value.parse::<f64>().unwrap_or(0.0))?;
                }
                // A partial date stays text: a string cell shows as written in a
                // date-formatted column.
                9 | 18 => match excel_date(value) {
                    Some(date) => {
                        sheet.write_datetime(row, col16, date)?;
                    }
                    None => {
                        sheet.write_string(row, col16, cell_text(value))?;
                    }
                },
                21 | 22 => {
                    sheet.write_blank(row, col16, &f.fill_in)?;
                }
                _ => {
                    sheet.write_string(row, col16, cell_text(value))?;
                }
            }
        }
    }
    let last = findings.len() as u32;
    sheet.autofilter(0, 0, last.max(1), (WORKLIST_HEADERS.len() - 1) as u16)?;
    if !findings.is_empty() {
        let validation = DataValidation::new()
            .allow_list_strings(&VERIFICATION_CHOICES)?
            .ignore_blank(true);
        sheet.add_data_validation(1, 21, last, 21, &validation)?;
    }
    Ok(())
}

/// Whose worklist a workbook is, for its summary sheet.
struct Place<'a> {
    province: &'a str,
    commune: &'a str,
    admin: &'a AdminUnits,
    as_of: &'a str,
}

fn write_summary_sheet(
    sheet: &mut Worksheet,
    place: &Place<'_>,
    findings: &[&Finding],
    rules: &BTreeMap<&str, &Rule>,
    f: &Formats,
) -> std::result::Result<(), XlsxError> {
    let Place {
        province,
        commune,
        admin,
        as_of,
    } = *place;
    let unit = admin.commune(commune);
    sheet.set_column_width(0, 34)?;
    sheet.set_column_width(1, 50)?;
    sheet.set_column_width(2, 12)?;
    let title = Format::new().set_bold().set_font_size(14);
    sheet.write_string_with_format(
        0,
        0,
        "DANH SÁCH CẦN XÁC MINH, LÀM SẠCH DỮ LIỆU DÂN CƯ",
        &title,
    )?;
    let lines = [
        (
            "Tỉnh/thành phố",
            format!(
                "{} {}",
                province,
                unit.map_or("", |u| u.province_name.as_str())
            ),
        ),
        (
            "Quận/huyện",
            format!(
                "{} {}",
                unit.map_or("", |u| u.district_code.as_str()),
                unit.map_or("", |u| u.district_name.as_str())
            ),
        ),
        (
            "Xã/phường/thị trấn",
            format!("{} {}", commune, unit.map_or("", |u| u.name.as_str())),
        ),
        ("Ngày đối soát", as_of.to_string()),
        ("Tổng số trường hợp", findings.len().to_string()),
    ];
    for (i, (label, value)) in lines.iter().enumerate() {
        sheet.write_string_with_format(2 + i as u32, 0, *label, &f.header)?;
        sheet.write_string(2 + i as u32, 1, value)?;
    }
    let mut row = 9u32;
    sheet.write_string_with_format(row, 0, "Mã quy tắc", &f.header)?;
    sheet.write_string_with_format(row, 1, "Nội dung", &f.header)?;
    sheet.write_string_with_format(row, 2, "Số trường hợp", &f.header)?;
    let mut per_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for finding in findings {
        *per_rule.entry(&finding.rule_id).or_insert(0) += 1;
    }
    for (rule, count) in per_rule {
        row += 1;
        sheet.write_string(row, 0, rule)?;
        sheet.write_string(row, 1, rules.get(rule).map_or("", |r| r.title.as_str()))?;
        sheet.write_number(row, 2, count as f64)?;
    }
    row += 2;
    let help = [
        "Cách làm: mở từng trang Đúng / Đủ / Sạch / Sống, xác minh từng trường hợp từ trên xuống (mức độ Cao trước).",
        "Ghi kết quả vào cột \"Kết quả xác minh\": Đã sửa / Đúng - không sai / Không xác minh được; ghi lý do vào cột \"Ghi chú\".",
        "Trường hợp ghi \"Đúng - không sai\" sẽ không hiện lại ở các lần đối soát sau (trừ khi hồ sơ thay đổi).",
        "Gửi lại tệp này cho Phòng PC06 để nhập kết quả (doisoat feedback import).",
    ];
    for line in help {
        sheet.write_string(row, 0, line)?;
        row += 1;
    }
    Ok(())
}

/// Write one commune workbook.
#[allow(clippy::too_many_arguments)]
fn write_workbook(
    path: &Path,
    province: &str,
    commune: &str,
    findings: &[&Finding],
    rules: &BTreeMap<&str, &Rule>,
    admin: &AdminUnits,
    as_of: &str,
) -> Result<()> {
    let f = formats();
    let mut workbook = Workbook::new();
    // Level 1 deflate: several times faster to write, files barely larger.
    workbook.set_zip_compression_level(1);
    // The creation time inside the file is the run date, not the clock: the same inputs
    // and --as-of give byte-identical workbooks.
    let created = ExcelDateTime::parse_from_str(as_of).map_err(|e| xlsx_error(path, e))?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title(format!("Danh sách cần xác minh - {commune}"))
            .set_author("doisoat")
            .set_creation_datetime(&created),
    );
    {
        let sheet = workbook.add_worksheet();
        sheet
            .set_name("Tổng hợp")
            .map_err(|e| xlsx_error(path, e))?;
        let place = Place {
            province,
            commune,
            admin,
            as_of,
        };
        write_summary_sheet(sheet, &place, findings, rules, &f).map_err(|e| xlsx_error(path, e))?;
    }
    for dimension in Dimension::ALL {
        let subset: Vec<&Finding> = findings
            .iter()
            .copied()
            .filter(|x| x.dimension == dimension)
            .collect();
        // Constant-memory sheets stream rows to the file as they are written (inline
        // strings, no shared-string table): rows go in order anyway.
        let sheet = workbook
            .add_worksheet_with_constant_memory()
            .map_err(|e| xlsx_error(path, e))?;
        sheet
            .set_name(dimension.label())
            .map_err(|e| xlsx_error(path, e))?;
        write_dimension_sheet(sheet, &subset, rules, &f).map_err(|e| xlsx_error(path, e))?;
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, "creating folder", e))?;
    }
    workbook.save(path).map_err(|e| xlsx_error(path, e))
}

/// Write `worklists/<province>/<commune>.xlsx` for every commune with findings.
pub fn write_worklists_xlsx(
    out: &Path,
    groups: &BTreeMap<(String, String), Vec<&Finding>>,
    rules: &BTreeMap<&str, &Rule>,
    admin: &AdminUnits,
    as_of: &str,
) -> Result<Vec<PathBuf>> {
    let written: Vec<Result<PathBuf>> = groups
        .par_iter()
        .map(|((province, commune), list)| {
            let path = out
                .join("worklists")
                .join(code_dir(province))
                .join(format!("{}.xlsx", code_dir(commune)));
            write_workbook(&path, province, commune, list, rules, admin, as_of)?;
            Ok(path)
        })
        .collect();
    written.into_iter().collect()
}

//! The HTML report: `report.html`, self-contained (inline CSS, JS and SVG, no external
//! assets, works offline), in Vietnamese. The province page holds only counts — no
//! personal data — so it can go to anyone entitled to the province picture; each
//! commune gets its own page under `report/` listing its findings, to be sent only to
//! that commune.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::summary::RunSummary;
use super::tables::{code_dir, dataset_label};
use crate::error::{Error, Result};
use crate::findings::Finding;
use crate::matching::crossmatch::MatchClass;
use crate::model::AdminUnits;
use crate::rules::load::Rule;
use crate::rules::types::Dimension;

/// One run's headline numbers, kept in `trend.json` so the report can show a trend.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TrendPoint {
    /// Run date.
    pub as_of: String,
    /// Findings.
    pub total: u64,
    /// Per dimension.
    pub by_dimension: BTreeMap<String, u64>,
    /// Resolved since the previous run.
    pub resolved: u64,
}

/// Escape text for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// A relative file path as a URL path: bytes other than letters, digits, `-_.~/` are
/// percent-encoded, so that a page named after a code with a space, `#` or `%` in it,
/// or Vietnamese letters, still opens.
fn url_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

fn dimension_label(code: &str) -> &str {
    Dimension::ALL
        .iter()
        .find(|d| d.code() == code)
        .map_or(code, |d| d.label())
}

fn severity_label(code: &str) -> &'static str {
    match code {
        "high" => "Cao",
        "medium" => "Trung bình",
        _ => "Thấp",
    }
}

/// Vietnamese number format: 1.399.096.
pub fn number(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// Vietnamese percentage: 99,54%.
pub fn percent(share: f64) -> String {
    format!("{:.2}%", share * 100.0).replace('.', ",")
}

const STYLE: &str = r#"
body{font-family:"Segoe UI",Roboto,Arial,sans-serif;margin:0;color:#1f2937;background:#f8fafc}
header{background:#7f1d1d;color:#fff;padding:16px 24px}
header h1{margin:0;font-size:22px} header p{margin:4px 0 0;opacity:.9}
main{padding:16px 24px;max-width:1400px}
section{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:16px;margin:0 0 16px}
h2{font-size:18px;margin:0 0 12px;color:#7f1d1d}
.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{flex:1;min-width:150px;border-radius:8px;padding:12px;color:#fff}
.card b{display:block;font-size:26px}
.dung{background:#b91c1c}.du{background:#c2410c}.sach{background:#1d4ed8}.song{background:#047857}.total{background:#374151}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #e5e7eb;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f1f5f9;cursor:pointer;user-select:none;position:sticky;top:0}
td.n,th.n{text-align:right}
input[type=search]{padding:6px 10px;width:320px;margin:0 0 8px;border:1px solid #cbd5e1;border-radius:6px}
.muted{color:#6b7280}.bar{fill:#7f1d1d}.bar2{fill:#94a3b8}
svg text{font-size:11px;fill:#374151}
a{color:#1d4ed8}
"#;

/// A birth date as `yyyymmdd` (month and day 0 when unknown), so that the column
/// sorts by date rather than by the day written first; other text as it is.
fn date_sort_key(text: &str) -> String {
    let date = crate::normalize::date::parse_date(text);
    if date.is_known() {
        format!("{:04}{:02}{:02}", date.year(), date.month(), date.day())
    } else {
        escape(text)
    }
}

const SCRIPT: &str = r#"
function sortTable(th){const t=th.closest('table'),i=[...th.parentNode.children].indexOf(th),
 b=t.tBodies[0],asc=th.dataset.asc!=='1';th.dataset.asc=asc?'1':'0';
 const v=r=>{const c=r.children[i].dataset.v??r.children[i].textContent;const n=parseFloat(c);return isNaN(n)?c:n};
 [...b.rows].sort((x,y)=>{const a=v(x),c=v(y);return (a>c?1:a<c?-1:0)*(asc?1:-1)}).forEach(r=>b.appendChild(r));}
function filterTable(input,id){const q=input.value.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g,'').replace(/đ/g,'d');
 const t=document.getElementById(id);let shown=0;
 for(const r of t.tBodies[0].rows){const s=r.textContent.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g,'').replace(/đ/g,'d');
 const ok=s.includes(q);r.style.display=ok?'':'none';if(ok)shown++;}
 const c=document.getElementById(id+'-count');if(c)c.textContent=shown;}
document.addEventListener('click',e=>{if(e.target.tagName==='TH')sortTable(e.target)});
"#;

fn page(title: &str, subtitle: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{t}</title><style>{STYLE}</style></head><body><header><h1>{t}</h1><p>{s}</p></header><main>{body}</main>\
         <script>{SCRIPT}</script></body></html>\n",
        t = escape(title),
        s = escape(subtitle),
    )
}

/// A horizontal bar chart as inline SVG.
fn bar_chart(items: &[(String, u64)], width: u32) -> String {
    let max = items.iter().map(|i| i.1).max().unwrap_or(0).max(1);
    let label_width = 280u32;
    let row_height = 20u32;
    let height = row_height * items.len() as u32 + 10;
    let mut svg = format!(
        "<svg role=\"img\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    for (i, (label, value)) in items.iter().enumerate() {
        let y = i as u32 * row_height + 4;
        let bar = ((width - label_width - 70) as f64 * *value as f64 / max as f64).round() as u32;
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{ty}\">{label}</text><rect class=\"bar\" x=\"{label_width}\" y=\"{y}\" width=\"{bar}\" height=\"14\"><title>{label}: {v}</title></rect><text x=\"{tx}\" y=\"{ty}\">{v}</text>",
            ty = y + 11,
            label = escape(label),
            tx = label_width + bar + 6,
            v = number(*value),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A 100 % stacked bar of match classes as inline SVG.
fn stacked_bar(parts: &[(&str, u64, &str)], width: u32) -> String {
    let total: u64 = parts.iter().map(|p| p.1).sum::<u64>().max(1);
    let mut svg = format!(
        "<svg role=\"img\" width=\"{width}\" height=\"22\" viewBox=\"0 0 {width} 22\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    let mut x = 0.0;
    for (label, value, color) in parts {
        let w = width as f64 * *value as f64 / total as f64;
        let _ = write!(
            svg,
            "<rect x=\"{x:.1}\" y=\"2\" width=\"{w:.1}\" height=\"18\" fill=\"{color}\"><title>{}: {}</title></rect>",
            escape(label),
            number(*value)
        );
        x += w;
    }
    svg.push_str("</svg>");
    svg
}

/// A line chart of totals over the stored runs.
fn trend_chart(points: &[TrendPoint], width: u32) -> String {
    if points.len() < 2 {
        return "<p class=\"muted\">Chưa đủ số lần đối soát để vẽ xu hướng (cần ít nhất 2 lần chạy với --previous).</p>".to_string();
    }
    let height = 160u32;
    let max = points.iter().map(|p| p.total).max().unwrap_or(1).max(1) as f64;
    let step = (width - 60) as f64 / (points.len() - 1) as f64;
    let coords: Vec<(f64, f64)> = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            (
                40.0 + i as f64 * step,
                10.0 + (height - 40) as f64 * (1.0 - p.total as f64 / max),
            )
        })
        .collect();
    let path: Vec<String> = coords
        .iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect();
    let mut svg = format!(
        "<svg role=\"img\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" xmlns=\"http://www.w3.org/2000/svg\"><polyline fill=\"none\" stroke=\"#7f1d1d\" stroke-width=\"2\" points=\"{}\"/>",
        path.join(" ")
    );
    for ((x, y), point) in coords.iter().zip(points) {
        let _ = write!(
            svg,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"#7f1d1d\"><title>{}: {}</title></circle><text x=\"{tx:.1}\" y=\"{ly}\">{}</text>",
            point.as_of,
            number(point.total),
            &point.as_of[5.min(point.as_of.len())..],
            tx = x - 14.0,
            ly = height - 8,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Write `report.html` (province, counts only) and `report/<province>-<commune>.html`
/// (one page per commune with its findings).
pub fn write_report(
    dir: &Path,
    summary: &RunSummary,
    findings: &[Finding],
    groups: &BTreeMap<(String, String), Vec<&Finding>>,
    rules: &BTreeMap<&str, &Rule>,
    admin: &AdminUnits,
    trend: &[TrendPoint],
) -> Result<()> {
    let provinces: Vec<String> = admin
        .provinces
        .iter()
        .map(|(code, name)| format!("{name} ({code})"))
        .collect();
    let scope = if provinces.is_empty() {
        "Toàn bộ dữ liệu".to_string()
    } else {
        provinces.join(", ")
    };
    let title = "Báo cáo đối soát, làm sạch dữ liệu dân cư";
    let subtitle = format!(
        "{scope} — ngày đối soát {} — {} quy tắc",
        summary.as_of, summary.rules_run
    );
    let mut body = String::new();

    // Problems with whole input files come first: they change how to read every
    // number below.
    if !summary.warnings.is_empty() {
        body.push_str("<section id=\"canh-bao\"><h2>Cảnh báo về dữ liệu đầu vào</h2><ul>");
        for warning in &summary.warnings {
            let _ = write!(body, "<li>{}</li>", escape(warning));
        }
        body.push_str("</ul></section>");
    }

    // Indicators per dimension.
    body.push_str(
        "<section id=\"tong-quan\"><h2>Chỉ tiêu \"đúng, đủ, sạch, sống\"</h2><div class=\"cards\">",
    );
    let _ = write!(
        body,
        "<div class=\"card total\">Tổng số trường hợp<b>{}</b></div>",
        number(summary.findings.total)
    );
    for dimension in Dimension::ALL {
        let n = summary
            .findings
            .by_dimension
            .get(dimension.code())
            .copied()
            .unwrap_or(0);
        let _ = write!(
            body,
            "<div class=\"card {}\">{}<b>{}</b></div>",
            dimension.code(),
            dimension.label(),
            number(n)
        );
    }
    body.push_str("</div>");
    let t = &summary.input_totals;
    let _ = write!(
        body,
        "<p class=\"muted\">Đã đọc {} dòng dữ liệu: nhận {} dòng, loại {} dòng lỗi định dạng (xem thư mục rejects/).</p></section>",
        number(t.read),
        number(t.accepted),
        number(t.rejected)
    );

    // Per rule.
    let mut per_rule: Vec<(String, u64)> = summary
        .findings
        .by_rule
        .iter()
        .map(|(id, r)| (id.to_string(), r.count))
        .filter(|(_, n)| *n > 0)
        .collect();
    per_rule.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    body.push_str("<section id=\"quy-tac\"><h2>Số trường hợp theo quy tắc</h2>");
    body.push_str(&bar_chart(&per_rule, 900));
    body.push_str("<table><thead><tr><th>Mã quy tắc</th><th>Nhóm</th><th>Mức độ</th><th>Nội dung</th><th class=\"n\">Số trường hợp</th><th class=\"n\">Mới</th><th class=\"n\">Đã xử lý</th></tr></thead><tbody>");
    for (id, rule) in &summary.findings.by_rule {
        let progress = summary.progress.rules.get(id);
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\" data-v=\"{c}\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(id),
            dimension_label(rule.dimension),
            severity_label(rule.severity),
            escape(&rule.title),
            number(rule.count),
            number(progress.map_or(0, |p| p.new)),
            number(progress.map_or(0, |p| p.resolved)),
            c = rule.count,
        );
    }
    body.push_str("</tbody></table></section>");

    // Match rates.
    if !summary.match_classes.is_empty() {
        body.push_str("<section id=\"doi-soat\"><h2>Tỷ lệ đối soát dữ liệu chuyên ngành với dữ liệu dân cư</h2><table><thead><tr><th>Dữ liệu</th><th class=\"n\">Tổng số</th>");
        for class in MatchClass::ALL {
            let _ = write!(body, "<th class=\"n\">{}</th>", class.label());
        }
        body.push_str("<th>Biểu đồ</th></tr></thead><tbody>");
        let colors = ["#047857", "#f59e0b", "#3b82f6", "#b91c1c", "#6b7280"];
        for (dataset, counts) in &summary.match_classes {
            let _ = write!(
                body,
                "<tr><td>{}</td><td class=\"n\">{}</td>",
                escape(&dataset_label(dataset)),
                number(counts.total)
            );
            let mut parts = Vec::new();
            for (class, color) in MatchClass::ALL.iter().zip(colors) {
                let n = counts.classes.get(class).copied().unwrap_or(0);
                let rate = counts.rates.get(class).copied().unwrap_or(0.0);
                let _ = write!(
                    body,
                    "<td class=\"n\" data-v=\"{n}\">{} ({})</td>",
                    number(n),
                    percent(rate)
                );
                parts.push((class.label(), n, color));
            }
            let _ = write!(body, "<td>{}</td></tr>", stacked_bar(&parts, 240));
        }
        body.push_str("</tbody></table><p class=\"muted\">Khớp: đã đồng bộ với dữ liệu dân cư; gợi ý số định danh: thiếu hoặc sai số, đã tìm được công dân.</p></section>");
    }

    // Progress.
    body.push_str("<section id=\"tien-do\"><h2>Tiến độ so với lần đối soát trước</h2>");
    if summary.progress.compared {
        let p = &summary.progress;
        let _ = write!(
            body,
            "<div class=\"cards\"><div class=\"card song\">Đã xử lý<b>{}</b></div><div class=\"card du\">Còn tồn<b>{}</b></div><div class=\"card dung\">Phát sinh mới<b>{}</b></div><div class=\"card total\">Xác minh đúng (không sai)<b>{}</b></div></div>",
            number(p.resolved),
            number(p.open),
            number(p.new),
            number(summary.feedback.verified_correct),
        );
    } else {
        body.push_str("<p class=\"muted\">Lần chạy này không so sánh với lần trước (dùng --previous THƯ_MỤC để theo dõi tiến độ).</p>");
    }
    body.push_str(&trend_chart(trend, 700));
    body.push_str("</section>");

    // Districts.
    let mut districts: BTreeMap<(String, String), (String, u64)> = BTreeMap::new();
    for commune in summary.findings.by_commune.values() {
        let entry = districts
            .entry((commune.province_code.clone(), commune.district_code.clone()))
            .or_insert_with(|| (commune.district_name.clone(), 0));
        entry.1 += commune.total;
    }
    body.push_str("<section id=\"huyen\"><h2>Theo quận/huyện</h2><table><thead><tr><th>Tỉnh</th><th>Mã huyện</th><th>Tên huyện</th><th class=\"n\">Số trường hợp</th></tr></thead><tbody>");
    for ((province, district), (name, total)) in &districts {
        // Since 1 July 2025 communes belong to the province directly.
        let name = if district.is_empty() && name.is_empty() {
            "(không có cấp huyện)"
        } else {
            name.as_str()
        };
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\" data-v=\"{total}\">{}</td></tr>",
            escape(province),
            escape(district),
            escape(name),
            number(*total)
        );
    }
    body.push_str("</tbody></table></section>");

    // Communes.
    let _ = write!(
        body,
        "<section id=\"xa\"><h2>Theo xã/phường (<span id=\"communes-count\">{}</span> xã)</h2><input type=\"search\" placeholder=\"Lọc theo mã, tên xã, huyện…\" oninput=\"filterTable(this,'communes')\"><table id=\"communes\"><thead><tr><th>Tỉnh</th><th>Huyện</th><th>Mã xã</th><th>Tên xã</th><th class=\"n\">Tổng</th><th class=\"n\">Đúng</th><th class=\"n\">Đủ</th><th class=\"n\">Sạch</th><th class=\"n\">Sống</th><th class=\"n\">Mức cao</th><th class=\"n\">Đã cập nhật</th><th>Danh sách</th></tr></thead><tbody>",
        summary.findings.by_commune.len()
    );
    for (key, commune) in &summary.findings.by_commune {
        let dim = |d: &str| commune.by_dimension.get(d).copied().unwrap_or(0);
        let progress = summary.progress.communes.get(key);
        let updated = match progress {
            Some(p) if summary.progress.compared => {
                format!("{:02}/{:02}", p.resolved, p.resolved + p.open)
            }
            _ => "—".to_string(),
        };
        let file = format!(
            "report/{}-{}.html",
            code_dir(&commune.province_code),
            code_dir(&commune.commune_code)
        );
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{} {}</td><td>{}</td><td>{}</td><td class=\"n\" data-v=\"{}\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td><a href=\"{}\">Xem</a></td></tr>",
            escape(&commune.province_code),
            escape(&commune.district_code),
            escape(&commune.district_name),
            escape(&commune.commune_code),
            escape(&commune.commune_name),
            commune.total,
            number(commune.total),
            number(dim("dung")),
            number(dim("du")),
            number(dim("sach")),
            number(dim("song")),
            number(commune.by_severity.get("high").copied().unwrap_or(0)),
            updated,
            escape(&url_path(&file)),
        );
    }
    body.push_str("</tbody></table><p class=\"muted\">\"Đã cập nhật\": số trường hợp đã xử lý / (đã xử lý + còn tồn) so với lần đối soát trước. Trang của từng xã chứa dữ liệu cá nhân, chỉ gửi cho xã đó.</p></section>");

    let report = page(title, &subtitle, &body);
    let path = dir.join("report.html");
    std::fs::write(&path, report).map_err(|e| Error::io(&path, "writing", e))?;

    // Commune pages.
    let pages_dir = dir.join("report");
    std::fs::create_dir_all(&pages_dir).map_err(|e| Error::io(&pages_dir, "creating folder", e))?;
    let _ = findings;
    let results: Vec<Result<()>> = groups
        .par_iter()
        .map(|((province, commune), list)| {
            let unit = admin.commune(commune);
            let name = unit.map_or(String::new(), |u| u.name.clone());
            let mut body = String::new();
            let _ = write!(
                body,
                "<section><h2>Danh sách cần xác minh (<span id=\"findings-count\">{}</span> trường hợp)</h2><input type=\"search\" placeholder=\"Lọc theo tên, số định danh, quy tắc…\" oninput=\"filterTable(this,'findings')\"><table id=\"findings\"><thead><tr><th>#</th><th>Mức độ</th><th>Nhóm</th><th>Quy tắc</th><th>Mã hồ sơ</th><th>Số định danh</th><th>Họ và tên</th><th>Ngày sinh</th><th>Mã hộ</th><th>Chi tiết</th><th>Đề xuất</th><th>Hướng xử lý</th><th>Trạng thái</th></tr></thead><tbody>",
                list.len()
            );
            for (i, f) in list.iter().enumerate() {
                let rule = rules.get(&*f.rule_id);
                let _ = write!(
                    body,
                    "<tr><td class=\"n\">{}</td><td data-v=\"{}\">{}</td><td>{}</td><td title=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td data-v=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    i + 1,
                    f.severity.rank(),
                    f.severity.label(),
                    f.dimension.label(),
                    escape(rule.map_or("", |r| r.title.as_str())),
                    escape(&f.rule_id),
                    escape(&f.record_key),
                    escape(&f.person_id),
                    escape(&f.full_name),
                    date_sort_key(&f.birth_date),
                    escape(&f.birth_date),
                    escape(&f.household_id),
                    escape(&f.detail),
                    escape(&f.suggested_value),
                    escape(rule.map_or("", |r| r.action.as_str())),
                    if f.status == crate::findings::Status::New { "Mới" } else { "Đang mở" },
                );
            }
            body.push_str("</tbody></table></section>");
            let html = page(
                &format!("Xã {commune} {name}"),
                &format!("Tỉnh {province} — ngày đối soát {} — chỉ dùng cho Công an xã", summary.as_of),
                &body,
            );
            let path = pages_dir.join(format!("{}-{}.html", code_dir(province), code_dir(commune)));
            std::fs::write(&path, html).map_err(|e| Error::io(&path, "writing", e))
        })
        .collect();
    results.into_iter().collect()
}

/// Read the previous run's `trend.json` (empty when absent or unreadable).
pub fn load_trend(previous: Option<&Path>) -> Vec<TrendPoint> {
    previous
        .map(|dir| dir.join("trend.json"))
        .and_then(|path| std::fs::read(path).ok())
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// The trend including tonight's run (kept to the last 60 runs).
pub fn extend_trend(mut points: Vec<TrendPoint>, summary: &RunSummary) -> Vec<TrendPoint> {
    points.retain(|p| p.as_of != summary.as_of);
    points.push(TrendPoint {
        as_of: summary.as_of.clone(),
        total: summary.findings.total,
        by_dimension: summary.findings.by_dimension.clone(),
        resolved: summary.progress.resolved,
    });
    points.sort_by(|a, b| a.as_of.cmp(&b.as_of));
    let excess = points.len().saturating_sub(60);
    points.drain(..excess);
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_links_are_url_paths() {
        assert_eq!(url_path("report/83-28756.html"), "report/83-28756.html");
        assert_eq!(
            url_path("report/83-Xã A#1.html"),
            "report/83-X%C3%A3%20A%231.html"
        );
    }

    #[test]
    fn vietnamese_number_formats() {
        assert_eq!(number(1_399_096), "1.399.096");
        assert_eq!(number(12), "12");
        assert_eq!(percent(0.9954), "99,54%");
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}

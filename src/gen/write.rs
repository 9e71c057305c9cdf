//! Writing the files: CSVs formatted in parallel chunks and written in order (so the
//! bytes never depend on the thread count), `truth.csv` and `province.toml`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::plan::World;
use super::render::{render_population, PopRow, POP_HEADER};
use super::rng::{tag, Rng};
use super::sectors::{
    death_item, has_registration, insurance_item, legacy_item, make_outsiders, tax_item,
    vaccination_item, SectorCtx, DEATH_HEADER, INS_HEADER, LEGACY_HEADER, TAX_HEADER, VAC_HEADER,
};
use super::truth::{check_population, duplicate_ids, household_rules, Lists, RowFacts, TruthRow};
use super::{GenError, GenOptions, GenReport};

/// Items per parallel chunk.
const CHUNK: usize = 4096;
/// Chunks formatted before their bytes are written (bounds memory).
const BATCH: usize = 64;

/// How a CSV file is written.
#[derive(Clone, Copy, Debug)]
pub(super) struct Format {
    delimiter: u8,
    crlf: bool,
    bom: bool,
}

const PLAIN: Format = Format {
    delimiter: b',',
    crlf: false,
    bom: false,
};

/// Output of one chunk: CSV bytes, truth rows and (population only) row facts.
pub(super) struct Sink {
    writer: csv::Writer<Vec<u8>>,
    order: Option<Vec<usize>>,
    rows: usize,
    truth: Vec<TruthRow>,
    facts: Vec<RowFacts>,
}

impl Sink {
    fn new(format: Format, order: Option<&[usize]>, capacity: usize) -> Sink {
        let writer = csv::WriterBuilder::new()
            .delimiter(format.delimiter)
            .terminator(if format.crlf {
                csv::Terminator::CRLF
            } else {
                csv::Terminator::Any(b'\n')
            })
            .quote_style(csv::QuoteStyle::Necessary)
            .has_headers(false)
            .from_writer(Vec::with_capacity(capacity));
        Sink {
            writer,
            order: order.map(<[usize]>::to_vec),
            rows: 0,
            truth: Vec::new(),
            facts: Vec::new(),
        }
    }

    /// Write one record given in canonical column order.
    pub(super) fn record(&mut self, fields: &[&str]) -> Result<(), csv::Error> {
        match &self.order {
            Some(order) => self
                .writer
                .write_record(order.iter().map(|&c| fields.get(c).copied().unwrap_or("")))?,
            None => self.writer.write_record(fields)?,
        }
        self.rows += 1;
        Ok(())
    }

    /// Add a truth row.
    pub(super) fn truth(&mut self, row: TruthRow) {
        self.truth.push(row);
    }
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> GenError + '_ {
    move |source| GenError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Everything a CSV writer produced.
struct Written {
    rows: usize,
    truth: Vec<TruthRow>,
    facts: Vec<RowFacts>,
}

/// Write `n_items` items (each producing zero or more rows) to `path`.
fn write_csv<F>(
    path: &Path,
    format: Format,
    header: &[&str],
    order: Option<&[usize]>,
    n_items: usize,
    item: F,
) -> Result<Written, GenError>
where
    F: Fn(usize, &mut Sink) -> Result<(), csv::Error> + Sync,
{
    let file = File::create(path).map_err(io_error(path))?;
    let mut out = BufWriter::with_capacity(8 << 20, file);
    if format.bom {
        out.write_all("\u{feff}".as_bytes())
            .map_err(io_error(path))?;
    }
    let csv_error = |source| GenError::Csv {
        path: path.to_path_buf(),
        source,
    };
    let mut head = Sink::new(format, None, 256);
    let header_fields: Vec<&str> = match order {
        Some(o) => o.iter().map(|&c| header[c]).collect(),
        None => header.to_vec(),
    };
    head.record(&header_fields).map_err(csv_error)?;
    let bytes = head
        .writer
        .into_inner()
        .map_err(|e| io_error(path)(e.into_error()))?;
    out.write_all(&bytes).map_err(io_error(path))?;
    let mut written = Written {
        rows: 0,
        truth: Vec::new(),
        facts: Vec::new(),
    };
    let chunks = n_items.div_ceil(CHUNK);
    let mut first = 0;
    while first < chunks {
        let last = (first + BATCH).min(chunks);
        let results: Vec<Result<(Vec<u8>, Sink), GenError>> = (first..last)
            .into_par_iter()
            .map(|c| {
                let mut sink = Sink::new(format, order, CHUNK * 96);
                for i in c * CHUNK..((c + 1) * CHUNK).min(n_items) {
                    item(i, &mut sink).map_err(csv_error)?;
                }
                let writer = std::mem::replace(
                    &mut sink.writer,
                    csv::WriterBuilder::new().from_writer(Vec::new()),
                );
                let bytes = writer
                    .into_inner()
                    .map_err(|e| io_error(path)(e.into_error()))?;
                Ok((bytes, sink))
            })
            .collect();
        for result in results {
            let (bytes, sink) = result?;
            out.write_all(&bytes).map_err(io_error(path))?;
            written.rows += sink.rows;
            written.truth.extend(sink.truth);
            written.facts.extend(sink.facts);
        }
        first = last;
    }
    out.flush().map_err(io_error(path))?;
    Ok(written)
}

/// Write every file and the truth.
pub(super) fn write_all(options: &GenOptions, world: &World) -> Result<GenReport, GenError> {
    let dir = &options.out_dir;
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    let mut files: Vec<(String, PathBuf, usize)> = Vec::new();
    let mut truth: Vec<TruthRow> = Vec::new();

    // admin_units.csv
    let path = dir.join("admin_units.csv");
    let admin = &world.admin;
    let w = write_csv(
        &path,
        PLAIN,
        &[
            "province_code",
            "province_name",
            "district_code",
            "district_name",
            "commune_code",
            "commune_name",
        ],
        None,
        admin.communes.len(),
        |c, sink| {
            let commune = &admin.communes[c];
            let district = &admin.districts[commune.district];
            let province = &admin.provinces[commune.province];
            sink.record(&[
                &format!("{:02}", province.code),
                province.name,
                &district.code,
                &district.name,
                &commune.code,
                &commune.name,
            ])
        },
    )?;
    files.push(("admin_units".into(), path, w.rows));

    // population.csv, with the rules applied to each rendered row.
    let path = dir.join("population.csv");
    let lists = Lists::new(&admin.used_codes, world.as_of);
    let sectors = options.sectors;
    let w = write_csv(
        &path,
        PLAIN,
        &POP_HEADER,
        None,
        world.persons.len(),
        |i, sink| {
            // One row buffer per thread: rendering reuses its strings.
            thread_local! {
                static ROW: std::cell::RefCell<PopRow> = std::cell::RefCell::new(PopRow::default());
            }
            ROW.with(|cell| {
                let mut row = cell.borrow_mut();
                render_population(world, i, &mut row);
                sink.writer.write_record(row.f.iter())?;
                sink.rows += 1;
                let registered = sectors && has_registration(&world.persons[i]);
                let facts = check_population(&row, &lists, registered, &mut sink.truth);
                sink.facts.push(facts);
                Ok(())
            })
        },
    )?;
    household_rules(&w.facts, &mut truth);
    duplicate_ids(&w.facts, &mut truth);
    truth.extend(w.truth);
    for group in &world.dup_groups {
        for &m in group {
            let related = group
                .iter()
                .filter(|&&o| o != m)
                .map(|&o| world.record_id(o))
                .collect();
            truth.push(TruthRow::new(
                "SACH.DUP_PERSON",
                "population",
                world.record_id(m),
                related,
            ));
        }
    }
    files.push(("population".into(), path, w.rows));

    if sectors {
        let (outsiders, legacy_outsiders) = make_outsiders(world);
        let ctx = SectorCtx {
            world,
            outsiders,
            legacy_outsiders,
            deaths_written: true,
        };
        let n = world.persons.len();

        let path = dir.join("insurance.csv");
        let order = insurance_order(world.seed);
        let w = write_csv(
            &path,
            PLAIN,
            &INS_HEADER,
            Some(&order),
            n + ctx.outsiders[0].len(),
            |i, sink| insurance_item(&ctx, i, sink),
        )?;
        truth.extend(w.truth);
        files.push(("insurance".into(), path, w.rows));

        let path = dir.join("tax.csv");
        let bom = Format { bom: true, ..PLAIN };
        let w = write_csv(
            &path,
            bom,
            &TAX_HEADER,
            None,
            n + ctx.outsiders[1].len(),
            |i, sink| tax_item(&ctx, i, sink),
        )?;
        truth.extend(w.truth);
        files.push(("tax".into(), path, w.rows));

        let path = dir.join("vaccination.csv");
        let semicolon = Format {
            delimiter: b';',
            crlf: true,
            bom: false,
        };
        let w = write_csv(
            &path,
            semicolon,
            &VAC_HEADER,
            None,
            n + ctx.outsiders[2].len(),
            |i, sink| vaccination_item(&ctx, i, sink),
        )?;
        truth.extend(w.truth);
        files.push(("vaccination".into(), path, w.rows));

        let path = dir.join("deaths.csv");
        let dead: Vec<usize> = (0..n)
            .filter(|&i| has_registration(&world.persons[i]))
            .collect();
        let w = write_csv(&path, PLAIN, &DEATH_HEADER, None, dead.len(), |k, sink| {
            death_item(&ctx, dead[k], k, sink)
        })?;
        truth.extend(w.truth);
        files.push(("deaths".into(), path, w.rows));

        let path = dir.join("legacy_id.csv");
        let w = write_csv(
            &path,
            PLAIN,
            &LEGACY_HEADER,
            None,
            n + ctx.legacy_outsiders.len(),
            |i, sink| legacy_item(&ctx, i, sink),
        )?;
        truth.extend(w.truth);
        files.push(("legacy_id".into(), path, w.rows));
    }

    truth.par_sort_unstable();
    truth.dedup();
    let path = dir.join("truth.csv");
    let w = write_csv(
        &path,
        PLAIN,
        &["rule_id", "dataset", "record_key", "related_keys"],
        None,
        truth.len(),
        |i, sink| {
            let t = &truth[i];
            sink.record(&[t.rule, t.dataset, &t.key, &t.related])
        },
    )?;
    let truth_rows = w.rows;
    files.push(("truth".into(), path, w.rows));

    let path = dir.join("province.toml");
    std::fs::write(&path, province_toml(options)).map_err(io_error(&path))?;
    files.push(("config".into(), path, 0));
    Ok(GenReport { files, truth_rows })
}

/// The seed-fixed column order of `insurance.csv` (never the canonical one).
pub(super) fn insurance_order(seed: u64) -> Vec<usize> {
    let mut rng = Rng::stream(seed, tag("insurance_columns"), 0);
    let mut order: Vec<usize> = (0..INS_HEADER.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.index(i + 1));
    }
    if order.iter().enumerate().all(|(i, &c)| i == c) {
        order.rotate_left(1);
    }
    order
}

fn province_toml(options: &GenOptions) -> String {
    let mut s = String::new();
    s.push_str(&super::run_file_stamp());
    s.push('\n');
    s.push_str(&format!(
        "as_of = \"{}\"\n",
        options.as_of.format("%Y-%m-%d")
    ));
    s.push_str("population = \"population.csv\"\n");
    s.push_str("admin_units = \"admin_units.csv\"\n");
    s.push_str("[datasets]\n");
    if options.sectors {
        for ds in ["insurance", "tax", "vaccination", "deaths", "legacy_id"] {
            s.push_str(&format!("{ds} = \"{ds}.csv\"\n"));
        }
    }
    s
}

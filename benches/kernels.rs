//! Micro-benchmarks of the hot kernels: ID decoding, date parsing, NFC + folding of
#![allow(clippy::unwrap_used, clippy::expect_used)]
//! names, name similarity, blocking keys, and CSV ingest per MB.

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use doisoat::ingest::split::Splitter;
use doisoat::ingest::{csv::read_csv, ReadRequest};
use doisoat::matching::index::blocking_keys;
use doisoat::matching::similarity::{jaro_winkler, name_similarity};
use doisoat::model::{DatasetKind, Gender, PartialDate, Schema};
use doisoat::normalize::date::parse_date;
use doisoat::normalize::id::{check_id, IdPrefixes};
use doisoat::normalize::text::{clean, fold_into};

const NAMES: [&str; 8] = [
    "Nguyễn Văn Hùng",
    "Trần Thị Thu Hà",
    "Lê Hoàng Bảo Ngọc",
    "Phạm Minh Đức",
    "Huỳnh Thị Kim Loan",
    "Võ Văn Tám",
    "Đặng Quốc Anh",
    "Bùi Thị Ánh Tuyết",
];

fn ids() -> Vec<String> {
    (0..1000u64)
        .map(|i| {
            format!(
                "0{:02}{}{:02}{:06}",
                1 + i % 96,
                i % 4,
                i % 100,
                i * 7919 % 1_000_000
            )
        })
        .collect()
}

fn bench_id(c: &mut Criterion) {
    let prefixes = IdPrefixes::from_codes(
        (0..100)
            .map(|i| format!("{i:03}"))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str),
    );
    let ids = ids();
    let mut group = c.benchmark_group("id_decode");
    group.throughput(Throughput::Elements(ids.len() as u64));
    group.bench_function("check_id", |b| {
        b.iter(|| {
            let mut ok = 0;
            for id in &ids {
                if check_id(black_box(id), Some(1990), Some(Gender::Male), &prefixes)
                    .problems
                    .is_ok()
                {
                    ok += 1;
                }
            }
            ok
        })
    });
    group.finish();
}

fn bench_dates(c: &mut Criterion) {
    let dates: Vec<String> = (0..1000)
        .map(|i| match i % 4 {
            0 => format!("{:02}/{:02}/{}", 1 + i % 28, 1 + i % 12, 1950 + i % 70),
            1 => format!("{}-{:02}-{:02}", 1950 + i % 70, 1 + i % 12, 1 + i % 28),
            2 => format!("{:02}/{}", 1 + i % 12, 1930 + i % 30),
            _ => format!("{}", 1920 + i % 40),
        })
        .collect();
    let mut group = c.benchmark_group("date_parse");
    group.throughput(Throughput::Elements(dates.len() as u64));
    group.bench_function("mixed_formats", |b| {
        b.iter(|| {
            dates
                .iter()
                .filter(|d| parse_date(black_box(d)).is_known())
                .count()
        })
    });
    group.finish();
}

fn bench_fold(c: &mut Criterion) {
    use unicode_normalization::UnicodeNormalization;
    let nfd: Vec<String> = NAMES.iter().map(|n| n.nfd().collect()).collect();
    let mut group = c.benchmark_group("fold_name");
    group.throughput(Throughput::Elements(NAMES.len() as u64));
    group.bench_function("nfc_input", |b| {
        let mut out = String::new();
        b.iter(|| {
            for name in NAMES {
                let clean = clean(black_box(name));
                fold_into(&clean, &mut out);
            }
        })
    });
    group.bench_function("nfd_input", |b| {
        let mut out = String::new();
        b.iter(|| {
            for name in &nfd {
                let clean = clean(black_box(name));
                fold_into(&clean, &mut out);
            }
        })
    });
    group.finish();
}

fn bench_similarity(c: &mut Criterion) {
    let folded: Vec<String> = NAMES
        .iter()
        .map(|n| doisoat::normalize::text::fold(n))
        .collect();
    let mut group = c.benchmark_group("similarity");
    let pairs = (folded.len() * folded.len()) as u64;
    group.throughput(Throughput::Elements(pairs));
    group.bench_function("jaro_winkler", |b| {
        b.iter(|| {
            let mut sum = 0.0;
            for a in &folded {
                for c in &folded {
                    sum += jaro_winkler(black_box(a.as_bytes()), black_box(c.as_bytes()));
                }
            }
            sum
        })
    });
    group.bench_function("name_similarity", |b| {
        b.iter(|| {
            let mut sum = 0.0;
            for a in &folded {
                for c in &folded {
                    sum += name_similarity(black_box(a), black_box(c));
                }
            }
            sum
        })
    });
    group.finish();
}

fn bench_blocking(c: &mut Criterion) {
    let folded: Vec<String> = NAMES
        .iter()
        .map(|n| doisoat::normalize::text::fold(n))
        .collect();
    let birth = PartialDate::ymd(1980, 5, 17).unwrap_or_default();
    let mut group = c.benchmark_group("blocking");
    group.throughput(Throughput::Elements(folded.len() as u64));
    group.bench_function("blocking_keys", |b| {
        b.iter(|| {
            folded
                .iter()
                .map(|n| blocking_keys(black_box(n), birth)[0])
                .fold(0u64, |a, k| a ^ k)
        })
    });
    group.finish();
}

fn bench_ingest(c: &mut Criterion) {
    let header = "record_id,person_id,old_id,full_name,birth_date,gender,birth_province_code,ethnicity,religion,nationality,province_code,district_code,commune_code,address,residence_type,household_id,relation_to_head,father_name,mother_name,spouse_name,card_issue_date,death_date,phone\n";
    let mut text = String::from(header);
    let mut i = 0u64;
    while text.len() < 8 << 20 {
        let name = NAMES[(i % 8) as usize];
        text.push_str(&format!(
            "P{i:09},083{}{:02}{:06},,{name},{:02}/{:02}/{},{},83,Kinh,Không,Việt Nam,83,829,{},\"Ấp {}, xã An Thạnh\",thuong_tru,H{},Con,Nguyễn Văn A,Trần Thị B,,01/02/2021,,0912345678\n",
            i % 2, i % 100, i % 1_000_000, 1 + i % 28, 1 + i % 12, 1950 + i % 70,
            if i.is_multiple_of(2) { "Nam" } else { "Nữ" }, 28700 + i % 50, i % 9, i / 4,
        ));
        i += 1;
    }
    let bytes = text.into_bytes();
    // Read from a file, as a run reads (mapped, row fingerprints left for findings);
    // parsing bytes already in memory would fingerprint every row on top.
    let dir = tempfile::tempdir().expect("a temporary folder for the bench file");
    let path = dir.path().join("population.csv");
    std::fs::write(&path, &bytes).expect("writing the bench file");
    let schema = Schema::for_kind(DatasetKind::Population, None);
    let map = BTreeMap::new();
    let request = ReadRequest::new(&path, "population", &schema, &map);
    let mut group = c.benchmark_group("ingest");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.sample_size(10);
    group.bench_function(BenchmarkId::new("csv_population", "8MB"), |b| {
        b.iter(|| read_csv(black_box(&request)).map(|t| t.table.rows))
    });
    // The floor: split the same bytes into records and fields on one thread and do
    // nothing else (csv-core through ByteRecord), to see what ingest costs on top.
    group.bench_with_input(
        BenchmarkId::new("csv_split_only", "8MB"),
        &bytes,
        |b, bytes| {
            b.iter(|| {
                let mut reader = csv::ReaderBuilder::new().from_reader(black_box(&bytes[..]));
                let mut record = csv::ByteRecord::new();
                let mut fields = 0usize;
                while reader.read_byte_record(&mut record).unwrap_or(false) {
                    fields += record.len();
                }
                fields
            })
        },
    );
    // The same floor with doisoat's own zero-copy splitter (what ingest now uses).
    group.bench_with_input(
        BenchmarkId::new("split_only_doisoat", "8MB"),
        &bytes,
        |b, bytes| {
            b.iter(|| {
                let mut splitter = Splitter::new(black_box(&bytes[..]), b',');
                let mut spans = Vec::with_capacity(64);
                let mut side = Vec::new();
                let mut fields = 0usize;
                while splitter.next_record(&mut spans, &mut side).is_some() {
                    fields += spans.len();
                    spans.clear();
                }
                fields
            })
        },
    );
    group.finish();
}

criterion_group!(
    kernels,
    bench_id,
    bench_dates,
    bench_fold,
    bench_similarity,
    bench_blocking,
    bench_ingest
);
criterion_main!(kernels);

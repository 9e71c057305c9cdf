//! The `doisoat` command line: parses arguments, draws progress on a terminal and
//! turns library errors into messages and exit codes. All work happens in the library.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use doisoat::config::{parse_as_of, source, RunConfig};

/// Print a line to stdout, ending the program quietly (exit 0) when stdout has been
/// closed: in `doisoat … | head` the reader has what it wanted, and the run's outputs
/// are written before anything is printed. (`println!` would panic with exit 101.)
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(error) = writeln!(std::io::stdout().lock(), $($arg)*) {
            if error.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}

/// doisoat — đối soát dữ liệu dân cư (Đề án 06): checks a province's population
/// register and sector datasets against the "đúng, đủ, sạch, sống" rules and writes a
/// cleanup worklist per commune.
#[derive(Parser)]
#[command(name = "doisoat", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the nightly reconciliation and write findings, worklists and the summary.
    ///
    /// Either name the files with flags, or give a run file with --config (flags then
    /// override the run file). Example:
    ///   doisoat run --population dan_cu.csv --dataset insurance=bhxh.csv \
    ///       --admin-units dvhc.csv --as-of 2026-11-22 --out ket_qua
    Run(RunArgs),
    /// Generate a synthetic province with known defects (and truth.csv).
    Gen(GenArgs),
    /// Validate and list rule packs.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Benchmark the pipeline on synthetic provinces (time, memory, accuracy).
    ///
    /// Example: doisoat bench --people 100000,1000000 --rules rules --rules rules-new
    Bench(BenchArgs),
    /// Import worklists returned by the communes (verification results).
    Feedback {
        #[command(subcommand)]
        command: FeedbackCommand,
    },
}

#[derive(Subcommand)]
enum FeedbackCommand {
    /// Validate returned worklists (CSV or XLSX) and record the decisions.
    ///
    /// Example: doisoat feedback import tra_ve/28756.xlsx --run ket_qua --state trang_thai
    Import {
        /// Returned worklist files, named as they were sent (<commune>.xlsx or .csv).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output folder of the run whose worklists were sent.
        #[arg(long, value_name = "DIR")]
        run: PathBuf,
        /// State folder where decisions are kept (give the same to `run --state`).
        #[arg(long, value_name = "DIR")]
        state: PathBuf,
        /// Who returned the files (default: the commune police of each file).
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
    },
}

#[derive(Args)]
struct RunArgs {
    /// Run file (TOML) naming the inputs, rules and options.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The population register extract (CSV or Parquet).
    #[arg(long, value_name = "FILE")]
    population: Option<PathBuf>,
    /// A sector or reference dataset: insurance, tax, vaccination, deaths, legacy_id.
    #[arg(long = "dataset", value_name = "NAME=FILE")]
    datasets: Vec<String>,
    /// Administrative units (commune → district → province) in force.
    #[arg(long, value_name = "FILE")]
    admin_units: Option<PathBuf>,
    /// Rules folder (repeat to add folders); default: the built-in rule pack.
    #[arg(long = "rules", value_name = "DIR")]
    rules: Vec<PathBuf>,
    /// Output folder of the previous run, to mark findings new / open / resolved.
    #[arg(long, value_name = "DIR")]
    previous: Option<PathBuf>,
    /// The run date for age rules, YYYY-MM-DD (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<String>,
    /// Output folder (replaced atomically when the run succeeds).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// State folder of feedback decisions (findings confirmed correct are suppressed).
    #[arg(long = "state", value_name = "DIR")]
    state_dir: Option<PathBuf>,
    /// Do not write XLSX worklists (CSV only).
    #[arg(long)]
    no_xlsx: bool,
    /// Do not write the HTML report.
    #[arg(long)]
    no_html: bool,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// No progress output.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Args)]
struct GenArgs {
    /// Number of people in the register.
    #[arg(long)]
    people: usize,
    /// Random seed (same seed → same files).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output folder.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Run date the truth of age rules is computed for.
    #[arg(long, value_name = "YYYY-MM-DD", default_value = "2026-11-22")]
    as_of: String,
    /// Two-digit code of the main province.
    #[arg(long, default_value = "83")]
    province: String,
    /// Other provinces in the register.
    #[arg(long, default_value_t = 1)]
    extra_provinces: usize,
    /// TOML file of defect rates (`"SACH.DUP_PERSON" = 0.01`).
    #[arg(long, value_name = "FILE")]
    rates: Option<PathBuf>,
}

#[derive(Args)]
struct BenchArgs {
    /// Register sizes, comma-separated (e.g. 100000,1000000,10000000).
    #[arg(long, value_delimiter = ',', required = true)]
    people: Vec<usize>,
    /// Generator seed (provinces are cached by size and seed).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Rule folder; give twice to compare two packs (runs alternate).
    #[arg(long = "rules", value_name = "DIR")]
    rules: Vec<PathBuf>,
    /// Runs per size and rule folder.
    #[arg(long, default_value_t = 1)]
    rounds: usize,
    /// Cache of generated provinces.
    #[arg(long, value_name = "DIR")]
    cache: Option<PathBuf>,
    /// Where to write bench.json and bench.md.
    #[arg(long, value_name = "DIR", default_value = "bench-results")]
    out: PathBuf,
    /// Skip the XLSX worklists and the HTML report in the measured runs.
    #[arg(long)]
    no_reports: bool,
}

#[derive(Subcommand)]
enum RulesCommand {
    /// Validate a rule pack and list its rules.
    Check {
        /// Rules folder (repeatable); default: the run file's, else the built-in pack.
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
        /// Run file: its datasets (a province's own sector datasets included) are the
        /// ones rules may name, and its rule folders are checked unless --rules is given.
        #[arg(long = "config", value_name = "FILE")]
        config: Option<PathBuf>,
    },
}

struct Bars {
    bar: Option<ProgressBar>,
}

impl doisoat::Observer for Bars {
    fn stage(&self, name: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(name.to_string());
        }
    }
    fn done(&self, name: &str, seconds: f64) {
        if let Some(bar) = &self.bar {
            bar.println(format!("  {name:<24} {seconds:>8.2} s"));
        }
    }
}

fn run_command(args: RunArgs) -> Result<()> {
    if let Some(threads) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
            .context("setting the thread count")?;
    }
    let mut config = match (&args.config, &args.population) {
        (Some(path), _) => RunConfig::from_file(path)?,
        (None, Some(population)) => RunConfig {
            population: source("population", population.clone()),
            datasets: Default::default(),
            admin_units: None,
            rules: Vec::new(),
            previous: None,
            as_of: chrono::Local::now().date_naive(),
            out: PathBuf::new(),
            xlsx: true,
            html: true,
            state_dir: None,
        },
        (None, None) => bail!(
            "say what to check: --population FILE (with --dataset NAME=FILE …) or --config RUN.toml"
        ),
    };
    if args.config.is_some() {
        if let Some(population) = &args.population {
            config.population = source("population", population.clone());
        }
    }
    for spec in &args.datasets {
        let Some((name, path)) = spec.split_once('=') else {
            bail!("--dataset wants NAME=FILE (e.g. insurance=bhxh.csv), got \"{spec}\"");
        };
        let name = name.trim();
        if name == "population" || name == "admin_units" {
            bail!("use --{} for {name}", name.replace('_', "-"));
        }
        config
            .datasets
            .insert(name.to_string(), source(name, PathBuf::from(path)));
    }
    if let Some(path) = &args.admin_units {
        config.admin_units = Some(source("admin_units", path.clone()));
    }
    if !args.rules.is_empty() {
        config.rules = args.rules.clone();
    }
    if let Some(previous) = &args.previous {
        config.previous = Some(previous.clone());
    }
    if let Some(as_of) = &args.as_of {
        config.as_of = parse_as_of(as_of)?;
    }
    if let Some(state) = &args.state_dir {
        config.state_dir = Some(state.clone());
    }
    if args.no_xlsx {
        config.xlsx = false;
    }
    if args.no_html {
        config.html = false;
    }
    match &args.out {
        Some(out) => config.out = out.clone(),
        None if args.config.is_none() => bail!("say where to write: --out DIR"),
        None => {}
    }
    let interactive = !args.quiet && std::io::stderr().is_terminal();
    let bar = interactive.then(|| {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    });
    let observer = Bars { bar };
    let outcome = doisoat::run(&config, &observer);
    if let Some(bar) = &observer.bar {
        bar.finish_and_clear();
    }
    let outcome = outcome?;
    if !args.quiet {
        print_summary(&outcome.summary, &outcome.out);
    }
    Ok(())
}

fn print_summary(summary: &doisoat::report::summary::RunSummary, out: &std::path::Path) {
    let t = &summary.input_totals;
    say!(
        "doisoat {} — as of {}: read {} rows, accepted {}, rejected {}",
        summary.version,
        summary.as_of,
        t.read,
        t.accepted,
        t.rejected
    );
    say!(
        "findings: {} ({} rules run)",
        summary.findings.total,
        summary.rules_run
    );
    for (id, rule) in &summary.findings.by_rule {
        if rule.count > 0 {
            say!("  {id:<36} {:>9}", rule.count);
        }
    }
    for (dataset, counts) in &summary.match_classes {
        let parts: Vec<String> = doisoat::matching::crossmatch::MatchClass::ALL
            .iter()
            .map(|class| {
                let n = counts.classes.get(class).copied().unwrap_or(0);
                let rate = counts.rates.get(class).copied().unwrap_or(0.0) * 100.0;
                format!("{} {n} ({rate:.2}%)", class.label())
            })
            .collect();
        say!("{dataset} ({} records): {}", counts.total, parts.join(", "));
    }
    if summary.progress.compared {
        let p = &summary.progress;
        say!(
            "vs previous run: {} new, {} open, {} resolved",
            p.new,
            p.open,
            p.resolved
        );
    }
    for warning in &summary.warnings {
        eprintln!("warning: {warning}");
    }
    say!(
        "wrote {} in {:.2} s",
        out.display(),
        summary.timings.total_seconds
    );
}

fn gen_command(args: GenArgs) -> Result<()> {
    let mut options = doisoat::gen::GenOptions::new(args.people, args.seed, args.out.clone());
    options.as_of = parse_as_of(&args.as_of)?;
    options.province_code = args.province.clone();
    options.extra_provinces = args.extra_provinces;
    if let Some(path) = &args.rates {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        options.rates = doisoat::gen::DefectRates::from_toml_str(&text)
            .with_context(|| format!("in {}", path.display()))?;
    }
    let report = doisoat::gen::generate(&options)?;
    for (dataset, path, rows) in &report.files {
        if dataset == "config" {
            say!("{:<12} {:>15}  {}", "run file", "", path.display());
        } else {
            say!("{dataset:<12} {rows:>10} rows  {}", path.display());
        }
    }
    Ok(())
}

fn rules_check(dirs: Vec<PathBuf>, config: Option<PathBuf>) -> Result<()> {
    let (dirs, catalog) = match config {
        Some(path) => {
            let config = RunConfig::from_file(&path)?;
            let dirs = if dirs.is_empty() {
                config.rules.clone()
            } else {
                dirs
            };
            (dirs, config.catalog())
        }
        None => (dirs, doisoat::rules::load::default_catalog()),
    };
    let pack = doisoat::rules::load::load_pack(&dirs, &catalog)?;
    say!(
        "rule pack: {} — {} rules, valid",
        pack.origin,
        pack.rules.len()
    );
    say!(
        "{:<36} {:<5} {:<7} {:<12} title",
        "id",
        "dim",
        "sev",
        "dataset"
    );
    for rule in &pack.rules {
        say!(
            "{:<36} {:<5} {:<7} {:<12} {}",
            rule.id,
            rule.dimension.code(),
            rule.severity.code(),
            rule.dataset,
            rule.title
        );
    }
    let lists: Vec<String> = pack
        .refs
        .lists
        .iter()
        .map(|(name, list)| format!("{name} ({})", list.len()))
        .collect();
    say!("reference lists: {}", lists.join(", "));
    Ok(())
}

fn bench_command(args: BenchArgs) -> Result<()> {
    let options = doisoat::bench::BenchOptions {
        people: args.people,
        seed: args.seed,
        rules: args.rules,
        rounds: args.rounds,
        cache: args
            .cache
            .unwrap_or_else(|| std::env::temp_dir().join("doisoat-bench")),
        out: args.out.clone(),
        run_args: if args.no_reports {
            vec!["--no-xlsx".into(), "--no-html".into()]
        } else {
            Vec::new()
        },
    };
    let report = doisoat::bench::bench(&options, &|message| eprintln!("bench: {message}"))?;
    say!("{}", doisoat::bench::markdown(&report));
    say!("wrote {}/bench.json and bench.md", args.out.display());
    Ok(())
}

fn feedback_import(
    files: &[PathBuf],
    run: &std::path::Path,
    state: &std::path::Path,
    by: Option<&str>,
) -> Result<()> {
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    let report = doisoat::findings::feedback::import(files, run, state, by, &today)?;
    say!(
        "imported {} file(s) into {}: {}; {} row(s) still without a result",
        report.files,
        state.display(),
        report
            .decisions
            .iter()
            .map(|(d, n)| format!("{d} {n}"))
            .collect::<Vec<_>>()
            .join(", "),
        report.blank
    );
    Ok(())
}

fn main() -> ExitCode {
    doisoat::model::memory::keep_freed_memory();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run_command(args),
        Command::Gen(args) => gen_command(args),
        Command::Rules {
            command: RulesCommand::Check { rules, config },
        } => rules_check(rules, config),
        Command::Bench(args) => bench_command(args),
        Command::Feedback {
            command:
                FeedbackCommand::Import {
                    files,
                    run,
                    state,
                    by,
                },
        } => feedback_import(&files, &run, &state, by.as_deref()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // A closed pipe (`doisoat … | head`) is not a failure.
            if let Some(io) = error.downcast_ref::<std::io::Error>() {
                if io.kind() == std::io::ErrorKind::BrokenPipe {
                    return ExitCode::SUCCESS;
                }
            }
            eprintln!("error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}

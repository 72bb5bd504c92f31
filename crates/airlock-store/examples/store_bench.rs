//! Store benchmark: durable inserts per second and p50/p99 acknowledgment
//! latency at concurrency 1, 16 and 64, on SQLite and PostgreSQL, at both
//! durability levels, with the mean group-commit size; plus this machine's
//! raw fsync latency (4 KiB write + fdatasync) in the same directory, since
//! no durable insert can be faster than one fsync.
//!
//! ```text
//! cargo run --release -p airlock-store --example store_bench -- \
//!     [--seconds 1.5] [--dir target/store-bench] [--postgres postgres://postgres@127.0.0.1:5432/test]
//! ```
//! PostgreSQL runs when `--postgres` or `AIRLOCK_TEST_DATABASE_URL` names a
//! server; it uses a fresh schema and drops it afterwards.

use std::fs::OpenOptions;
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

use airlock_core::{
    Decision, Durability, RunId, RunRecord, RunStatus, StepKind, StepRecord, Timestamp,
};
use airlock_store::{RunStore, Store, StoreOptions};
use sqlx::{ConnectOptions, Connection};

const CONCURRENCY: [usize; 3] = [1, 16, 64];

struct Args {
    seconds: f64,
    dir: PathBuf,
    postgres: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        seconds: 1.5,
        dir: PathBuf::from("target/store-bench"),
        postgres: std::env::var("AIRLOCK_TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty()),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--seconds" => {
                args.seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?
            }
            "--dir" => args.dir = PathBuf::from(value()?),
            "--postgres" => args.postgres = Some(value()?),
            "--no-postgres" => args.postgres = None,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(args)
}

fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// p50/p99 in microseconds of `iterations` 4 KiB writes each followed by
/// fdatasync, in a file under `dir`.
fn fsync_latency(dir: &Path, budget: Duration) -> std::io::Result<(u32, u32, usize)> {
    let path = dir.join("fsync-probe.bin");
    let mut file = OpenOptions::new()
        .create(true)
        .truncate(true)
        .read(true)
        .write(true)
        .open(&path)?;
    file.write_all(&vec![0u8; 1 << 20])?;
    file.sync_all()?;
    let block = vec![0xA5u8; 4096];
    let mut samples = Vec::new();
    let start = Instant::now();
    while start.elapsed() < budget && samples.len() < 5000 {
        let offset = (samples.len() % 256) as u64 * 4096;
        let t = Instant::now();
        file.seek(SeekFrom::Start(offset))?;
        file.write_all(&block)?;
        file.sync_data()?;
        samples.push(t.elapsed().as_micros() as u32);
    }
    std::fs::remove_file(&path)?;
    samples.sort_unstable();
    Ok((
        percentile(&samples, 50.0),
        percentile(&samples, 99.0),
        samples.len(),
    ))
}

fn sample_run(worker: usize) -> RunRecord {
    RunRecord {
        id: RunId::new(),
        workflow: "bench".into(),
        workflow_version: "sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f0".into(),
        input: serde_json::json!({"message": "I still have not received my new card, can you check?", "customer": worker}),
        steps: vec![StepRecord {
            name: "gate".into(),
            kind: StepKind::Rule,
            output: serde_json::json!({"value": true}),
            latency_us: 4,
            error: None,
            model: None,
            skipped: false,
        }],
        output: Some(serde_json::json!({"route": "cards"})),
        decision: Decision::Auto,
        rule: Some("default".into()),
        confidence: Some(0.97),
        models: Vec::new(),
        status: RunStatus::Completed,
        error: None,
        idempotency_key: None,
        created_at: Timestamp::now(),
        latency_us: 25,
        release_id: None,
        review_id: None,
        key_id: None,
        request_hash: None,
        purged_at: None,
        cost_micro_usd: None,
    }
}

struct CellResult {
    runs_per_sec: f64,
    p50_us: u32,
    p99_us: u32,
    mean_batch: f64,
}

async fn measure(store: &Store, concurrency: usize, seconds: f64) -> Result<CellResult, String> {
    let before = store.group_commit_stats();
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let mut workers = Vec::new();
    for worker in 0..concurrency {
        let store = store.clone();
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let t = Instant::now();
                store
                    .insert(sample_run(worker))
                    .await
                    .map_err(|e| e.to_string())?;
                latencies.push(t.elapsed().as_micros() as u32);
            }
            Ok::<_, String>(latencies)
        }));
    }
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.map_err(|e| e.to_string())??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_unstable();
    let delta = store.group_commit_stats().since(&before);
    Ok(CellResult {
        runs_per_sec: all.len() as f64 / elapsed,
        p50_us: percentile(&all, 50.0),
        p99_us: percentile(&all, 99.0),
        mean_batch: delta.mean_batch_size(),
    })
}

async fn bench_backend(name: &str, url: &str, seconds: f64) -> Result<(), String> {
    for durability in [Durability::Fsync, Durability::Process] {
        let options = StoreOptions {
            durability,
            ..StoreOptions::default()
        };
        let store = Store::connect_with(url, options)
            .await
            .map_err(|e| e.to_string())?;
        for concurrency in CONCURRENCY {
            let r = measure(&store, concurrency, seconds).await?;
            println!(
                "{name:<9} {:<8} {concurrency:>4} {:>10.0} {:>9} {:>9} {:>10.1}",
                durability.as_str(),
                r.runs_per_sec,
                r.p50_us,
                r.p99_us,
                r.mean_batch
            );
        }
        store.close().await;
    }
    Ok(())
}

async fn postgres_admin(url: &str, statement: &str) -> Result<(), String> {
    let mut conn = sqlx::postgres::PgConnectOptions::from_str(url)
        .map_err(|e| e.to_string())?
        .connect()
        .await
        .map_err(|e| e.to_string())?;
    sqlx::raw_sql(statement)
        .execute(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    conn.close().await.map_err(|e| e.to_string())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), String> {
    let args = parse_args()?;
    std::fs::create_dir_all(&args.dir).map_err(|e| format!("{}: {e}", args.dir.display()))?;

    let (p50, p99, n) =
        fsync_latency(&args.dir, Duration::from_secs(2)).map_err(|e| e.to_string())?;
    println!(
        "raw fsync (4 KiB write + fdatasync in {}): p50 {p50} us, p99 {p99} us over {n} writes",
        args.dir.display()
    );
    println!();
    println!(
        "{:<9} {:<8} {:>4} {:>10} {:>9} {:>9} {:>10}",
        "backend", "durable", "conc", "inserts/s", "p50 us", "p99 us", "mean batch"
    );

    let db_path = args.dir.join(format!("bench-{}.db", RunId::new()));
    let sqlite_url = format!("sqlite://{}", db_path.display());
    let sqlite = bench_backend("sqlite", &sqlite_url, args.seconds).await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db_path.display()));
    }
    sqlite?;

    match &args.postgres {
        Some(base) => {
            let schema = format!("bench_{}", RunId::new().to_string().to_lowercase());
            postgres_admin(base, &format!("CREATE SCHEMA {schema}")).await?;
            let separator = if base.contains('?') { '&' } else { '?' };
            let url = format!("{base}{separator}options[search_path]={schema}");
            let result = bench_backend("postgres", &url, args.seconds).await;
            postgres_admin(base, &format!("DROP SCHEMA {schema} CASCADE")).await?;
            result?;
        }
        None => {
            println!("postgres: skipped (pass --postgres URL or set AIRLOCK_TEST_DATABASE_URL)")
        }
    }
    Ok(())
}

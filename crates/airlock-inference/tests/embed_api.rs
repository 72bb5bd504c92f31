//! Behaviour of the `Embedder` handle: async and blocking calls agree under
//! concurrency, empty input, unit-length vectors, metadata.

mod common;

use airlock_inference::embed::{Embedder, EmbedderOptions};

fn load(workers: usize, max_batch: usize) -> Option<Embedder> {
    let dir = common::embedding_model_dir()?;
    let opts = EmbedderOptions {
        model_dir: dir,
        workers,
        threads_per_worker: 1,
        max_batch,
    };
    Some(Embedder::load(opts).expect("installed model loads"))
}

fn texts() -> Vec<String> {
    [
        "How do I locate my card?",
        "My transfer has not arrived yet",
        "exchange rate for euros",
        "Can I change my PIN at an ATM?",
        "why was my card declined",
        "",
        "top up failed twice",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

#[test]
fn metadata_describes_minilm() {
    let Some(embedder) = load(1, 8) else { return };
    assert_eq!(embedder.dimension(), 384);
    assert_eq!(embedder.max_seq_len(), 256);
    let sha = embedder.model_sha256();
    assert_eq!(sha.len(), 64);
    assert!(sha.chars().all(|c| c.is_ascii_hexdigit()));
}

#[test]
fn empty_input_gives_empty_output() {
    let Some(embedder) = load(1, 8) else { return };
    assert!(embedder
        .embed_blocking(Vec::new())
        .expect("embeds")
        .is_empty());
}

#[test]
fn vectors_have_unit_norm_and_differ() {
    let Some(embedder) = load(1, 8) else { return };
    let vectors = embedder.embed_blocking(texts()).expect("embeds");
    assert_eq!(vectors.len(), texts().len());
    for v in &vectors {
        assert_eq!(v.len(), 384);
        let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "norm {norm}");
    }
    assert_ne!(vectors[0], vectors[1]);
}

#[test]
fn async_tasks_agree_with_blocking() {
    // Two workers and batches of 3, so requests are split and interleaved.
    let Some(embedder) = load(2, 3) else { return };
    let expected = embedder.embed_blocking(texts()).expect("embeds");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("runtime");
    let results = runtime.block_on(async {
        let mut tasks = Vec::new();
        for i in 0..6 {
            let embedder = embedder.clone();
            // Each task asks for a rotation of the texts, to vary batches.
            let mut mine = texts();
            let n = mine.len();
            mine.rotate_left(i % n);
            tasks.push(tokio::spawn(async move { (i, embedder.embed(mine).await) }));
        }
        let mut out = Vec::new();
        for task in tasks {
            out.push(task.await.expect("task finished"));
        }
        out
    });
    for (i, result) in results {
        let mut want = expected.clone();
        let n = want.len();
        want.rotate_left(i % n);
        let got = result.expect("async embed");
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            let max_diff = g
                .iter()
                .zip(w)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f32::max);
            assert!(max_diff < 1e-5, "task {i}: async differs by {max_diff}");
        }
    }
}

#[test]
fn blocking_calls_from_many_threads_agree() {
    let Some(embedder) = load(2, 4) else { return };
    let expected = embedder.embed_blocking(texts()).expect("embeds");
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| embedder.embed_blocking(texts()).expect("embeds")))
            .collect();
        for h in handles {
            let got = h.join().expect("thread finished");
            for (g, w) in got.iter().zip(&expected) {
                let max_diff = g
                    .iter()
                    .zip(w)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f32::max);
                assert!(max_diff < 1e-5, "thread result differs by {max_diff}");
            }
        }
    });
}

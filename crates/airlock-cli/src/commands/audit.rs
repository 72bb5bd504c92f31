//! `airlock audit verify|list|checkpoint|public-key`: the tamper-evident
//! audit log, read straight from the database (`--data-dir DIR` or
//! `--database-url URL`), with no server and no models.
//!
//! `verify` checks every record's hash and link and every signed
//! checkpoint against the trusted public keys, and names the first record
//! that was altered, deleted, reordered or truncated (exit code 65).

use airlock_config::{SecretSource, Settings};
use airlock_core::{Error, Result};
use airlock_store::{verify_chain, AuditFilter, AuditStore, CheckpointVerifier, Store};

use super::runtime::tokio_runtime;
use super::secrets;

#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Check the chain and its signed checkpoints; name the first bad record.
    Verify(VerifyArgs),
    /// Print audit records, oldest first.
    List(ListArgs),
    /// Sign a checkpoint of the chain's head now.
    Checkpoint,
    /// Print the public key of the configured signing key (for verifiers).
    PublicKey,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The first record to check (default 1: the whole chain).
    #[arg(long, value_name = "SEQ")]
    pub from: Option<u64>,
    /// A trusted checkpoint public key (64 hex digits); repeatable. Default:
    /// the configured signing key's and `[audit] trusted_public_keys`.
    #[arg(long = "public-key", value_name = "HEX")]
    pub public_keys: Vec<String>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only records after this one.
    #[arg(long, value_name = "SEQ")]
    pub after: Option<u64>,
    /// An event word, e.g. access.denied.
    #[arg(long)]
    pub event: Option<String>,
    /// e.g. run:01J9….
    #[arg(long)]
    pub subject: Option<String>,
    /// Page size (default 50).
    #[arg(long)]
    pub limit: Option<u32>,
}

pub fn run(command: AuditCommand, settings: &Settings) -> Result<()> {
    tokio_runtime()?.block_on(async {
        // Verification reads no payload: no decryption key is needed, and
        // none is generated.
        let store = Store::connect(&settings.database.url, settings.database.durability).await?;
        let result = match command {
            AuditCommand::Verify(args) => verify(&store, settings, args).await,
            AuditCommand::List(args) => list(&store, args).await,
            AuditCommand::Checkpoint => checkpoint(&store, settings).await,
            AuditCommand::PublicKey => {
                println!("{}", secrets::audit_signer(settings)?.public_key_hex());
                Ok(())
            }
        };
        store.close().await;
        result
    })
}

async fn verify(store: &Store, settings: &Settings, args: VerifyArgs) -> Result<()> {
    let keys = trusted_keys(settings, args.public_keys)?;
    let verifier = CheckpointVerifier::from_public_keys(&keys)?;
    let report = verify_chain(store, args.from.unwrap_or(1), &verifier).await?;
    if args.json {
        let value = serde_json::json!({
            "ok": report.is_ok(),
            "records": report.records,
            "first": report.first,
            "last": report.last,
            "head_hash": report.head_hash,
            "checkpoints": report.checkpoints,
            "problem": report.problem.as_ref().map(|p| p.kind()),
            "first_bad_seq": report.problem.as_ref().map(|p| p.first_bad_seq()),
            "message": report.problem.as_ref().map(|p| p.to_string()),
        });
        println!("{value}");
    }
    match report.problem {
        None => {
            if !args.json {
                println!(
                    "ok: {} record(s) ({}), {} signed checkpoint(s) verified, head {}",
                    report.records,
                    match (report.first, report.last) {
                        (Some(first), Some(last)) => format!("{first} to {last}"),
                        _ => "none".to_string(),
                    },
                    report.checkpoints,
                    report.head_hash.as_deref().unwrap_or("-")
                );
            }
            Ok(())
        }
        Some(problem) => Err(Error::invalid_input(format!(
            "the audit log does not verify: {problem}"
        ))
        .with_field(format!("seq {}", problem.first_bad_seq()))
        .with_hint(format!(
            "{} record(s) before it verified; restore the database from a backup and investigate",
            report.records
        ))),
    }
}

/// `given`, or else the configured signing key's public key (if the key
/// exists; verification never creates one) and the trusted ones.
fn trusted_keys(settings: &Settings, given: Vec<String>) -> Result<Vec<String>> {
    if !given.is_empty() {
        return Ok(given);
    }
    let mut keys = settings.audit.trusted_public_keys.clone();
    let own_exists = match &settings.audit.signing_key {
        SecretSource::Generated(path) => path.exists(),
        _ => true,
    };
    if own_exists {
        keys.insert(0, secrets::audit_signer(settings)?.public_key_hex());
    }
    if keys.is_empty() {
        return Err(Error::invalid_config(
            "no trusted audit public key: the signing key is not here and none is configured",
        )
        .with_hint("pass --public-key HEX (`airlock audit public-key` on the server prints it)"));
    }
    Ok(keys)
}

async fn list(store: &Store, args: ListArgs) -> Result<()> {
    let filter = AuditFilter {
        after: args.after,
        event: args.event,
        subject: args.subject,
        limit: args.limit,
        ..AuditFilter::default()
    };
    let page = store.list_audit(&filter).await?;
    for record in page.items {
        let value = serde_json::to_value(&record)
            .map_err(|e| Error::internal(format!("cannot encode a record: {e}")))?;
        println!("{value}");
    }
    if let Some(next) = page.next_cursor {
        eprintln!("more: --after {next}");
    }
    Ok(())
}

async fn checkpoint(store: &Store, settings: &Settings) -> Result<()> {
    let signer = secrets::audit_signer(settings)?;
    let head = store.audit_head().await?;
    if head.seq == 0 {
        println!("the audit log is empty; nothing to sign");
        return Ok(());
    }
    let checkpoint = signer.sign(head.seq, &head.hash, airlock_core::Timestamp::now());
    if store.insert_checkpoint(checkpoint).await? {
        println!("signed checkpoint at record {} ({})", head.seq, head.hash);
    } else {
        println!("a checkpoint at record {} already exists", head.seq);
    }
    Ok(())
}

//! `airlock keys create|list|revoke|generate`: API keys, managed directly
//! in the configured database (an operator with access to it is trusted;
//! every change is audited as the `system` actor). `create` prints the key
//! once; only its hash is stored.

use airlock_config::Settings;
use airlock_core::{Error, Result, Role, Timestamp, WorkflowGrant};
use airlock_engine::KeySpec;

use super::runtime::{load_workflows, review_engine, tokio_runtime};

#[derive(Debug, clap::Subcommand)]
pub enum KeysCommand {
    /// Create a key and print it (once: it cannot be shown again).
    Create(CreateArgs),
    /// List every key's id, name, role, grant and status.
    List(ListArgs),
    /// Revoke a key: the next request with it is refused.
    Revoke(RevokeArgs),
    /// Print a new key without storing it (for AIRLOCK_BOOTSTRAP_KEY).
    Generate,
}

#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    /// admin, developer, reviewer, auditor or app.
    #[arg(long)]
    pub role: String,
    /// Who holds it (reviewers are recorded by it); default: the role.
    #[arg(long)]
    pub name: Option<String>,
    /// Workflows granted, comma-separated (default: every workflow).
    #[arg(long, value_delimiter = ',')]
    pub workflows: Vec<String>,
    /// When it stops working: an RFC 3339 instant or a duration from now
    /// (e.g. 90d, 12h).
    #[arg(long, value_name = "TIME|DURATION")]
    pub expires: Option<String>,
    /// Print the key and its metadata as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// One JSON object per line.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct RevokeArgs {
    /// The key's id (the part after `alk_`, as `keys list` shows it).
    pub id: String,
}

pub fn run(command: KeysCommand, settings: &Settings) -> Result<()> {
    if let KeysCommand::Generate = command {
        println!("{}", airlock_engine::access::key_material::generate().key);
        return Ok(());
    }
    let workflows = load_workflows(settings)?;
    tokio_runtime()?.block_on(async {
        let engine = review_engine(settings, workflows).await?;
        let result = match command {
            KeysCommand::Create(args) => create(&engine, args).await,
            KeysCommand::List(args) => list(&engine, args).await,
            KeysCommand::Revoke(args) => {
                let key = engine.revoke_key(None, &args.id).await?;
                println!("revoked {} ({}, {})", key.id, key.name, key.role);
                Ok(())
            }
            KeysCommand::Generate => Ok(()),
        };
        engine.store().close().await;
        result
    })
}

async fn create(engine: &airlock_engine::Engine, args: CreateArgs) -> Result<()> {
    let role: Role = args.role.parse()?;
    let workflows = if args.workflows.is_empty() {
        WorkflowGrant::All
    } else {
        WorkflowGrant::Only(args.workflows.into_iter().collect())
    };
    let expires_at = args.expires.as_deref().map(parse_expiry).transpose()?;
    let spec = KeySpec {
        name: args.name.unwrap_or_else(|| role.as_str().to_string()),
        role,
        workflows,
        expires_at,
    };
    let issued = engine.create_key(None, spec).await?;
    if args.json {
        let created = airlock_server::CreatedKeyView {
            key: issued.key,
            record: airlock_server::KeyView::new(issued.record, Timestamp::now()),
        };
        println!("{}", to_json(&created)?);
    } else {
        eprintln!(
            "created key {} ({}, {}); it is shown this once, store it now:",
            issued.record.id, issued.record.name, issued.record.role
        );
        println!("{}", issued.key);
    }
    Ok(())
}

async fn list(engine: &airlock_engine::Engine, args: ListArgs) -> Result<()> {
    let now = Timestamp::now();
    let keys = engine.list_keys().await?;
    if args.json {
        for key in &keys {
            println!(
                "{}",
                to_json(&airlock_server::KeyView::new(key.clone(), now))?
            );
        }
        return Ok(());
    }
    println!(
        "{:<14} {:<20} {:<10} {:<8} {:<24} WORKFLOWS",
        "ID", "NAME", "ROLE", "STATUS", "EXPIRES"
    );
    for key in keys {
        let grant = match &key.workflows {
            WorkflowGrant::All => "*".to_string(),
            WorkflowGrant::Only(names) => names.iter().cloned().collect::<Vec<_>>().join(","),
        };
        println!(
            "{:<14} {:<20} {:<10} {:<8} {:<24} {grant}",
            key.id,
            key.name,
            key.role,
            key.status(now),
            key.expires_at
                .map(|t| t.to_string())
                .unwrap_or_else(|| "-".into())
        );
    }
    Ok(())
}

/// A key as JSON, shaped as the HTTP API shows it.
fn to_json(view: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string(view).map_err(|e| Error::internal(format!("cannot encode a key: {e}")))
}

/// An RFC 3339 instant, or a duration from now.
fn parse_expiry(text: &str) -> Result<Timestamp> {
    if let Ok(at) = Timestamp::parse_rfc3339(text) {
        return Ok(at);
    }
    let duration = humantime::parse_duration(text).map_err(|_| {
        Error::invalid_input(format!(
            "--expires `{text}` is neither an RFC 3339 instant nor a duration"
        ))
        .with_field("expires")
        .with_hint("e.g. --expires 90d or --expires 2027-01-01T00:00:00Z")
    })?;
    let ms = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
    Timestamp::from_unix_ms(Timestamp::now().unix_ms().saturating_add(ms))
        .map_err(|e| e.with_field("expires"))
}

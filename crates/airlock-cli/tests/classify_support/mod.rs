//! Shared helpers of the `classify_*` CLI tests: where the embedding model
//! is (or why the test is skipped), a small labelled data set, and running
//! the `airlock` binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

/// The models directory when the embedding model is installed; `None`
/// (after printing the skip notice) when it is not and models are not
/// required. Panics with a clear message when `AIRLOCK_REQUIRE_MODELS=1`
/// and the model is missing.
pub fn models_dir_or_skip(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("AIRLOCK_MODELS_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../..")
                .join("airlock-data/models")
        });
    let weights = dir.join("all-minilm-l6-v2/model.safetensors");
    if weights.is_file() {
        return Some(dir);
    }
    if std::env::var("AIRLOCK_REQUIRE_MODELS").as_deref() == Ok("1") {
        panic!(
            "{test}: AIRLOCK_REQUIRE_MODELS=1 but {} is missing (run: airlock models fetch)",
            weights.display()
        );
    }
    eprintln!("SKIPPED: {test}: models not installed (run: airlock models fetch)");
    None
}

/// Runs `airlock` with `args` and the given models directory.
pub fn airlock(models_dir: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_airlock"))
        .arg("--models-dir")
        .arg(models_dir)
        .args(args)
        .env_remove("AIRLOCK_CONFIG")
        .output()
        .expect("the airlock binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// One labelled text: (text, label).
pub type Example = (&'static str, &'static str);

/// Examples kept per label for training; the rest are for evaluation.
pub const TRAIN_PER_LABEL: usize = 6;

/// Writes `examples` as CSV with columns `text,category` (the BANKING77 layout).
pub fn write_csv(path: &Path, examples: &[(&str, &str)]) {
    let mut text = String::from("text,category\n");
    for (t, l) in examples {
        text.push_str(&format!("\"{t}\",{l}\n"));
    }
    std::fs::write(path, text).expect("write csv");
}

/// Writes `examples` as JSON lines `{"text": ..., "label": ...}`.
pub fn write_jsonl(path: &Path, examples: &[(&str, &str)]) {
    let text = examples
        .iter()
        .map(|(t, l)| serde_json::json!({"text": t, "label": l}).to_string() + "\n")
        .collect::<String>();
    std::fs::write(path, text).expect("write jsonl");
}

/// (training, evaluation) examples: per label the first
/// [`TRAIN_PER_LABEL`] for training and the rest for evaluation.
pub fn split_examples() -> (Vec<Example>, Vec<Example>) {
    let mut train = Vec::new();
    let mut eval = Vec::new();
    let mut seen: Vec<(&str, usize)> = Vec::new();
    for &(text, label) in EXAMPLES {
        let count = match seen.iter_mut().find(|(l, _)| *l == label) {
            Some(entry) => {
                entry.1 += 1;
                entry.1
            }
            None => {
                seen.push((label, 1));
                1
            }
        };
        if count <= TRAIN_PER_LABEL {
            train.push((text, label));
        } else {
            eval.push((text, label));
        }
    }
    (train, eval)
}

/// Ten BANKING77 intents, nine messages each, from its train.csv
/// (PolyAI-LDN/task-specific-datasets, CC BY 4.0).
pub const EXAMPLES: &[(&str, &str)] = &[
    ("I am still waiting on my card?", "card_arrival"),
    (
        "What can I do if my card still hasn't arrived after 2 weeks?",
        "card_arrival",
    ),
    (
        "I have been waiting over a week. Is the card still coming?",
        "card_arrival",
    ),
    (
        "Can I track my card while it is in the process of delivery?",
        "card_arrival",
    ),
    (
        "How do I know if I will get my card, or if it is lost?",
        "card_arrival",
    ),
    ("When did you send me my new card?", "card_arrival"),
    (
        "Do you have info about the card on delivery?",
        "card_arrival",
    ),
    (
        "What do I do if I still have not received my new card?",
        "card_arrival",
    ),
    (
        "Does the package with my card have tracking?",
        "card_arrival",
    ),
    (
        "What is my money worth in other countries?",
        "exchange_rate",
    ),
    (
        "Will my money be of equal value when I travel abroad?",
        "exchange_rate",
    ),
    ("Do you know the rate of exchange?", "exchange_rate"),
    (
        "What foreign exchange rate will I get on weekdays and on the weekends?",
        "exchange_rate",
    ),
    ("What is the exchange looking like?", "exchange_rate"),
    ("How is the exchange rate doing?", "exchange_rate"),
    (
        "I would like to know how exchange rates are calculated when transferring funds.",
        "exchange_rate",
    ),
    (
        "I would like to know what exchange rates you use?",
        "exchange_rate",
    ),
    (
        "If I need to cash foreign transfers, how does that work?",
        "exchange_rate",
    ),
    (
        "Has there been any activity on my card today?",
        "lost_or_stolen_card",
    ),
    (
        "I lost my wallet and all my cards were in it.",
        "lost_or_stolen_card",
    ),
    (
        "I'm panicking!  I lost my card!  Help!",
        "lost_or_stolen_card",
    ),
    ("I need to report a stolen card", "lost_or_stolen_card"),
    ("How do I replace a stolen card?", "lost_or_stolen_card"),
    (
        "Can you provide information for freezing my card immediately?",
        "lost_or_stolen_card",
    ),
    (
        "What's the phone number to freeze a card?",
        "lost_or_stolen_card",
    ),
    ("I can't find my card! Can you help?", "lost_or_stolen_card"),
    ("Help! I lost my card!", "lost_or_stolen_card"),
    ("I have exceeded the number of PIN attempts", "pin_blocked"),
    (
        "I mistook my pin and now I am locked.  Can you unlock me?",
        "pin_blocked",
    ),
    (
        "Please help me unblock my pin which I put the wrong one too many times.",
        "pin_blocked",
    ),
    (
        "Help me unblock my account.  I entered the PIN wrong too many times.",
        "pin_blocked",
    ),
    (
        "I locked myself out of my account, how do I unblock my PIN?",
        "pin_blocked",
    ),
    ("My PIN tries have run out. Now what?", "pin_blocked"),
    ("Can I reset my PIN if it is blocked?", "pin_blocked"),
    (
        "After inputting the wrong pin too many times, can you now help me unblock my pin?",
        "pin_blocked",
    ),
    ("Where do I find PIN for my card?", "pin_blocked"),
    ("I think my top-up has failed.", "top_up_failed"),
    ("Top-up is not working", "top_up_failed"),
    ("My top up is not working", "top_up_failed"),
    (
        "My top-up hasn't gone through, what happened?",
        "top_up_failed",
    ),
    ("My top-up was rejected by an app.", "top_up_failed"),
    ("For what reason did my top-up fail?", "top_up_failed"),
    ("I can't add any more money.", "top_up_failed"),
    ("Why won't my top up work", "top_up_failed"),
    ("I topped up but the app denied it", "top_up_failed"),
    (
        "Why is there a charge when I took out money?",
        "cash_withdrawal_charge",
    ),
    (
        "Why have I been charged a fee for cash withdrawal?",
        "cash_withdrawal_charge",
    ),
    (
        "I made a cash withdrawl and there is a charge.  What is this?",
        "cash_withdrawal_charge",
    ),
    (
        "I am inquiring about why there was an extra fee charged when I used an ATM.",
        "cash_withdrawal_charge",
    ),
    (
        "Why am I being charged extra when I withdrew money?",
        "cash_withdrawal_charge",
    ),
    (
        "Why am I charged to get money from the ATM?",
        "cash_withdrawal_charge",
    ),
    (
        "I saw I was charged extra for money I withdrew?",
        "cash_withdrawal_charge",
    ),
    (
        "Is there an extra fee for using an ATM?",
        "cash_withdrawal_charge",
    ),
    (
        "Why did they take more money out then I withdrawed?",
        "cash_withdrawal_charge",
    ),
    (
        "Is it possible for me to change my PIN number?",
        "change_pin",
    ),
    (
        "What are the steps to change my PIN to something else?",
        "change_pin",
    ),
    (
        "In what way can I change my PIN and where do I need to be?",
        "change_pin",
    ),
    ("Can I change my PIN at any cash machines?", "change_pin"),
    (
        "I need to make my card PIN a different number",
        "change_pin",
    ),
    ("Can I change my PIN abroad?", "change_pin"),
    (
        "Do I have to go to the bank to change my PIN?",
        "change_pin",
    ),
    ("If I want to can I set up a new PIN?", "change_pin"),
    (
        "Do I have to go into the bank to change my PIN?",
        "change_pin",
    ),
    (
        "Transfer unable to be completed, states 'declined'",
        "declined_transfer",
    ),
    ("Why was my transfer request decline?", "declined_transfer"),
    ("My transfer was rejected", "declined_transfer"),
    ("the bank transfer was declined", "declined_transfer"),
    ("why was a transfer declined", "declined_transfer"),
    (
        "While doing a transfer, it says declined.",
        "declined_transfer",
    ),
    (
        "I have transfered to my account before but it is being declined now?",
        "declined_transfer",
    ),
    ("Transfer was declined.", "declined_transfer"),
    (
        "Please check and let me know why my transfers are getting declined.",
        "declined_transfer",
    ),
    ("How do I deactivate my account?", "terminate_account"),
    ("Remove my account immediately.", "terminate_account"),
    ("Are you able to delete my account?", "terminate_account"),
    ("How do I discontinue my account?", "terminate_account"),
    ("please delete account", "terminate_account"),
    ("I need you to delete my account now.", "terminate_account"),
    (
        "I would like to delete my account now, please.",
        "terminate_account",
    ),
    (
        "I would like to invalidate my account.  I am very disappointed with your services.",
        "terminate_account",
    ),
    ("I need to delete my account.", "terminate_account"),
    (
        "Hi, I have an apple watch. How do I use it to top up my card?",
        "apple_pay_or_google_pay",
    ),
    ("Can I use google pay to top up?", "apple_pay_or_google_pay"),
    (
        "why top up is not working even if I got my American Express in Apple Bay?",
        "apple_pay_or_google_pay",
    ),
    (
        "Can I deposit money using Apple Pay?",
        "apple_pay_or_google_pay",
    ),
    (
        "Can I use google pay for topping -up",
        "apple_pay_or_google_pay",
    ),
    (
        "I do I top up from my Apple Watch?",
        "apple_pay_or_google_pay",
    ),
    (
        "I need to top up, can I use google pay?",
        "apple_pay_or_google_pay",
    ),
    (
        "How do I go about topping up with Google Pay?",
        "apple_pay_or_google_pay",
    ),
    ("google pay top up did not work", "apple_pay_or_google_pay"),
];

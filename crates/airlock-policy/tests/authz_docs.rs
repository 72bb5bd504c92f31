//! docs/authorization.md shows the default policies and the schema as they
//! are shipped; this keeps the page from drifting from the files.

#![allow(clippy::unwrap_used)] // test helpers: a failed setup should panic loudly

use airlock_policy::authz::{Action, DEFAULT_POLICIES, SCHEMA};

fn page() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/authorization.md");
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn the_page_shows_the_shipped_default_policies_and_schema() {
    let page = page();
    assert!(
        page.contains(DEFAULT_POLICIES.trim_end()),
        "docs/authorization.md must include default.cedar verbatim"
    );
    assert!(
        page.contains(SCHEMA.trim_end()),
        "docs/authorization.md must include airlock.cedarschema verbatim"
    );
}

#[test]
fn the_page_lists_every_action() {
    let page = page();
    for action in Action::ALL {
        assert!(
            page.contains(&format!("`{}`", action.as_str())),
            "docs/authorization.md does not mention `{action}`"
        );
    }
}

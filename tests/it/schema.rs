//! The contract: every body `build` writes, for every example, validates against the
//! `ConversionEvents` schema of `contract/conversions-openapi.yaml`, the API contract kept in
//! the repository (Pinterest's spec, trimmed to this endpoint; see `contract/README.md`).

use serde_json::{json, Value};

use crate::support::{bodies, pinconv, EXAMPLES};

fn validator() -> jsonschema::Validator {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("contract/conversions-openapi.yaml");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let spec: Value = serde_yaml::from_str(&text).expect("spec is YAML");
    // The schema refers to its siblings as `#/components/schemas/...`: keep them reachable.
    let root = json!({
        "$ref": "#/components/schemas/ConversionEvents",
        "components": spec["components"].clone(),
    });
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&root)
        .expect("schema compiles")
}

fn errors(v: &jsonschema::Validator, body: &Value) -> Vec<String> {
    v.iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

#[test]
fn every_example_body_matches_the_spec() {
    let v = validator();
    let mut checked = 0;
    for args in EXAMPLES {
        let mut a = vec!["build", "--batch-size", "3"];
        a.extend_from_slice(args);
        let out = pinconv(&a).output();
        for body in bodies(&String::from_utf8_lossy(&out.stdout)) {
            let errs = errors(&v, &body);
            assert!(errs.is_empty(), "{args:?}: {errs:#?}\n{body}");
            checked += 1;
        }
    }
    assert!(checked >= 8, "only {checked} bodies checked");
}

#[test]
fn the_validator_does_reject_what_pinterest_rejects() {
    let v = validator();
    let good = json!({"data": [{"event_name": "checkout", "action_source": "web", "event_time": 1, "event_id": "a",
        "user_data": {"em": ["973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b"]},
        "custom_data": {"value": "1.00"}}]});
    assert!(errors(&v, &good).is_empty());
    let mut numeric_value = good.clone();
    numeric_value["data"][0]["custom_data"]["value"] = json!(1.0);
    assert!(!errors(&v, &numeric_value).is_empty());
    let mut phone_only = good.clone();
    phone_only["data"][0]["user_data"] = json!({"ph": ["x"]});
    assert!(!errors(&v, &phone_only).is_empty());
    let mut unknown = good.clone();
    unknown["data"][0]["custom_data"]["category_name"] = json!("x");
    assert!(!errors(&v, &unknown).is_empty());
    assert!(!errors(&v, &json!({"data": []})).is_empty());
}

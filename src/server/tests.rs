//! The OpenAPI document is kept true: every route of the router is in it (and nothing
//! else), and its request examples parse.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{parse_message, parse_subscription, route_list, OPENAPI_JSON};

fn document() -> Value {
    serde_json::from_str(OPENAPI_JSON).expect("openapi.json is JSON")
}

#[test]
fn every_route_of_the_router_is_documented_and_nothing_else() {
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let routed: BTreeSet<(String, String)> = route_list().into_iter().collect();
    assert_eq!(routed, documented);
}

#[test]
fn every_operation_documents_its_errors_and_every_reference_resolves() {
    let doc = document();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let responses = op["responses"].as_object().expect("responses");
            assert!(responses.keys().any(|k| k.starts_with('2')), "{method} {path}");
            if path != "/api/v1/openapi.json" {
                for code in ["401", "403", "429"] {
                    assert!(responses.contains_key(code), "{method} {path} lacks {code}");
                }
            }
        }
    }
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    match (k.as_str(), x) {
                        ("$ref", Value::String(r)) => out.push(r.clone()),
                        _ => refs(x, out),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    for r in all {
        let pointer = r.strip_prefix('#').expect("a local reference");
        assert!(doc.pointer(pointer).is_some(), "{r} does not resolve");
    }
}

#[test]
fn documented_request_examples_parse() {
    let doc = document();
    let examples = |path: &str| -> Vec<Vec<u8>> {
        let ex =
            &doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["examples"];
        ex.as_object()
            .expect("examples")
            .values()
            .map(|e| serde_json::to_vec(&e["value"]).expect("json"))
            .collect()
    };
    let messages = examples("/api/v1/messages");
    assert!(messages.len() >= 3);
    for m in messages {
        parse_message(&m).expect("a documented message parses");
    }
    for s in examples("/api/v1/subscriptions") {
        parse_subscription(&s).expect("a documented subscription parses");
    }
    for m in examples("/api/v1/meter-events") {
        super::parse_meter_events(&m).expect("documented meter events parse");
    }
    let reply = &doc["components"]["schemas"]["MessageReply"]["example"];
    let answer: super::Answer =
        serde_json::from_value(reply["answer"].clone()).expect("the documented answer reads");
    assert_eq!(answer.disposition.as_deref(), Some("merged"));
}

//! Any bytes as a channel service request body: the message, subscription and meter-event
//! parsers never panic; a refusal always names a field and a problem; an accepted message has
//! a channel, a customer and text within the limits.

#![no_main]

use gridcare::server::{parse_message, parse_meter_events, parse_subscription, MAX_TEXT_CHARS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match parse_message(data) {
        Ok(m) => {
            assert!(m.text.trim().chars().count() <= MAX_TEXT_CHARS);
        }
        Err(e) => assert!(!e.field.is_empty() && !e.problem.is_empty(), "{e:?}"),
    }
    if let Err(e) = parse_subscription(data) {
        assert!(!e.field.is_empty() && !e.problem.is_empty(), "{e:?}");
    }
    if let Err(e) = parse_meter_events(data) {
        assert!(!e.field.is_empty() && !e.problem.is_empty(), "{e:?}");
    }
});

//! The messages between the page and the trainer's workers (`crates/protocol`): never a
//! panic; what decodes encodes to a message that decodes again.
#![no_main]
use libfuzzer_sys::fuzz_target;

use protocol::codec::{Envelope, decode, encode};
use protocol::{Command, Event, ModelReply, ModelRequest, Predictions};

/// `json` with a few buffers beside it, decoded as `T`; if it decodes, it survives a round
/// trip through the codec.
fn round_trip<T>(json: &str)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let envelope = Envelope {
        json: json.to_string(),
        bytes: vec![vec![1, 2, 3].into(), Vec::new().into()],
        floats: vec![vec![0.5, -1.0].into()],
    };
    if let Ok(message) = decode::<T>(envelope) {
        let again = decode::<T>(encode(&message).expect("encodes"));
        assert_eq!(again.as_ref(), Ok(&message));
    }
}

fuzz_target!(|bytes: &[u8]| {
    if let Some(p) = Predictions::from_bytes(bytes) {
        assert_eq!(p.to_bytes(), bytes);
    }
    let text = String::from_utf8_lossy(bytes);
    round_trip::<Command>(&text);
    round_trip::<Event>(&text);
    round_trip::<ModelRequest>(&text);
    round_trip::<ModelReply>(&text);
});

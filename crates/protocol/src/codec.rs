//! One codec for every message between the page, the trainer and its helper threads.
//!
//! A message is a serde value (an enum of commands or events) whose large parts are typed
//! [`Bytes`] (image batches, weights, checkpoints) or [`Floats`] (flat weights and
//! gradients). [`encode`] turns a message into an [`Envelope`]: its JSON, in which each of
//! those fields names the buffer that carries it (`"train": {"bytes": 0}`), and the buffers
//! beside it. On the web the envelope becomes `{json, bytes: [Uint8Array…], floats:
//! [Float32Array…]}` (`crate::js`), and the buffers are transferred, not copied, by
//! `postMessage`; JSON keeps every message readable in the browser's devtools. [`decode`]
//! is the inverse, on either side.
//!
//! How the buffers leave the JSON: while [`encode`] runs, serialising a `Bytes` or `Floats`
//! moves a reference to its data (no copy) into the envelope being built and writes the
//! buffer's index; while [`decode`] runs, deserialising one takes the buffer of that index
//! out of the envelope. Outside the two, a `Bytes` cannot be written as JSON: messages are
//! for the wire, what is stored (run records, settings) holds no buffers.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use serde::de::{DeserializeOwned, Error as _};
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Bytes carried beside a message's JSON. Cheap to clone (shared).
#[derive(Clone, Default, PartialEq)]
pub struct Bytes(Rc<Vec<u8>>);

/// `f32`s carried beside a message's JSON (on the web, as a `Float32Array`). Cheap to clone.
#[derive(Clone, Default, PartialEq)]
pub struct Floats(Rc<Vec<f32>>);

impl Bytes {
    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }
    /// The shared vector, without copying it.
    pub fn into_rc(self) -> Rc<Vec<u8>> {
        self.0
    }
    /// The bytes as an owned vector (copied only if another clone still shares them).
    pub fn into_vec(self) -> Vec<u8> {
        Rc::try_unwrap(self.0).unwrap_or_else(|shared| (*shared).clone())
    }
    /// Number of bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Floats {
    /// The values.
    pub fn as_slice(&self) -> &[f32] {
        &self.0
    }
    /// The values as an owned vector (copied only if another clone still shares them).
    pub fn into_vec(self) -> Vec<f32> {
        Rc::try_unwrap(self.0).unwrap_or_else(|shared| (*shared).clone())
    }
    /// Number of values.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Self {
        Bytes(Rc::new(v))
    }
}
impl From<Rc<Vec<u8>>> for Bytes {
    fn from(v: Rc<Vec<u8>>) -> Self {
        Bytes(v)
    }
}
impl From<Vec<f32>> for Floats {
    fn from(v: Vec<f32>) -> Self {
        Floats(Rc::new(v))
    }
}

// Debug output names the size, never megabytes of numbers.
impl fmt::Debug for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bytes({} bytes)", self.0.len())
    }
}
impl fmt::Debug for Floats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Floats({} values)", self.0.len())
    }
}

/// A message ready for the wire: its JSON and the buffers its JSON refers to by index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Envelope {
    /// The message as JSON, its buffers replaced by `{"bytes": i}` / `{"floats": i}`.
    pub json: String,
    /// Byte buffers, in the order the JSON refers to them.
    pub bytes: Vec<Bytes>,
    /// Float buffers, likewise.
    pub floats: Vec<Floats>,
}

/// The buffers of the envelope being filled or emptied, by index (`None`: taken).
#[derive(Default)]
struct Slots {
    bytes: Vec<Option<Bytes>>,
    floats: Vec<Option<Floats>>,
}

thread_local! {
    /// The envelope [`encode`] is filling, or [`decode`] is emptying.
    static BUFFERS: RefCell<Option<Slots>> = const { RefCell::new(None) };
}

/// Put `message` into an envelope.
pub fn encode<T: Serialize>(message: &T) -> Result<Envelope, String> {
    BUFFERS.with_borrow_mut(|b| *b = Some(Slots::default()));
    let json = serde_json::to_string(message);
    let slots = BUFFERS.with_borrow_mut(Option::take).unwrap_or_default();
    let json = json.map_err(|e| format!("could not encode a message: {e}"))?;
    Ok(Envelope {
        json,
        bytes: slots.bytes.into_iter().flatten().collect(),
        floats: slots.floats.into_iter().flatten().collect(),
    })
}

/// Take a message out of an envelope. The error says, in a few words, what is wrong.
pub fn decode<T: DeserializeOwned>(envelope: Envelope) -> Result<T, String> {
    let slots = Slots {
        bytes: envelope.bytes.into_iter().map(Some).collect(),
        floats: envelope.floats.into_iter().map(Some).collect(),
    };
    BUFFERS.with_borrow_mut(|b| *b = Some(slots));
    let message = serde_json::from_str(&envelope.json);
    BUFFERS.with_borrow_mut(|b| *b = None);
    message.map_err(|e| format!("a message that is not ours: {e}"))
}

/// How a buffer appears in the JSON.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BytesRef {
    bytes: usize,
}
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FloatsRef {
    floats: usize,
}

const OUTSIDE: &str = "message buffers are written and read only by protocol::codec";

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let index = BUFFERS.with_borrow_mut(|b| {
            b.as_mut().map(|slots| {
                slots.bytes.push(Some(self.clone()));
                slots.bytes.len() - 1
            })
        });
        match index {
            Some(bytes) => BytesRef { bytes }.serialize(s),
            None => Err(S::Error::custom(OUTSIDE)),
        }
    }
}

impl Serialize for Floats {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let index = BUFFERS.with_borrow_mut(|b| {
            b.as_mut().map(|slots| {
                slots.floats.push(Some(self.clone()));
                slots.floats.len() - 1
            })
        });
        match index {
            Some(floats) => FloatsRef { floats }.serialize(s),
            None => Err(S::Error::custom(OUTSIDE)),
        }
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let BytesRef { bytes: index } = BytesRef::deserialize(d)?;
        BUFFERS
            .with_borrow_mut(|b| {
                match b.as_mut() {
                None => Err(OUTSIDE.to_string()),
                Some(slots) => slots.bytes.get_mut(index).and_then(Option::take).ok_or_else(|| {
                    format!(
                        "it refers to byte buffer {index}, which did not come with it (or twice)"
                    )
                }),
            }
            })
            .map_err(D::Error::custom)
    }
}

impl<'de> Deserialize<'de> for Floats {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let FloatsRef { floats: index } = FloatsRef::deserialize(d)?;
        BUFFERS
            .with_borrow_mut(|b| match b.as_mut() {
                None => Err(OUTSIDE.to_string()),
                Some(slots) => slots.floats.get_mut(index).and_then(Option::take).ok_or_else(|| {
                    format!("it refers to float buffer {index}, which did not come with it (or twice)")
                }),
            })
            .map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    enum Message {
        Plain {
            n: u32,
        },
        Data {
            name: String,
            pixels: Bytes,
            weights: Floats,
            extra: Option<Bytes>,
        },
    }

    fn data() -> Message {
        Message::Data {
            name: "x".into(),
            pixels: vec![1, 2, 3].into(),
            weights: vec![0.5, -1.0].into(),
            extra: Some(vec![9].into()),
        }
    }

    #[test]
    fn buffers_travel_beside_the_json_by_name() {
        let envelope = encode(&data()).unwrap();
        assert_eq!(
            envelope.json,
            r#"{"Data":{"name":"x","pixels":{"bytes":0},"weights":{"floats":0},"extra":{"bytes":1}}}"#
        );
        assert_eq!(envelope.bytes.len(), 2);
        assert_eq!(envelope.floats[0].as_slice(), [0.5, -1.0]);
        assert_eq!(decode::<Message>(envelope).unwrap(), data());
        let plain = encode(&Message::Plain { n: 4 }).unwrap();
        assert!(plain.bytes.is_empty() && plain.floats.is_empty());
        assert_eq!(decode::<Message>(plain).unwrap(), Message::Plain { n: 4 });
    }

    #[test]
    fn encoding_shares_the_buffers_instead_of_copying_them() {
        let pixels = Bytes::from(vec![7; 1000]);
        let msg = Message::Data {
            name: String::new(),
            pixels: pixels.clone(),
            weights: Floats::default(),
            extra: None,
        };
        let envelope = encode(&msg).unwrap();
        assert!(Rc::ptr_eq(&envelope.bytes[0].0, &pixels.0));
    }

    #[test]
    fn a_missing_or_reused_buffer_is_an_error_naming_it() {
        let mut envelope = encode(&data()).unwrap();
        envelope.bytes.truncate(1);
        let err = decode::<Message>(envelope).unwrap_err();
        assert!(err.contains("byte buffer 1"), "{err}");
        let twice = Envelope {
            json: r#"{"Data":{"name":"x","pixels":{"bytes":0},"weights":{"floats":0},"extra":{"bytes":0}}}"#.into(),
            bytes: vec![vec![1].into()],
            floats: vec![vec![1.0].into()],
        };
        assert!(
            decode::<Message>(twice)
                .unwrap_err()
                .contains("byte buffer 0")
        );
    }

    #[test]
    fn buffers_cannot_be_written_outside_the_codec() {
        let err = serde_json::to_string(&data()).unwrap_err().to_string();
        assert!(err.contains("protocol::codec"), "{err}");
        assert!(serde_json::from_str::<Bytes>(r#"{"bytes":0}"#).is_err());
        // The codec still works after a failed use outside it.
        assert_eq!(decode::<Message>(encode(&data()).unwrap()).unwrap(), data());
    }

    #[test]
    fn debug_output_names_sizes_not_contents() {
        assert_eq!(format!("{:?}", Bytes::from(vec![0; 5])), "Bytes(5 bytes)");
        assert_eq!(
            format!("{:?}", Floats::from(vec![0.0; 3])),
            "Floats(3 values)"
        );
    }
}

//! A generic view of any decoded value, by field name.
//!
//! Tests compare it with the field values recorded in the packet captures, and tools can
//! print it; it is not used on the hot path.

/// A decoded value as a tree of named fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Any EO number, or an enum's raw value.
    Int(i64),
    Bool(bool),
    Str(String),
    /// A blob or an array of raw bytes.
    Bytes(Vec<u8>),
    /// An array of anything else.
    Array(Vec<Value>),
    /// A struct or packet: its fields in wire order. Length fields are not listed (they are
    /// derived); named constant fields are.
    Struct(Vec<(&'static str, Value)>),
    /// An optional field or switch data that is not present.
    Absent,
}

impl Value {
    /// The field of a struct value with this name.
    #[must_use]
    pub fn field(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Struct(fields) => fields.iter().find(|(n, _)| *n == name).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Anything that can show itself as a [`Value`].
pub trait Reflect {
    fn reflect(&self) -> Value;
}

//! The two declarative macros the domain types are made with: ULID
//! newtypes written as their 26-character string, and fieldless enums
//! written as fixed snake_case words. Hand-written because each is a few
//! lines of `impl`s no crate generates with our error type.

/// Defines a ULID newtype that is written as its 26-character string.
macro_rules! ulid_id {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Ulid);

        impl $name {
            /// A fresh id stamped with the current time.
            #[allow(clippy::new_without_default)]
            pub fn new() -> Self {
                $name(Ulid::new())
            }

            /// Wraps an existing ULID.
            pub fn from_ulid(ulid: Ulid) -> Self {
                $name(ulid)
            }

            pub fn as_ulid(&self) -> Ulid {
                self.0
            }

            /// Milliseconds since the Unix epoch encoded in the id.
            pub fn timestamp_ms(&self) -> u64 {
                self.0.timestamp_ms()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = Error;

            fn from_str(s: &str) -> Result<Self> {
                Ulid::from_string(s).map($name).map_err(|err| {
                    Error::invalid_input(format!(
                        "`{s}` is not a valid {}: {err}",
                        $field
                    ))
                    .with_field($field)
                    .with_hint("ids are 26-character ULIDs such as 01J9ZQ3V6T8K2M4N5P7R9S1T3V")
                })
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
                serializer.collect_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

/// Defines a fieldless enum written as fixed snake_case words, with
/// `as_str`, `Display`, `FromStr` (naming the field on error) and serde;
/// `default Variant,` before the words also implements `Default`.
macro_rules! word_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal, default $default:ident, { $($words:tt)* }) => {
        word_enum!($(#[$doc])* $name, $field, { $($words)* });

        impl Default for $name {
            fn default() -> Self {
                $name::$default
            }
        }
    };
    ($(#[$doc:meta])* $name:ident, $field:literal, { $($(#[$vdoc:meta])* $variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $word)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable word stored in databases and sent over the API.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = Error;

            fn from_str(s: &str) -> Result<Self> {
                match s {
                    $($word => Ok($name::$variant),)+
                    other => {
                        let allowed: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                        Err(Error::invalid_input(format!(
                            "`{other}` is not a valid {}",
                            $field
                        ))
                        .with_field($field)
                        .with_hint(format!("use one of: {}", allowed.join(", "))))
                    }
                }
            }
        }
    };
}

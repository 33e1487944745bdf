//! A message not yet rendered: a catalogue key and its arguments, so the words can be chosen
//! late, once the reader's language is known.

use crate::Lang;
use std::borrow::Cow;

/// One argument value.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    /// Text, shown as is.
    Text(String),
    /// A number (Fluent picks plural forms and formats it per language).
    Number(f64),
}

impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(v)
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(v.to_string())
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Arg::Text(v.clone())
    }
}
macro_rules! number_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(v: $t) -> Self {
                Arg::Number(v as f64)
            }
        }
    )*};
}
number_arg!(i32, i64, u32, u64, usize, f32, f64);

/// A catalogue key with its arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// The Fluent message id, e.g. `error-forbidden-scope`.
    pub key: Cow<'static, str>,
    /// Named arguments (`{ $scope }` in the catalogue).
    pub args: Vec<(Cow<'static, str>, Arg)>,
}

impl Message {
    /// A message without arguments.
    pub fn new(key: impl Into<Cow<'static, str>>) -> Self {
        Message { key: key.into(), args: Vec::new() }
    }

    /// Add an argument.
    pub fn arg(mut self, name: impl Into<Cow<'static, str>>, value: impl Into<Arg>) -> Self {
        self.args.push((name.into(), value.into()));
        self
    }

    /// The words in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        crate::render_args(lang, &self.key, &self.args)
    }
}

impl From<&'static str> for Message {
    fn from(key: &'static str) -> Self {
        Message::new(key)
    }
}

//! kefu's message catalogues: every word a person reads, per language, in Fluent files under
//! `locales/<language>/<area>.ftl`. The server renders from them (API errors, lines sent to
//! customers, emails, server-rendered pages); the browser gets one area at a time as JSON
//! (`browser::area_json`), so a page and the server speak from the same catalogue.
//!
//! Adding a language: a `Lang` variant, a `locales/<tag>/` folder with every area translated
//! (the catalogue tests name what is missing), and its name in the user menu.

mod catalogue;
pub mod browser;
mod lang;
mod message;

pub use catalogue::{area_names, has_message, render, render_args, source};
pub use lang::Lang;
pub use message::{Arg, Message};

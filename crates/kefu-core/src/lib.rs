//! The customer-service domain of kefu: shops and their people, customers and identities,
//! conversations and messages, the events every state change produces, and routing.
//!
//! Pure, synchronous decisions live in plain functions (`conversation::state`,
//! `routing::Desk`); the async glue that loads, decides, persists and publishes lives in
//! `inbox`. Persistence is behind the [`store::Store`] trait, implemented by `kefu-store`.

pub mod abuse;
pub mod access;
pub mod analytics;
pub mod routing;
pub mod audit;
pub mod bot;
pub mod bus;
pub mod channels;
pub mod clock;
pub mod conversation;
pub mod csat;
pub mod customer;
pub mod error;
pub mod event;
pub mod ids;
pub mod inbox;
pub mod message;
pub mod onboarding;
pub mod orders;
pub mod outbox;
pub mod prechat;
pub mod quick_phrase;
pub mod search;
pub mod seal;
pub mod settings_version;
pub mod shop;
pub mod store;
pub mod tickets;

pub use error::CoreError;

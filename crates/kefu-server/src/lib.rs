//! The kefu server: configuration, HTTP API, realtime sockets, the embedded web UI, and the
//! CLI behind the `kefu` binary.

pub mod analytics;
pub mod api;
pub mod app;
pub mod auth;
pub mod channels;
pub mod config;
pub mod demo;
pub mod error;
pub mod language;
pub mod metrics;
pub mod onboarding;
pub mod privacy;
pub mod realtime;
pub mod security;
pub mod serve;
pub mod web;
pub mod workers;

//! Integration tests: a real server on an ephemeral port with a real SQLite file, driven
//! over HTTP and WebSocket as the browser and integrations drive it.

mod harness;
mod identity;

mod auth_and_tokens;
mod channels;
mod browser;
mod bad_input;
mod bot;
mod bot_languages;
mod bot_suggestions;
mod crash_recovery;
mod isolation;
mod logs;
mod outbox;
mod privacy;
mod pii_copies;
mod role_sweep;
mod security;
mod round_trip;
mod routing;
mod seats;
mod seats_browser;
mod tickets;
mod workspace;
mod email;
mod delivery_safety;
mod imap;
mod analytics;
mod analytics_browser;
mod hardening;
mod onboarding;
mod onboarding_browser;
mod prechat_browser;
mod shell_browser;
mod settings;
mod settings_browser;
mod history;
mod history_browser;
mod profile;
mod card_browser;
mod handover_browser;
mod handover;

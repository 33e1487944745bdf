//! Routing (路由): which team and priority a conversation gets (rules, VIP by RFM, team
//! hours), and which agent serves it (one desk per shop: capacity, least load, longest idle,
//! stickiness, offers with a timeout, overflow to a backup pool, queue positions).
//!
//! Everything here is synchronous and IO-free; the inbox loads the facts, holds the desk
//! under a lock and commits what the desk decides.

mod config;
mod desk;
mod rfm;
mod rules;
mod seats;
mod trial;

#[cfg(test)]
mod desk_tests;

pub use config::{AgentProfile, BusinessHours, ConfigProblem, Conditions, Rule, RoutingConfig, Team, Timings, VipPolicy, SETTING_KEY};
pub use desk::{Decision, Desk, Seat, Waiting};
pub use rfm::{rfm, Purchase, Rfm};
pub use rules::{matches, route, Facts, Route};
pub use seats::{may_stop_taking_chats, seat_setting_key, SeatChoice, SEAT_SETTING_PREFIX};
pub use trial::{trial, Trial};

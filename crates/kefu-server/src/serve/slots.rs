//! Connection slots: at most `per_ip` connections from one client address (IPv6 grouped by
//! /64, what one subscriber is given) and `total` in all. A slot lives as long as the
//! connection, WebSocket included, and frees itself on drop.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// The counts of one server.
pub struct Slots {
    per_ip: usize,
    total: usize,
    held: Mutex<Held>,
    freed: Notify,
}

#[derive(Default)]
struct Held {
    total: usize,
    by_ip: HashMap<IpAddr, usize>,
}

/// Why a connection got no slot.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// Its address holds `per_ip` already.
    PerIp,
    /// The server holds `total` already.
    Full,
}

/// One held connection.
pub struct Slot {
    slots: Arc<Slots>,
    ip: IpAddr,
}

/// The key a client's connections are counted under.
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
    }
}

impl Slots {
    /// `per_ip` 0 = no per-address cap; `total` at least 1.
    pub fn new(per_ip: usize, total: usize) -> Arc<Self> {
        Arc::new(Slots { per_ip, total: total.max(1), held: Mutex::new(Held::default()), freed: Notify::new() })
    }

    /// Take a slot for a connection from `ip`.
    pub fn take(self: &Arc<Self>, ip: IpAddr) -> Result<Slot, Refused> {
        let ip = client_key(ip);
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        if held.total >= self.total {
            return Err(Refused::Full);
        }
        let mine = held.by_ip.entry(ip).or_default();
        if self.per_ip > 0 && *mine >= self.per_ip {
            return Err(Refused::PerIp);
        }
        *mine += 1;
        held.total += 1;
        Ok(Slot { slots: self.clone(), ip })
    }

    /// Whether every slot is taken.
    pub fn full(&self) -> bool {
        self.held.lock().unwrap_or_else(|p| p.into_inner()).total >= self.total
    }

    /// Resolves once some slot has been freed (after [`full`](Self::full) said true).
    pub async fn wait_for_free(&self) {
        let freed = self.freed.notified();
        if self.full() {
            freed.await;
        }
    }

    /// Connections held now.
    pub fn held(&self) -> usize {
        self.held.lock().unwrap_or_else(|p| p.into_inner()).total
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut held = self.slots.held.lock().unwrap_or_else(|p| p.into_inner());
        held.total = held.total.saturating_sub(1);
        if let Some(n) = held.by_ip.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                held.by_ip.remove(&self.ip);
            }
        }
        drop(held);
        self.slots.freed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_per_address_and_in_total_and_frees_on_drop() {
        let slots = Slots::new(2, 3);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let a1 = slots.take(a).unwrap();
        let _a2 = slots.take(a).unwrap();
        assert_eq!(slots.take(a).err(), Some(Refused::PerIp));
        let _b1 = slots.take(b).unwrap();
        assert_eq!(slots.take(b).err(), Some(Refused::Full));
        drop(a1);
        assert_eq!(slots.held(), 2);
        assert!(slots.take(a).is_ok());
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64_prefix() {
        let slots = Slots::new(1, 10);
        let _one = slots.take("2001:db8:1:2::1".parse().unwrap()).unwrap();
        assert_eq!(slots.take("2001:db8:1:2::ffff".parse().unwrap()).err(), Some(Refused::PerIp));
        assert!(slots.take("2001:db8:1:3::1".parse().unwrap()).is_ok());
        let slots = Slots::new(0, 10);
        for _ in 0..5 {
            std::mem::forget(slots.take("10.0.0.1".parse().unwrap()).unwrap());
        }
        assert_eq!(slots.held(), 5, "0 = no per-address cap");
    }
}

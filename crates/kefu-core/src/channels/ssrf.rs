//! Which addresses kefu may post callbacks and webhooks to. A shop admin types the URL, so
//! without a check kefu could be made to call its own admin endpoints, the cloud metadata
//! service or anything else on the private network (SSRF). The server resolves the host and
//! refuses when any address is not public (unless configured to allow private targets).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether `ip` is an address on the public internet: not loopback, private (RFC 1918,
/// unique-local), link-local (cloud metadata lives there), CGNAT, unspecified, multicast,
/// broadcast, documentation or benchmarking ranges; IPv4-mapped IPv6 is judged as IPv4.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64.0.0/10
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
        || first == 0x2001 && ip.segments()[1] == 0x0db8 // documentation
        || first == 0x0064 && ip.segments()[1] == 0xff9b) // NAT64 can reach private IPv4
}

/// The host of an http(s) URL (brackets removed from IPv6 literals) and its port.
pub fn host_and_port(url: &str) -> Option<(String, u16)> {
    let (rest, default_port) = match url.strip_prefix("https://") {
        Some(r) => (r, 443),
        None => (url.strip_prefix("http://")?, 80),
    };
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None if after.is_empty() => default_port,
            None => return None,
        };
        return Some((host.to_string(), port));
    }
    match authority.rsplit_once(':') {
        Some((h, p)) => Some((h.to_string(), p.parse().ok()?)),
        None => Some((authority.to_string(), default_port)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_public_addresses() {
        for bad in ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0", "100.64.0.1", "::1", "::", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "255.255.255.255", "224.0.0.1"] {
            assert!(!is_public(bad.parse().expect("ip")), "{bad}");
        }
        for good in ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "203.0.114.1"] {
            assert!(is_public(good.parse().expect("ip")), "{good}");
        }
    }

    #[test]
    fn hosts() {
        assert_eq!(host_and_port("https://open.example.com/cb?x=1"), Some(("open.example.com".into(), 443)));
        assert_eq!(host_and_port("http://127.0.0.1:9000/cb"), Some(("127.0.0.1".into(), 9000)));
        assert_eq!(host_and_port("http://[::1]:8080/x"), Some(("::1".into(), 8080)));
        assert_eq!(host_and_port("http://[::1]/x"), Some(("::1".into(), 80)));
        assert_eq!(host_and_port("ftp://x"), None);
        assert_eq!(host_and_port("http://u@h/"), None);
    }
}

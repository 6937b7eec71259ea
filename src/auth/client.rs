//! The client's address: the peer of the connection, or, behind proxies we trust, the address
//! they say they forwarded the request for (`X-Forwarded-For`). Sign-in limits count IPv6
//! clients by their /64, the block one subscriber usually holds.

use std::net::IpAddr;

use ipnet::{IpNet, Ipv6Net};

/// Most entries of `X-Forwarded-For` read; a longer chain is cut there.
pub const MAX_FORWARDED_HOPS: usize = 32;

/// Proxies whose `X-Forwarded-For` is believed. Empty by default: the header is ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses a list of addresses and CIDR blocks separated by commas or spaces
    /// (`10.0.0.0/8, 192.0.2.7, fd00::/8`).
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.parse::<IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                    .map(|net| net.trunc())
                    .map_err(|_| format!("{item:?} is neither an IP address nor a CIDR block"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address. The peer, unless it is a trusted proxy: then the rightmost
    /// `X-Forwarded-For` entry that is not itself a trusted proxy (entries further left were
    /// written by whoever the first untrusted hop was, and prove nothing). When every entry is
    /// trusted, the leftmost; when an entry is not an address, the last trusted hop before it.
    /// `forwarded_for` holds the header's values in the order they came.
    pub fn client_address<'a>(
        &self,
        peer: IpAddr,
        forwarded_for: impl IntoIterator<Item = &'a str>,
    ) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.contains(client) {
            return client;
        }
        let hops: Vec<&str> = forwarded_for
            .into_iter()
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect();
        for hop in hops.iter().rev().take(MAX_FORWARDED_HOPS) {
            let Ok(ip) = hop.parse::<IpAddr>() else {
                break;
            };
            client = ip.to_canonical();
            if !self.contains(client) {
                break;
            }
        }
        client
    }
}

/// What sign-in limits count an address as: an IPv4 address itself, an IPv6 address's /64.
pub fn limit_group(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => Ipv6Net::new(v6, 64)
            .map(|net| net.trunc().to_string())
            .unwrap_or_else(|_| v6.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64_and_ipv4_ones_alone() {
        assert_eq!(limit_group(ip("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
        assert_eq!(
            limit_group(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")),
            limit_group(ip("2001:db8:1:2::7"))
        );
        assert_ne!(
            limit_group(ip("2001:db8:1:2::7")),
            limit_group(ip("2001:db8:1:3::7"))
        );
        assert_eq!(limit_group(ip("203.0.113.9")), "203.0.113.9");
        assert_ne!(
            limit_group(ip("203.0.113.9")),
            limit_group(ip("203.0.113.10"))
        );
        // An IPv4 client seen through an IPv6 socket is the IPv4 client.
        assert_eq!(limit_group(ip("::ffff:203.0.113.9")), "203.0.113.9");
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, 192.0.2.7 fd00::/8").unwrap();
        let client =
            |peer: &str, header: &[&str]| proxies.client_address(ip(peer), header.iter().copied());
        // Not from a proxy: the header is whatever the client wrote.
        assert_eq!(client("198.51.100.1", &["203.0.113.9"]), ip("198.51.100.1"));
        // From a proxy: the rightmost entry that is not a proxy.
        assert_eq!(client("192.0.2.7", &["203.0.113.9"]), ip("203.0.113.9"));
        assert_eq!(
            client("10.1.1.1", &["6.6.6.6, 203.0.113.9, 10.2.2.2"]),
            ip("203.0.113.9"),
            "an address the client made up, left of the real one, is ignored"
        );
        assert_eq!(
            client("10.1.1.1", &["6.6.6.6", "203.0.113.9, 10.2.2.2"]),
            ip("203.0.113.9"),
            "several headers read as one list"
        );
        assert_eq!(client("10.1.1.1", &[]), ip("10.1.1.1"), "no header");
        assert_eq!(client("10.1.1.1", &["10.3.3.3, 10.2.2.2"]), ip("10.3.3.3"));
        assert_eq!(
            client("10.1.1.1", &["203.0.113.9, not-an-address, 10.2.2.2"]),
            ip("10.2.2.2")
        );
        assert_eq!(
            client("fd00::1", &["2001:db8::5"]),
            ip("2001:db8::5"),
            "IPv6 proxies too"
        );
        assert_eq!(
            client("::ffff:10.1.1.1", &["203.0.113.9"]),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn a_proxy_list_that_is_not_addresses_is_refused() {
        assert!(TrustedProxies::parse("10.0.0.0/8, proxy.example.org").is_err());
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert_eq!(
            TrustedProxies::parse("").unwrap(),
            TrustedProxies::default()
        );
        assert!(
            TrustedProxies::parse("10.1.2.3/8")
                .unwrap()
                .contains(ip("10.200.0.1"))
        );
    }
}

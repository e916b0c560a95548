//! Where image downloads may go. An `image_url` is chosen by whoever writes the request, and the
//! gateway fetches it from the user's own machine, so without a check a request could make the
//! gateway reach this machine's loopback services, the LAN or cloud metadata addresses (SSRF).
//!
//! The check sits where it cannot be raced: the image client resolves host names itself
//! ([`GuardedResolver`]) and hands only checked addresses to the connector, so a DNS answer that
//! changes between a check and the connect (DNS rebinding) cannot slip through. URLs with a literal
//! IP address never reach a resolver, so they are checked before the request and on every redirect
//! ([`redirect_policy`]).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// How many redirects an image download follows.
const MAX_REDIRECTS: usize = 5;

/// Which destinations image downloads may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostPolicy {
    /// Only globally routable addresses (the default).
    PublicOnly,
    /// Also this machine and the LAN (loopback, private, link-local, unique-local, CGNAT), for
    /// users who serve images from their own network (`images.allow_private_hosts`).
    AllowPrivate,
}

impl HostPolicy {
    /// Whether a connection to `ip` is allowed.
    pub fn allows(self, ip: IpAddr) -> bool {
        match classify(ip) {
            Class::Public => true,
            Class::Private => self == Self::AllowPrivate,
            Class::Never => false,
        }
    }

    /// Whether `url` names a literal IP address this policy refuses (host names are checked when
    /// they are resolved).
    pub fn refuses_literal(self, url: &reqwest::Url) -> bool {
        let Some(host) = bare_host(url) else {
            return true;
        };
        host.parse::<IpAddr>().is_ok_and(|ip| !self.allows(ip))
    }

    /// Resolves `host` here: the addresses this policy allows, and whether any was refused. The
    /// one place that filters resolved addresses, for the guarded resolver and [`check_host`].
    async fn resolve(self, host: &str, port: u16) -> std::io::Result<(Vec<SocketAddr>, bool)> {
        let (allowed, refused): (Vec<SocketAddr>, Vec<SocketAddr>) = tokio::net::lookup_host((host, port))
            .await?
            .partition(|addr| self.allows(addr.ip()));
        Ok((allowed, !refused.is_empty()))
    }
}

/// `url`'s host, IPv6 without its brackets. The URL parser has already normalised numeric forms
/// (`2130706433`, `0x7f.1`) to dotted IPv4.
fn bare_host(url: &reqwest::Url) -> Option<&str> {
    url.host_str()
        .map(|host| host.trim_start_matches('[').trim_end_matches(']'))
}

/// Why an address is or is not reachable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Globally routable.
    Public,
    /// This machine or a local network: allowed only with [`HostPolicy::AllowPrivate`].
    Private,
    /// Never a valid image host (unspecified, broadcast, multicast, documentation, reserved).
    Never,
}

fn classify(ip: IpAddr) -> Class {
    match ip {
        IpAddr::V4(ip) => classify_v4(ip),
        IpAddr::V6(ip) => classify_v6(ip),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Class {
    let [a, b, c, _] = ip.octets();
    let cgnat = a == 100 && (64..128).contains(&b);
    if ip.is_loopback() || ip.is_private() || ip.is_link_local() || cgnat {
        return Class::Private;
    }
    let this_network = a == 0;
    let ietf_protocol = a == 192 && b == 0 && c == 0;
    let benchmarking = a == 198 && (b == 18 || b == 19);
    let reserved = a >= 240;
    if this_network
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || ietf_protocol
        || benchmarking
        || reserved
    {
        return Class::Never;
    }
    Class::Public
}

fn classify_v6(ip: Ipv6Addr) -> Class {
    // IPv4 addresses written as IPv6 (mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`, 6to4
    // `2002:aabb:ccdd::`) reach the IPv4 address they embed.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    let segments = ip.segments();
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [.., hi, lo] = segments;
        return classify_v4(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo)));
    }
    if segments[0] == 0x2002 {
        return classify_v4(Ipv4Addr::from(
            (u32::from(segments[1]) << 16) | u32::from(segments[2]),
        ));
    }
    let unique_local = segments[0] & 0xfe00 == 0xfc00;
    let link_local = segments[0] & 0xffc0 == 0xfe80;
    let site_local = segments[0] & 0xffc0 == 0xfec0;
    if ip.is_loopback() || unique_local || link_local || site_local {
        return Class::Private;
    }
    let documentation = segments[0] == 0x2001 && segments[1] == 0x0db8;
    // `::/96` (IPv4-compatible, deprecated) and the rest of `::/8` are not routable.
    let reserved = segments[0] & 0xff00 == 0;
    if ip.is_unspecified() || ip.is_multicast() || documentation || reserved {
        return Class::Never;
    }
    Class::Public
}

/// The error a refused destination produces inside reqwest; callers only see "could not use this
/// image URL".
#[derive(Debug, thiserror::Error)]
#[error("the image host is not allowed")]
pub(super) struct RefusedHost;

/// A resolver that returns only the addresses `policy` allows, and fails when none is left.
#[derive(Debug)]
struct GuardedResolver {
    policy: HostPolicy,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let (allowed, _) = policy.resolve(&host, 0).await?;
            if allowed.is_empty() {
                return Err(Box::new(RefusedHost) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// Follows up to [`MAX_REDIRECTS`] redirects, refusing any to a literal address the policy does not
/// allow (named hosts go through the [`GuardedResolver`] on connect).
fn redirect_policy(policy: HostPolicy) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error("too many redirects")
        } else if policy.refuses_literal(attempt.url()) {
            attempt.error(RefusedHost)
        } else {
            attempt.follow()
        }
    })
}

/// The HTTP client for image downloads under `policy`, through `proxy` when one is given. Without
/// a proxy it never uses one from the environment either: a proxy resolves the image host itself,
/// which would bypass the guarded resolver (proxied downloads are checked by [`check_host`]).
pub fn client(policy: HostPolicy, proxy: Option<&reqwest::Proxy>) -> reqwest::Result<reqwest::Client> {
    let builder = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .dns_resolver(Arc::new(GuardedResolver { policy }))
        .redirect(redirect_policy(policy));
    match proxy {
        Some(proxy) => builder.proxy(proxy.clone()),
        None => builder.no_proxy(),
    }
    .build()
}

/// Checks the addresses `url`'s host resolves to here, for downloads that go through a proxy (the
/// proxy connects, so the guarded resolver never sees the name). Every address must be allowed; a
/// name that does not resolve here is refused too, since nothing could be checked.
pub(super) async fn check_host(policy: HostPolicy, url: &reqwest::Url) -> Result<(), RefusedHost> {
    let Some(host) = bare_host(url) else {
        return Err(RefusedHost);
    };
    if let Ok(ip) = host.parse::<IpAddr>() {
        return if policy.allows(ip) {
            Ok(())
        } else {
            Err(RefusedHost)
        };
    }
    let port = url.port_or_known_default().unwrap_or(443);
    match policy.resolve(host, port).await {
        Ok((allowed, false)) if !allowed.is_empty() => Ok(()),
        _ => Err(RefusedHost),
    }
}

/// The two image clients, one per policy, so a change of `images.allow_private_hosts` applies to
/// the next request without rebuilding anything. A change of the upstream proxy builds new ones.
#[derive(Debug, Clone)]
pub struct ImageClients {
    public_only: reqwest::Client,
    allow_private: reqwest::Client,
    proxied: bool,
}

impl ImageClients {
    /// Both clients, connecting directly.
    pub fn new() -> reqwest::Result<Self> {
        Self::with_proxy(None)
    }

    /// Both clients, through `proxy` when one is given (the upstream proxy setting: image downloads
    /// take the same way out as the upstream calls).
    pub fn with_proxy(proxy: Option<reqwest::Proxy>) -> reqwest::Result<Self> {
        Ok(Self {
            public_only: client(HostPolicy::PublicOnly, proxy.as_ref())?,
            allow_private: client(HostPolicy::AllowPrivate, proxy.as_ref())?,
            proxied: proxy.is_some(),
        })
    }

    /// The client and its policy for the current setting.
    pub fn for_setting(&self, allow_private_hosts: bool) -> (&reqwest::Client, HostPolicy) {
        if allow_private_hosts {
            (&self.allow_private, HostPolicy::AllowPrivate)
        } else {
            (&self.public_only, HostPolicy::PublicOnly)
        }
    }

    /// Whether downloads go through a proxy (and so need [`check_host`] before sending).
    pub fn proxied(&self) -> bool {
        self.proxied
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(policy: HostPolicy, ip: &str) -> bool {
        policy.allows(ip.parse().expect("ip"))
    }

    #[test]
    fn only_global_addresses_are_allowed_by_default() {
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "100.128.0.1"] {
            assert!(allowed(HostPolicy::PublicOnly, ip), "{ip}");
        }
        for ip in [
            "127.0.0.1",
            "127.9.9.9",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "0.1.2.3",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.1",
            "198.51.100.1",
            "203.0.113.9",
            "198.18.0.1",
            "240.0.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::ffff:169.254.169.254",
            "64:ff9b::7f00:1",
            "2002:7f00:1::",
            "::127.0.0.1",
        ] {
            assert!(!allowed(HostPolicy::PublicOnly, ip), "{ip}");
        }
    }

    #[test]
    fn the_lan_setting_allows_local_networks_but_not_nonsense() {
        for ip in [
            "127.0.0.1",
            "192.168.1.1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(allowed(HostPolicy::AllowPrivate, ip), "{ip}");
        }
        for ip in ["0.0.0.0", "::", "255.255.255.255", "224.0.0.1", "2001:db8::1"] {
            assert!(!allowed(HostPolicy::AllowPrivate, ip), "{ip}");
        }
    }

    #[test]
    fn literal_hosts_are_checked_and_names_are_left_to_the_resolver() {
        let url = |raw: &str| reqwest::Url::parse(raw).expect("url");
        assert!(HostPolicy::PublicOnly.refuses_literal(&url("http://127.0.0.1:9/x.png")));
        assert!(HostPolicy::PublicOnly.refuses_literal(&url("http://[::ffff:7f00:1]/x.png")));
        assert!(HostPolicy::PublicOnly.refuses_literal(&url("http://2130706433/x.png")));
        assert!(!HostPolicy::PublicOnly.refuses_literal(&url("http://localhost/x.png")));
        assert!(!HostPolicy::AllowPrivate.refuses_literal(&url("http://127.0.0.1/x.png")));
    }
}

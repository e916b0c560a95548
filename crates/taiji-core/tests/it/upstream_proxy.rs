//! The upstream proxy: every upstream call goes through an HTTP (forward and CONNECT) or SOCKS5 proxy
//! when one is set, "check connection" reports whether the site answers through it, and proxy
//! credentials never show. The proxies are minimal ones written here on loopback, counting the
//! connections they forwarded to the simulator.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use taiji_core::credentials::BackendChoice;
use taiji_core::runtime::{Core, CoreOptions, SettingsOverrides};
use taiji_sim::{DEMO_ACCOUNT, DEMO_PASSWORD, SimConfig, Simulator};
use tokio::io::{AsyncReadExt, AsyncWriteExt, copy_bidirectional};
use tokio::net::{TcpListener, TcpStream};

/// A running test proxy: its URL and how many connections it forwarded.
struct TestProxy {
    addr: SocketAddr,
    forwarded: Arc<AtomicUsize>,
}

impl TestProxy {
    fn count(&self) -> usize {
        self.forwarded.load(Ordering::SeqCst)
    }
}

/// Listens on loopback and runs `handle` on every connection, with the proxy's count of forwarded
/// connections.
async fn spawn_proxy<F, Fut>(handle: F) -> TestProxy
where
    F: Fn(TcpStream, Arc<AtomicUsize>) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let forwarded = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&forwarded);
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            tokio::spawn(handle(client, Arc::clone(&count)));
        }
    });
    TestProxy { addr, forwarded }
}

/// An HTTP proxy: `CONNECT host:port` tunnels, and absolute-form requests (`GET http://host/…`) are
/// forwarded as they are (hyper accepts the absolute form).
async fn http_proxy() -> TestProxy {
    spawn_proxy(|mut client, count| async move {
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            if client.read(&mut byte).await.unwrap_or(0) == 0 {
                return;
            }
            head.push(byte[0]);
        }
        let text = String::from_utf8_lossy(&head).into_owned();
        let mut parts = text.split_whitespace();
        let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let authority = if method == "CONNECT" {
            target.to_owned()
        } else {
            let rest = target.trim_start_matches("http://");
            rest.split('/').next().unwrap_or("").to_owned()
        };
        let Ok(mut upstream) = TcpStream::connect(&authority).await else {
            let _ = client
                .write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
                .await;
            return;
        };
        count.fetch_add(1, Ordering::SeqCst);
        if method == "CONNECT" {
            let _ = client
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .await;
        } else if upstream.write_all(&head).await.is_err() {
            return;
        }
        let _ = copy_bidirectional(&mut client, &mut upstream).await;
    })
    .await
}

/// A SOCKS5 proxy (RFC 1928) with optional username/password authentication (RFC 1929).
async fn socks5_proxy(credentials: Option<(&'static str, &'static str)>) -> TestProxy {
    spawn_proxy(move |mut client, count| async move {
        if let Some(upstream) = socks5_handshake(&mut client, credentials).await {
            count.fetch_add(1, Ordering::SeqCst);
            let mut upstream = upstream;
            let _ = copy_bidirectional(&mut client, &mut upstream).await;
        }
    })
    .await
}

async fn socks5_handshake(client: &mut TcpStream, credentials: Option<(&str, &str)>) -> Option<TcpStream> {
    let mut greeting = [0u8; 2];
    client.read_exact(&mut greeting).await.ok()?;
    let mut methods = vec![0u8; usize::from(greeting[1])];
    client.read_exact(&mut methods).await.ok()?;
    if greeting[0] != 5 {
        return None;
    }
    match credentials {
        None if methods.contains(&0) => client.write_all(&[5, 0]).await.ok()?,
        Some((user, pass)) if methods.contains(&2) => {
            client.write_all(&[5, 2]).await.ok()?;
            let mut version_and_len = [0u8; 2];
            client.read_exact(&mut version_and_len).await.ok()?;
            let mut name = vec![0u8; usize::from(version_and_len[1])];
            client.read_exact(&mut name).await.ok()?;
            let mut len = [0u8; 1];
            client.read_exact(&mut len).await.ok()?;
            let mut password = vec![0u8; usize::from(len[0])];
            client.read_exact(&mut password).await.ok()?;
            let ok = name == user.as_bytes() && password == pass.as_bytes();
            client.write_all(&[1, if ok { 0 } else { 1 }]).await.ok()?;
            if !ok {
                return None;
            }
        }
        _ => {
            client.write_all(&[5, 0xff]).await.ok()?;
            return None;
        }
    }
    let mut request = [0u8; 4];
    client.read_exact(&mut request).await.ok()?;
    let host = match request[3] {
        1 => {
            let mut ip = [0u8; 4];
            client.read_exact(&mut ip).await.ok()?;
            std::net::Ipv4Addr::from(ip).to_string()
        }
        3 => {
            let mut len = [0u8; 1];
            client.read_exact(&mut len).await.ok()?;
            let mut name = vec![0u8; usize::from(len[0])];
            client.read_exact(&mut name).await.ok()?;
            String::from_utf8(name).ok()?
        }
        _ => return None,
    };
    let mut port = [0u8; 2];
    client.read_exact(&mut port).await.ok()?;
    let upstream = TcpStream::connect((host.as_str(), u16::from_be_bytes(port)))
        .await
        .ok()?;
    client.write_all(&[5, 0, 0, 1, 0, 0, 0, 0, 0, 0]).await.ok()?;
    Some(upstream)
}

async fn core_through(sim: &Simulator, proxy: &str, dir: &std::path::Path) -> Core {
    Core::open(CoreOptions {
        data_dir: dir.to_owned(),
        credential_backend: BackendChoice::File,
        overrides: SettingsOverrides {
            upstream_base_url: Some(sim.base_url().to_owned()),
            upstream_proxy: Some(proxy.to_owned()),
            ..SettingsOverrides::default()
        },
        demo: false,
    })
    .await
    .expect("core opens")
}

/// Signs in and lists the catalog through `proxy`; returns the core.
async fn use_through(sim: &Simulator, proxy: &str, dir: &std::path::Path) -> Core {
    let core = core_through(sim, proxy, dir).await;
    core.check_connection()
        .await
        .expect("the site answers through the proxy");
    core.login(DEMO_ACCOUNT, DEMO_PASSWORD)
        .await
        .expect("login through the proxy");
    assert!(
        !core
            .catalog()
            .await
            .expect("catalog through the proxy")
            .models
            .is_empty()
    );
    core
}

#[tokio::test]
async fn every_upstream_call_goes_through_an_http_proxy() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let proxy = http_proxy().await;
    let dir = tempfile::tempdir().unwrap();
    let core = use_through(&sim, &format!("http://{}", proxy.addr), dir.path()).await;
    assert!(proxy.count() >= 1, "nothing went through the proxy");
    assert_eq!(sim.control().stats().logins_ok, 1);
    core.shutdown(Duration::from_secs(5)).await;

    // Turned off, the same calls go direct and the proxy sees nothing more.
    let before = proxy.count();
    let dir = tempfile::tempdir().unwrap();
    let direct = use_through(&sim, "off", dir.path()).await;
    assert_eq!(proxy.count(), before);
    assert_eq!(sim.control().stats().logins_ok, 2);
    direct.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn every_upstream_call_goes_through_a_socks5_proxy_with_credentials_kept_secret() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let proxy = socks5_proxy(Some(("alice", "pr0xy-s3cret"))).await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("socks5://alice:pr0xy-s3cret@{}", proxy.addr);
    let core = use_through(&sim, &url, dir.path()).await;
    assert!(proxy.count() >= 1, "nothing went through the proxy");

    let status = serde_json::to_string(&core.status()).unwrap();
    assert!(!status.contains("pr0xy-s3cret"), "{status}");
    assert!(
        status.contains(&format!("socks5://***:***@{}", proxy.addr)),
        "{status}"
    );
    core.shutdown(Duration::from_secs(5)).await;

    // A wrong password is refused by the proxy: the check says so, and nothing reaches the site.
    let dir = tempfile::tempdir().unwrap();
    let wrong = core_through(&sim, &format!("socks5://alice:wrong@{}", proxy.addr), dir.path()).await;
    let error = wrong.check_connection().await.expect_err("the proxy refuses");
    assert!(!error.to_string().contains("wrong@"), "{error}");
    assert_eq!(sim.control().stats().logins_ok, 1);
    wrong.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn check_connection_reports_a_dead_proxy() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead = listener.local_addr().unwrap();
    drop(listener);
    let dir = tempfile::tempdir().unwrap();
    let core = core_through(&sim, &format!("http://{dead}"), dir.path()).await;
    assert!(core.check_connection().await.is_err());
    assert!(core.login(DEMO_ACCOUNT, DEMO_PASSWORD).await.is_err());
    assert_eq!(sim.control().stats().logins_ok, 0);
    core.shutdown(Duration::from_secs(5)).await;
}

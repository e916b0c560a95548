//! The account's catalog, cached with a time to live: single-flight refresh, stale-while-refresh
//! and stale-while-error, so model lists and resolution do not ask the upstream on every request,
//! and a request never waits for a refresh of a catalog that merely aged.

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::time::Instant;

use crate::model::Catalog;

/// How long a fetched catalog is served before it is fetched again.
pub const DEFAULT_CATALOG_TTL: Duration = Duration::from_secs(5 * 60);

/// After a failed refresh, how long the stale catalog is served before the next attempt (so an
/// unreachable upstream is not asked on every request).
const RETRY_AFTER_ERROR: Duration = Duration::from_secs(30);

/// The account's catalog, cached with a time to live.
///
/// - Concurrent callers that find it expired share one refresh (single flight): the others wait
///   for it and then use its result.
/// - Stale while refresh: a catalog that only outlived its time to live can be served at once
///   while one caller refreshes it in the background ([`CatalogCache::cached`]); the
///   refresh is a full upstream round trip, which every request arriving then would otherwise
///   wait for, every few minutes. An invalidated catalog (another account or site) is never served
///   that way.
/// - Stale while error: when a refresh fails and an older catalog exists, the older catalog is
///   returned (the error is logged) and the next attempt is made after 30 s at most. Without an
///   older catalog the error is returned.
#[derive(Debug)]
pub struct CatalogCache {
    ttl: Duration,
    entry: Mutex<Option<Entry>>,
    /// Held while a refresh runs; its holders are the single flight.
    refreshing: Arc<tokio::sync::Mutex<()>>,
}

#[derive(Debug, Clone)]
struct Entry {
    catalog: Arc<Catalog>,
    refresh_at: Instant,
    /// False once invalidated: the catalog may belong to another account or site, so it is served
    /// only when a refresh fails (stale while error), never while one runs.
    current: bool,
}

/// What [`CatalogCache::cached`] found.
#[derive(Debug)]
pub enum Cached {
    /// Within its time to live.
    Fresh(Arc<Catalog>),
    /// Past its time to live only: to be served while it is refreshed; with the right to refresh
    /// it when no refresh is running yet.
    Aged(Arc<Catalog>, Option<RefreshFlight>),
    /// Nothing cached, or an invalidated catalog: callers wait for a fetch.
    Missing,
}

/// The right to refresh the catalog: held by the one caller that fetches (single flight).
#[derive(Debug)]
pub struct RefreshFlight {
    /// Released when the refresh ends.
    _held: tokio::sync::OwnedMutexGuard<()>,
}

impl Default for CatalogCache {
    fn default() -> Self {
        Self::new(DEFAULT_CATALOG_TTL)
    }
}

impl CatalogCache {
    /// An empty cache whose entries live for `ttl`.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entry: Mutex::new(None),
            refreshing: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// The cached catalog, fresh or stale, without fetching.
    pub fn peek(&self) -> Option<Arc<Catalog>> {
        self.lock().as_ref().map(|entry| Arc::clone(&entry.catalog))
    }

    /// Marks the cached catalog as expired; the next [`CatalogCache::get_or_refresh`] fetches.
    /// The old catalog is kept for the stale-while-error rule.
    pub fn invalidate(&self) {
        if let Some(entry) = self.lock().as_mut() {
            entry.refresh_at = Instant::now();
            entry.current = false;
        }
    }

    /// Stores a catalog obtained elsewhere (for example right after login).
    pub fn put(&self, catalog: Catalog) -> Arc<Catalog> {
        let catalog = Arc::new(catalog);
        *self.lock() = Some(Entry {
            catalog: Arc::clone(&catalog),
            refresh_at: Instant::now() + self.ttl,
            current: true,
        });
        catalog
    }

    /// What the cache holds, in one look: a fresh catalog; one that only outlived its time to live,
    /// to be served while it is refreshed, with the [`RefreshFlight`] when no refresh is running
    /// yet (its holder should pass it to [`CatalogCache::refresh`], in the background); or nothing
    /// to serve without fetching (missing or invalidated: [`CatalogCache::get_or_refresh`]).
    pub fn cached(&self) -> Cached {
        let found = self.lock().as_ref().map(|entry| {
            let aged = Instant::now() >= entry.refresh_at;
            (Arc::clone(&entry.catalog), aged, entry.current)
        });
        match found {
            Some((catalog, false, _)) => Cached::Fresh(catalog),
            Some((catalog, true, true)) => {
                let flight = Arc::clone(&self.refreshing)
                    .try_lock_owned()
                    .ok()
                    .map(|held| RefreshFlight { _held: held });
                Cached::Aged(catalog, flight)
            }
            Some((_, true, false)) | None => Cached::Missing,
        }
    }

    /// Fetches the catalog under `flight` (see [`CatalogCache::cached`]) and caches it,
    /// unless a refresh finished meanwhile; a failure keeps the stale catalog (stale while error).
    pub async fn refresh<F, E>(&self, flight: RefreshFlight, fetch: F)
    where
        F: Future<Output = Result<Catalog, E>>,
        E: std::fmt::Display,
    {
        let _flight = flight;
        if self.fresh().is_some() {
            return;
        }
        // With a stale catalog present the error never surfaces: there is nobody waiting for it.
        let _ = self.store_fetched(fetch.await);
    }

    /// The cached catalog if fresh; otherwise runs `fetch` (unless a concurrent caller just did)
    /// and caches its result. `fetch` is not polled at all when the cache is fresh.
    pub async fn get_or_refresh<F, E>(&self, fetch: F) -> Result<Arc<Catalog>, E>
    where
        F: Future<Output = Result<Catalog, E>>,
        E: std::fmt::Display,
    {
        if let Some(catalog) = self.fresh() {
            return Ok(catalog);
        }
        let _flight = self.refreshing.lock().await;
        // Someone else may have refreshed while we waited for the flight.
        if let Some(catalog) = self.fresh() {
            return Ok(catalog);
        }
        self.store_fetched(fetch.await)
    }

    /// Caches a fetched catalog; on an error serves the stale one if any (and retries later).
    fn store_fetched<E: std::fmt::Display>(&self, fetched: Result<Catalog, E>) -> Result<Arc<Catalog>, E> {
        match fetched {
            Ok(catalog) => Ok(self.put(catalog)),
            Err(error) => {
                let mut entry = self.lock();
                match entry.as_mut() {
                    Some(stale) => {
                        tracing::warn!(%error, "model list refresh failed; serving the previous list");
                        stale.refresh_at = Instant::now() + RETRY_AFTER_ERROR.min(self.ttl);
                        Ok(Arc::clone(&stale.catalog))
                    }
                    None => Err(error),
                }
            }
        }
    }

    fn fresh(&self) -> Option<Arc<Catalog>> {
        self.lock()
            .as_ref()
            .filter(|entry| Instant::now() < entry.refresh_at)
            .map(|entry| Arc::clone(&entry.catalog))
    }

    fn lock(&self) -> MutexGuard<'_, Option<Entry>> {
        self.entry
            .lock()
            .expect("catalog cache lock poisoned by a panic while held")
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn catalog(ids: &[&str]) -> Catalog {
        Catalog::with_ids(ids)
    }

    /// A fetch that counts its calls and returns a catalog with one model named `id`.
    async fn counted_fetch(calls: &AtomicUsize, id: &str) -> Result<Catalog, String> {
        calls.fetch_add(1, Ordering::SeqCst);
        tokio::task::yield_now().await;
        Ok(catalog(&[id]))
    }

    #[tokio::test(start_paused = true)]
    async fn cache_serves_until_the_ttl_then_refreshes() {
        let cache = CatalogCache::new(Duration::from_secs(60));
        let calls = AtomicUsize::new(0);
        let first = cache.get_or_refresh(counted_fetch(&calls, "a")).await.unwrap();
        let again = cache.get_or_refresh(counted_fetch(&calls, "b")).await.unwrap();
        assert_eq!(
            (first.models[0].id.as_str(), again.models[0].id.as_str()),
            ("a", "a")
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        tokio::time::advance(Duration::from_secs(61)).await;
        let later = cache.get_or_refresh(counted_fetch(&calls, "c")).await.unwrap();
        assert_eq!(later.models[0].id, "c");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn an_aged_catalog_is_served_at_once_while_one_caller_refreshes_it() {
        let cache = CatalogCache::new(Duration::from_secs(60));
        assert!(
            matches!(cache.cached(), Cached::Missing),
            "nothing cached yet: callers must wait"
        );
        cache.put(catalog(&["a"]));
        assert!(
            matches!(cache.cached(), Cached::Fresh(_)),
            "a fresh catalog is served the usual way"
        );

        tokio::time::advance(Duration::from_secs(61)).await;
        let Cached::Aged(stale, flight) = cache.cached() else {
            panic!("an aged catalog is served");
        };
        assert_eq!(stale.models[0].id, "a");
        let flight = flight.expect("the first caller gets the refresh");
        let Cached::Aged(again, second) = cache.cached() else {
            panic!("still served while the refresh runs");
        };
        assert_eq!(again.models[0].id, "a");
        assert!(second.is_none(), "one refresh at a time");

        let calls = AtomicUsize::new(0);
        cache.refresh(flight, counted_fetch(&calls, "b")).await;
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(matches!(cache.cached(), Cached::Fresh(_)), "fresh again");
        let fresh = cache.get_or_refresh(counted_fetch(&calls, "c")).await.unwrap();
        assert_eq!(fresh.models[0].id, "b");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn an_invalidated_catalog_is_never_served_while_refreshing() {
        let cache = CatalogCache::new(Duration::from_secs(60));
        cache.put(catalog(&["other account"]));
        cache.invalidate();
        assert!(matches!(cache.cached(), Cached::Missing));
        tokio::time::advance(Duration::from_secs(61)).await;
        assert!(
            matches!(cache.cached(), Cached::Missing),
            "aged as well, still not served"
        );
        let calls = AtomicUsize::new(0);
        let fetched = cache.get_or_refresh(counted_fetch(&calls, "mine")).await.unwrap();
        assert_eq!(fetched.models[0].id, "mine");
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_background_refresh_keeps_the_aged_catalog_and_retries_later() {
        let cache = CatalogCache::new(Duration::from_secs(60));
        cache.put(catalog(&["a"]));
        tokio::time::advance(Duration::from_secs(61)).await;
        let Cached::Aged(_, Some(flight)) = cache.cached() else {
            panic!("aged, with the refresh to make");
        };
        cache
            .refresh(flight, async { Err::<Catalog, _>("down".to_owned()) })
            .await;
        // Within the retry delay it is served as fresh, without asking again.
        assert!(matches!(cache.cached(), Cached::Fresh(_)));
        let calls = AtomicUsize::new(0);
        let served = cache.get_or_refresh(counted_fetch(&calls, "b")).await.unwrap();
        assert_eq!(
            (served.models[0].id.as_str(), calls.load(Ordering::SeqCst)),
            ("a", 0)
        );
        tokio::time::advance(RETRY_AFTER_ERROR).await;
        let Cached::Aged(stale, flight) = cache.cached() else {
            panic!("aged again after the retry delay");
        };
        assert_eq!(stale.models[0].id, "a");
        assert!(flight.is_some(), "the next attempt after the delay");
    }

    #[tokio::test(start_paused = true)]
    async fn invalidate_forces_a_refresh() {
        let cache = CatalogCache::default();
        let calls = AtomicUsize::new(0);
        cache.get_or_refresh(counted_fetch(&calls, "a")).await.unwrap();
        cache.invalidate();
        assert_eq!(cache.peek().unwrap().models[0].id, "a");
        let refreshed = cache.get_or_refresh(counted_fetch(&calls, "b")).await.unwrap();
        assert_eq!(refreshed.models[0].id, "b");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_share_one_refresh() {
        let cache = CatalogCache::default();
        let calls = AtomicUsize::new(0);
        let results =
            futures::future::join_all((0..10).map(|_| cache.get_or_refresh(counted_fetch(&calls, "a"))))
                .await;
        assert!(
            results
                .iter()
                .all(|result| result.as_ref().is_ok_and(|catalog| catalog.models[0].id == "a"))
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn failed_refresh_serves_the_stale_catalog_and_retries_later() {
        let cache = CatalogCache::new(Duration::from_secs(60));
        let empty: Result<Arc<Catalog>, String> =
            cache.get_or_refresh(async { Err("down".to_owned()) }).await;
        assert_eq!(
            empty.unwrap_err(),
            "down",
            "no catalog yet: the error must surface"
        );

        cache.put(catalog(&["a"]));
        cache.invalidate();
        let stale = cache
            .get_or_refresh(async { Err::<Catalog, _>("down".to_owned()) })
            .await
            .unwrap();
        assert_eq!(stale.models[0].id, "a");

        // Within the retry delay the stale catalog is served without asking again.
        let calls = AtomicUsize::new(0);
        cache.get_or_refresh(counted_fetch(&calls, "b")).await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        tokio::time::advance(RETRY_AFTER_ERROR).await;
        let fresh = cache.get_or_refresh(counted_fetch(&calls, "b")).await.unwrap();
        assert_eq!(fresh.models[0].id, "b");
    }
}

//! Pacing: a token bucket in front of one account's upstream calls.
//!
//! The site's firewall answers bursts with 403 pages (taiji-protocol.md §6), so calls are smoothed:
//! the bucket holds up to `burst` tokens and refills at `per_second`. A call takes a token; while
//! tokens remain it proceeds at once, so a single request is never delayed, and once they run out
//! calls are spaced evenly at the refill rate. Waiters reserve their token when they arrive, so
//! they are served in arrival order without holding a lock across an await; a waiter that gives up
//! hands its reservation back.
//!
//! Time comes from `tokio::time`, so tests run on a paused clock.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

/// Pacing settings for one account.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PacingConfig {
    /// Whether calls are paced at all.
    pub enabled: bool,
    /// How many calls may go out back to back after a quiet period.
    pub burst: u32,
    /// The sustained rate, in calls per second.
    pub per_second: f64,
}

impl Default for PacingConfig {
    fn default() -> Self {
        // A person using several apps at once rarely sends more than a handful of requests in a
        // burst; six back to back then two a second stays well below what the firewall tolerates.
        Self {
            enabled: true,
            burst: 6,
            per_second: 2.0,
        }
    }
}

/// Why a [`PacingConfig`] is unusable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PacingConfigError {
    /// `burst` is zero.
    #[error("pacing burst must be at least 1")]
    ZeroBurst,
    /// `per_second` is zero, negative or not a number.
    #[error("pacing rate must be a positive number of calls per second, got {0}")]
    BadRate(f64),
}

impl PacingConfig {
    /// Pacing switched off.
    pub fn disabled() -> Self {
        Self {
            enabled: false,
            ..Self::default()
        }
    }

    /// Checks the values, for settings validation.
    pub fn validate(&self) -> Result<(), PacingConfigError> {
        if self.burst == 0 {
            return Err(PacingConfigError::ZeroBurst);
        }
        if !(self.per_second.is_finite() && self.per_second > 0.0) {
            return Err(PacingConfigError::BadRate(self.per_second));
        }
        Ok(())
    }

    /// The same config with unusable values replaced by the defaults, so a bad value can never
    /// stall every request.
    fn sanitized(self) -> Self {
        let defaults = Self::default();
        Self {
            enabled: self.enabled,
            burst: if self.burst == 0 {
                defaults.burst
            } else {
                self.burst
            },
            per_second: if self.per_second.is_finite() && self.per_second > 0.0 {
                self.per_second
            } else {
                defaults.per_second
            },
        }
    }
}

/// The token bucket of one account. Cheap to clone; clones share the bucket.
#[derive(Debug, Clone)]
pub struct Pacer {
    inner: Arc<Mutex<Bucket>>,
}

#[derive(Debug)]
struct Bucket {
    config: PacingConfig,
    /// Available tokens; negative when waiters have reserved tokens that are not there yet.
    tokens: f64,
    /// When `tokens` was last brought up to date.
    updated: Instant,
}

impl Bucket {
    /// Adds the tokens earned since the last update, up to the burst size.
    fn refill(&mut self, now: Instant) {
        let earned = now.saturating_duration_since(self.updated).as_secs_f64() * self.config.per_second;
        self.tokens = (self.tokens + earned).min(f64::from(self.config.burst));
        self.updated = now;
    }
}

impl Pacer {
    /// A full bucket with `config` (unusable values fall back to the defaults; see
    /// [`PacingConfig::validate`]).
    pub fn new(config: PacingConfig) -> Self {
        let config = config.sanitized();
        let bucket = Bucket {
            config,
            tokens: f64::from(config.burst),
            updated: Instant::now(),
        };
        Self {
            inner: Arc::new(Mutex::new(bucket)),
        }
    }

    /// Applies new settings at runtime. Tokens already earned are kept (capped at the new burst).
    pub fn set_config(&self, config: PacingConfig) {
        let config = config.sanitized();
        let mut bucket = self.lock();
        // Account for the time so far at the old rate before switching.
        bucket.refill(Instant::now());
        bucket.config = config;
        bucket.tokens = bucket.tokens.min(f64::from(config.burst));
    }

    /// The current settings.
    pub fn config(&self) -> PacingConfig {
        self.lock().config
    }

    /// Waits until this call may go upstream. Returns at once while tokens remain or when pacing
    /// is off. Dropping the future before it completes returns the reserved token.
    pub async fn acquire(&self) {
        let wait = {
            let mut bucket = self.lock();
            if !bucket.config.enabled {
                return;
            }
            let now = Instant::now();
            bucket.refill(now);
            bucket.tokens -= 1.0;
            if bucket.tokens >= 0.0 {
                return;
            }
            // Finite and positive by construction (sanitized rate, negative balance); the fallback
            // only guards the arithmetic.
            Duration::try_from_secs_f64(-bucket.tokens / bucket.config.per_second)
                .unwrap_or(Duration::from_secs(1))
        };
        let reservation = Reservation {
            pacer: self,
            kept: false,
        };
        tokio::time::sleep(wait).await;
        reservation.keep();
    }

    fn lock(&self) -> MutexGuard<'_, Bucket> {
        self.inner
            .lock()
            .expect("pacing bucket lock poisoned by a panic while held")
    }
}

impl Default for Pacer {
    fn default() -> Self {
        Self::new(PacingConfig::default())
    }
}

/// A token taken in advance; handed back if the waiter is dropped before its turn.
struct Reservation<'a> {
    pacer: &'a Pacer,
    kept: bool,
}

impl Reservation<'_> {
    fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        if !self.kept {
            let mut bucket = self.pacer.lock();
            bucket.refill(Instant::now());
            bucket.tokens = (bucket.tokens + 1.0).min(f64::from(bucket.config.burst));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(burst: u32, per_second: f64) -> PacingConfig {
        PacingConfig {
            enabled: true,
            burst,
            per_second,
        }
    }

    /// Virtual time elapsed since `start`, in whole milliseconds.
    fn elapsed_ms(start: Instant) -> u128 {
        start.elapsed().as_millis()
    }

    #[tokio::test(start_paused = true)]
    async fn burst_goes_out_at_once_then_calls_are_spaced() {
        let pacer = Pacer::new(config(3, 2.0));
        let start = Instant::now();
        for _ in 0..3 {
            pacer.acquire().await;
        }
        assert_eq!(elapsed_ms(start), 0, "the burst was delayed");
        pacer.acquire().await;
        assert_eq!(elapsed_ms(start), 500);
        pacer.acquire().await;
        assert_eq!(elapsed_ms(start), 1000);
    }

    #[tokio::test(start_paused = true)]
    async fn a_single_request_after_a_quiet_period_is_not_delayed() {
        let pacer = Pacer::new(config(1, 1.0));
        pacer.acquire().await;
        tokio::time::sleep(Duration::from_secs(5)).await;
        let start = Instant::now();
        pacer.acquire().await;
        assert_eq!(elapsed_ms(start), 0);
        // The quiet period refilled only up to the burst size, not five tokens.
        pacer.acquire().await;
        assert_eq!(elapsed_ms(start), 1000);
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_waiters_are_spaced_in_arrival_order() {
        let pacer = Pacer::new(config(1, 4.0));
        let start = Instant::now();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        for id in 0..5 {
            let pacer = pacer.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                pacer.acquire().await;
                let _ = tx.send((id, elapsed_ms(start)));
            });
            tokio::task::yield_now().await;
        }
        drop(tx);
        let mut seen = Vec::new();
        while let Some(entry) = rx.recv().await {
            seen.push(entry);
        }
        assert_eq!(seen, [(0, 0), (1, 250), (2, 500), (3, 750), (4, 1000)]);
    }

    #[tokio::test(start_paused = true)]
    async fn disabled_pacing_never_waits() {
        let pacer = Pacer::new(PacingConfig::disabled());
        let start = Instant::now();
        for _ in 0..100 {
            pacer.acquire().await;
        }
        assert_eq!(elapsed_ms(start), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_cancelled_waiter_returns_its_token() {
        let pacer = Pacer::new(config(1, 1.0));
        pacer.acquire().await;
        // This waiter would go out at 1 s but gives up at 0.5 s.
        let gave_up = tokio::time::timeout(Duration::from_millis(500), pacer.acquire()).await;
        assert!(gave_up.is_err());
        let start = Instant::now();
        pacer.acquire().await;
        assert_eq!(
            elapsed_ms(start),
            500,
            "the abandoned reservation was not returned"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn settings_change_at_runtime() {
        let pacer = Pacer::new(config(1, 1.0));
        pacer.acquire().await;
        pacer.set_config(PacingConfig::disabled());
        let start = Instant::now();
        pacer.acquire().await;
        assert_eq!(elapsed_ms(start), 0);
        pacer.set_config(config(1, 10.0));
        pacer.acquire().await;
        assert_eq!(elapsed_ms(start), 100);
        assert_eq!(pacer.config(), config(1, 10.0));
    }

    #[test]
    fn validation_rejects_values_that_would_stall_requests() {
        assert_eq!(PacingConfig::default().validate(), Ok(()));
        assert_eq!(config(0, 1.0).validate(), Err(PacingConfigError::ZeroBurst));
        assert!(matches!(
            config(1, 0.0).validate(),
            Err(PacingConfigError::BadRate(_))
        ));
        assert!(matches!(
            config(1, f64::NAN).validate(),
            Err(PacingConfigError::BadRate(_))
        ));
        assert_eq!(config(0, -1.0).sanitized(), PacingConfig::default());
    }

    #[test]
    fn config_reads_partial_json_with_defaults() {
        let parsed: PacingConfig = serde_json::from_str(r#"{"perSecond": 5}"#).unwrap();
        assert_eq!(
            parsed,
            PacingConfig {
                per_second: 5.0,
                ..PacingConfig::default()
            }
        );
    }
}

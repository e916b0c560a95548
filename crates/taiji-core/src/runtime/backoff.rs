//! [`Backoff`]: how long the background sign-in waits between attempts while the Taiji site does
//! not answer. Exponential (so a site that is down for hours is not polled every second) with
//! jitter (so many gateways that lost the network together do not all come back in the same
//! second), capped (so a laptop that wakes up is signed in again within a minute).
//!
//! The schedule is a pure function of the attempt number and a jitter sample, so tests assert the
//! computed delays instead of timing anything.

use std::time::Duration;

/// The retry schedule: `initial × factor^attempt`, capped at `max`, then scaled by a random
/// factor in `[1 - jitter, 1 + jitter]` (and capped again, so `max` really is the longest wait).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// The wait after the first failure.
    pub initial: Duration,
    /// How much each further failure multiplies the wait.
    pub factor: f64,
    /// The longest wait.
    pub max: Duration,
    /// The relative spread of the random jitter, between 0 and 1.
    pub jitter: f64,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            initial: Duration::from_secs(1),
            factor: 2.0,
            max: Duration::from_secs(60),
            jitter: 0.2,
        }
    }
}

impl Backoff {
    /// The wait after `failures` consecutive failures (1 = the first), for a jitter `sample` in
    /// `[0, 1)`: 0 gives the shortest wait, 0.5 the nominal one.
    pub fn delay_with(&self, failures: u32, sample: f64) -> Duration {
        let exponent = i32::try_from(failures.saturating_sub(1)).unwrap_or(i32::MAX);
        let max = self.max.as_secs_f64();
        let nominal = (self.initial.as_secs_f64() * self.factor.max(1.0).powi(exponent)).min(max);
        let jitter = self.jitter.clamp(0.0, 1.0);
        let scale = 1.0 - jitter + 2.0 * jitter * sample.clamp(0.0, 1.0);
        Duration::try_from_secs_f64((nominal * scale).clamp(0.0, max)).unwrap_or(self.max)
    }

    /// The wait after `failures` consecutive failures, with fresh random jitter.
    pub fn delay(&self, failures: u32) -> Duration {
        self.delay_with(failures, rand::random::<f64>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nominal_delays_double_up_to_the_cap() {
        let backoff = Backoff::default();
        let nominal: Vec<u64> = (1..=9).map(|n| backoff.delay_with(n, 0.5).as_secs()).collect();
        assert_eq!(nominal, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }

    #[test]
    fn jitter_spreads_around_the_nominal_delay_and_never_exceeds_the_cap() {
        let backoff = Backoff::default();
        assert_eq!(backoff.delay_with(4, 0.0).as_millis(), 6400);
        assert_eq!(backoff.delay_with(4, 1.0).as_millis(), 9600);
        assert_eq!(backoff.delay_with(30, 1.0), Duration::from_secs(60));
        assert_eq!(backoff.delay_with(30, 0.0), Duration::from_secs(48));
        for _ in 0..100 {
            let delay = backoff.delay(3);
            assert!(delay >= Duration::from_millis(3200) && delay <= Duration::from_millis(4800));
        }
    }

    #[test]
    fn huge_failure_counts_do_not_overflow() {
        let backoff = Backoff::default();
        assert_eq!(backoff.delay_with(u32::MAX, 0.5), Duration::from_secs(60));
        assert_eq!(backoff.delay_with(0, 0.5), Duration::from_secs(1));
    }
}

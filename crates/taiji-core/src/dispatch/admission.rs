//! Admission: the limit on how many chat requests talk to the upstream at once.
//!
//! The upstream account is shared by every client app, and the site throttles (or bans) bursts, so
//! requests beyond the limit wait in a first-come, first-served queue. The limit can change at
//! runtime (settings apply live): raising it admits waiters at once, in arrival order; lowering it
//! lets the requests already in flight finish and admits new ones only once the count is below the
//! new limit. A request whose client goes away while queued (its future is dropped) leaves the
//! queue and never receives a permit.
//!
//! Built on tokio's [`Semaphore`], which is FIFO-fair and removes dropped waiters from its queue.
//! Lowering the limit cannot take back permits that are in use, so the shortfall is recorded as
//! a debt that is paid by forgetting permits as they are returned.

use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, TryAcquireError, watch};

/// The default number of concurrent upstream requests.
pub const DEFAULT_LIMIT: usize = 3;

/// The largest accepted limit; anything above is clamped. Far beyond what one account sustains,
/// and far below the semaphore's own maximum.
pub const MAX_LIMIT: usize = 1024;

/// A snapshot of the admission state, published on every change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AdmissionGauges {
    /// Requests holding a permit.
    pub in_flight: usize,
    /// Requests waiting for a permit.
    pub queued: usize,
    /// The current limit.
    pub limit: usize,
}

/// Returned by [`Admission::acquire`] once [`Admission::close`] was called (shutdown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the gateway is shutting down and admits no new requests")]
pub struct AdmissionClosed;

/// The concurrency limit. Cheap to clone; clones share the same limit and queue.
#[derive(Debug, Clone)]
pub struct Admission {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    semaphore: Arc<Semaphore>,
    state: Mutex<State>,
    gauges: watch::Sender<AdmissionGauges>,
}

#[derive(Debug)]
struct State {
    limit: usize,
    in_flight: usize,
    queued: usize,
    /// Permits to forget as they are returned, after the limit was lowered below `in_flight`.
    debt: usize,
}

impl State {
    fn gauges(&self) -> AdmissionGauges {
        AdmissionGauges {
            in_flight: self.in_flight,
            queued: self.queued,
            limit: self.limit,
        }
    }
}

impl Admission {
    /// A limit of `limit` concurrent requests (clamped to `1..=MAX_LIMIT`: a limit of 0 would make
    /// every request wait forever).
    pub fn new(limit: usize) -> Self {
        let limit = clamp_limit(limit);
        let state = State {
            limit,
            in_flight: 0,
            queued: 0,
            debt: 0,
        };
        let (gauges, _) = watch::channel(state.gauges());
        Self {
            inner: Arc::new(Inner {
                semaphore: Arc::new(Semaphore::new(limit)),
                state: Mutex::new(state),
                gauges,
            }),
        }
    }

    /// Changes the limit at runtime (clamped like [`Admission::new`]).
    pub fn set_limit(&self, limit: usize) {
        let limit = clamp_limit(limit);
        let mut state = self.inner.lock();
        // All semaphore changes happen under the state lock, so a permit being returned and the
        // limit being lowered can never both miss each other (see `Permit::drop`).
        if limit > state.limit {
            let raise = limit - state.limit;
            let repaid = raise.min(state.debt);
            state.debt -= repaid;
            self.inner.semaphore.add_permits(raise - repaid);
        } else if limit < state.limit {
            let lower = state.limit - limit;
            let forgotten = self.inner.semaphore.forget_permits(lower);
            state.debt += lower - forgotten;
        }
        state.limit = limit;
        self.inner.publish(&state);
    }

    /// The current limit.
    pub fn limit(&self) -> usize {
        self.inner.lock().limit
    }

    /// Requests holding a permit now.
    pub fn in_flight(&self) -> usize {
        self.inner.lock().in_flight
    }

    /// Requests waiting for a permit now.
    pub fn queued(&self) -> usize {
        self.inner.lock().queued
    }

    /// A receiver of the live gauges; it sees the current value at once.
    pub fn subscribe(&self) -> watch::Receiver<AdmissionGauges> {
        self.inner.gauges.subscribe()
    }

    /// Takes a permit if one is free right now and nobody is queued ahead.
    pub fn try_acquire(&self) -> Option<Permit> {
        match Arc::clone(&self.inner.semaphore).try_acquire_owned() {
            Ok(permit) => {
                let mut state = self.inner.lock();
                state.in_flight += 1;
                self.inner.publish(&state);
                Some(self.wrap(permit))
            }
            Err(TryAcquireError::NoPermits | TryAcquireError::Closed) => None,
        }
    }

    /// Waits in line for a permit. Dropping the returned future leaves the queue cleanly.
    ///
    /// Callers that want to report "queued" can call [`Admission::try_acquire`] first.
    pub async fn acquire(&self) -> Result<Permit, AdmissionClosed> {
        if let Some(permit) = self.try_acquire() {
            return Ok(permit);
        }
        let waiting = QueuedGuard::enter(&self.inner);
        let acquired = Arc::clone(&self.inner.semaphore).acquire_owned().await;
        // From here on no await: the permit is wrapped before anything can cancel us.
        let permit = acquired.map_err(|_| AdmissionClosed)?;
        waiting.admitted();
        Ok(self.wrap(permit))
    }

    /// Stops admitting: queued and future `acquire` calls fail with [`AdmissionClosed`]. Permits
    /// already granted stay valid until dropped.
    pub fn close(&self) {
        self.inner.semaphore.close();
    }

    fn wrap(&self, permit: OwnedSemaphorePermit) -> Permit {
        Permit {
            inner: Arc::clone(&self.inner),
            permit: Some(permit),
        }
    }
}

impl Default for Admission {
    fn default() -> Self {
        Self::new(DEFAULT_LIMIT)
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .expect("admission state lock poisoned by a panic while held")
    }

    fn publish(&self, state: &State) {
        self.gauges.send_replace(state.gauges());
    }
}

/// Keeps the `queued` gauge right whether the waiter is admitted, refused or cancelled.
struct QueuedGuard<'a> {
    inner: &'a Inner,
    admitted: bool,
}

impl<'a> QueuedGuard<'a> {
    fn enter(inner: &'a Inner) -> Self {
        let mut state = inner.lock();
        state.queued += 1;
        inner.publish(&state);
        Self {
            inner,
            admitted: false,
        }
    }

    /// Moves this waiter from the queue to in flight, in one gauge update.
    fn admitted(mut self) {
        self.admitted = true;
        let mut state = self.inner.lock();
        state.queued -= 1;
        state.in_flight += 1;
        self.inner.publish(&state);
    }
}

impl Drop for QueuedGuard<'_> {
    fn drop(&mut self) {
        if !self.admitted {
            let mut state = self.inner.lock();
            state.queued -= 1;
            self.inner.publish(&state);
        }
    }
}

/// The right to talk to the upstream. Dropping it lets the next queued request in.
#[derive(Debug)]
pub struct Permit {
    inner: Arc<Inner>,
    /// Always `Some` until dropped.
    permit: Option<OwnedSemaphorePermit>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut state = self.inner.lock();
        state.in_flight -= 1;
        if let Some(permit) = self.permit.take() {
            if state.debt > 0 {
                // The limit was lowered while this request ran: retire its slot.
                state.debt -= 1;
                permit.forget();
            } else {
                // Returned under the lock, see `set_limit`. Releasing only wakes the next waiter's
                // task; it runs no code of ours, so holding the lock here cannot deadlock.
                drop(permit);
            }
        }
        self.inner.publish(&state);
    }
}

fn clamp_limit(limit: usize) -> usize {
    limit.clamp(1, MAX_LIMIT)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use tokio::sync::{mpsc, oneshot};

    use super::*;

    /// Lets every other task run until all are blocked. With a paused clock the runtime only
    /// advances time when nothing else can make progress, so this returns exactly at quiescence.
    async fn settle() {
        tokio::time::sleep(Duration::from_secs(1)).await;
    }

    /// Spawns a task that queues for a permit, reports `id` once admitted and holds the permit
    /// until told to release it.
    fn spawn_holder(
        admission: &Admission,
        id: usize,
        admitted: mpsc::UnboundedSender<(usize, oneshot::Sender<()>)>,
    ) -> tokio::task::JoinHandle<()> {
        let admission = admission.clone();
        tokio::spawn(async move {
            let Ok(_permit) = admission.acquire().await else {
                return;
            };
            let (release, released) = oneshot::channel();
            if admitted.send((id, release)).is_ok() {
                let _ = released.await;
            }
        })
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn limit_holds_under_many_concurrent_tasks() {
        let admission = Admission::new(3);
        let current = Arc::new(AtomicUsize::new(0));
        let max_seen = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let admission = admission.clone();
            let current = Arc::clone(&current);
            let max_seen = Arc::clone(&max_seen);
            tasks.push(tokio::spawn(async move {
                let permit = admission.acquire().await;
                let now = current.fetch_add(1, Ordering::SeqCst) + 1;
                max_seen.fetch_max(now, Ordering::SeqCst);
                for _ in 0..10 {
                    tokio::task::yield_now().await;
                }
                current.fetch_sub(1, Ordering::SeqCst);
                drop(permit);
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert!(max_seen.load(Ordering::SeqCst) <= 3);
        assert_eq!((admission.in_flight(), admission.queued()), (0, 0));
    }

    #[tokio::test(start_paused = true)]
    async fn limit_is_reached_but_never_exceeded() {
        let admission = Admission::new(3);
        let (tx, mut rx) = mpsc::unbounded_channel();
        let tasks: Vec<_> = (0..50)
            .map(|id| spawn_holder(&admission, id, tx.clone()))
            .collect();
        settle().await;
        assert_eq!(
            *admission.subscribe().borrow(),
            AdmissionGauges {
                in_flight: 3,
                queued: 47,
                limit: 3
            }
        );
        // Release the oldest holder whenever three are held, and check the gauges at every step.
        let mut holding = std::collections::VecDeque::new();
        for _ in 0..50 {
            let (_, release) = rx.recv().await.unwrap();
            holding.push_back(release);
            settle().await;
            let gauges = *admission.subscribe().borrow();
            assert!(gauges.in_flight <= 3, "{gauges:?}");
            if gauges.queued > 0 {
                assert_eq!(gauges.in_flight, 3, "a free slot was left unused: {gauges:?}");
            }
            if holding.len() == 3
                && let Some(release) = holding.pop_front()
            {
                let _ = release.send(());
            }
        }
        for release in holding {
            let _ = release.send(());
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!((admission.in_flight(), admission.queued()), (0, 0));
    }

    #[tokio::test(start_paused = true)]
    async fn waiters_are_admitted_in_arrival_order() {
        let admission = Admission::new(1);
        let first = admission.acquire().await.unwrap();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut tasks = Vec::new();
        for id in 0..10 {
            tasks.push(spawn_holder(&admission, id, tx.clone()));
            // Make sure each task is in the queue before the next one arrives.
            settle().await;
            assert_eq!(admission.queued(), id + 1);
        }
        drop(first);
        for expected in 0..10 {
            let (id, release) = rx.recv().await.unwrap();
            assert_eq!(id, expected);
            let _ = release.send(());
        }
        for task in tasks {
            task.await.unwrap();
        }
    }

    #[tokio::test(start_paused = true)]
    async fn raising_the_limit_admits_waiters_in_order() {
        let admission = Admission::new(1);
        let held = admission.acquire().await.unwrap();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut tasks = Vec::new();
        for id in 0..3 {
            tasks.push(spawn_holder(&admission, id, tx.clone()));
            settle().await;
        }
        assert_eq!(admission.queued(), 3);
        admission.set_limit(3);
        let (a, release_a) = rx.recv().await.unwrap();
        let (b, release_b) = rx.recv().await.unwrap();
        assert_eq!((a, b), (0, 1));
        settle().await;
        assert_eq!(
            *admission.subscribe().borrow(),
            AdmissionGauges {
                in_flight: 3,
                queued: 1,
                limit: 3
            }
        );
        drop((held, release_a, release_b));
        let (c, _release_c) = rx.recv().await.unwrap();
        assert_eq!(c, 2);
        for task in tasks {
            task.abort();
        }
    }

    #[tokio::test(start_paused = true)]
    async fn lowering_the_limit_lets_in_flight_finish_first() {
        let admission = Admission::new(3);
        let mut held = vec![
            admission.acquire().await.unwrap(),
            admission.acquire().await.unwrap(),
            admission.acquire().await.unwrap(),
        ];
        let (tx, mut rx) = mpsc::unbounded_channel();
        let task = spawn_holder(&admission, 7, tx);
        settle().await;
        admission.set_limit(1);
        assert_eq!(
            *admission.subscribe().borrow(),
            AdmissionGauges {
                in_flight: 3,
                queued: 1,
                limit: 1
            }
        );

        held.pop();
        settle().await;
        assert_eq!((admission.in_flight(), admission.queued()), (2, 1));
        held.pop();
        settle().await;
        assert_eq!((admission.in_flight(), admission.queued()), (1, 1));
        assert!(rx.try_recv().is_err(), "admitted while at the new limit");
        held.pop();
        let (id, release) = rx.recv().await.unwrap();
        assert_eq!(id, 7);
        assert_eq!((admission.in_flight(), admission.queued()), (1, 0));
        assert!(admission.try_acquire().is_none());

        // Raising again first repays nothing (the debt is paid) and opens exactly one more slot.
        admission.set_limit(2);
        let extra = admission.try_acquire();
        assert!(extra.is_some());
        assert!(admission.try_acquire().is_none());
        drop((release, extra));
        task.await.unwrap();
        assert_eq!(admission.in_flight(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn lowering_then_raising_before_anything_finishes_keeps_the_count_right() {
        let admission = Admission::new(3);
        let held: Vec<_> = (0..3).filter_map(|_| admission.try_acquire()).collect();
        admission.set_limit(1);
        admission.set_limit(2);
        drop(held);
        let again: Vec<_> = (0..5).filter_map(|_| admission.try_acquire()).collect();
        assert_eq!(again.len(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn cancelled_waiters_leave_the_queue_and_never_get_a_permit() {
        let admission = Admission::new(1);
        let held = admission.acquire().await.unwrap();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let cancelled = spawn_holder(&admission, 1, tx.clone());
        settle().await;
        let survivor = spawn_holder(&admission, 2, tx);
        settle().await;
        assert_eq!(admission.queued(), 2);

        cancelled.abort();
        settle().await;
        assert_eq!(admission.queued(), 1);

        drop(held);
        let (id, release) = rx.recv().await.unwrap();
        assert_eq!(id, 2);
        drop(release);
        survivor.await.unwrap();
        assert!(rx.recv().await.is_none(), "the cancelled waiter was admitted");

        // No permit leaked: exactly `limit` can be taken again.
        let again: Vec<_> = (0..3).filter_map(|_| admission.try_acquire()).collect();
        assert_eq!(again.len(), 1);
        assert_eq!((admission.in_flight(), admission.queued()), (1, 0));
    }

    #[tokio::test(start_paused = true)]
    async fn dropping_an_acquire_future_directly_leaves_the_queue() {
        let admission = Admission::new(1);
        let held = admission.acquire().await.unwrap();
        let waited = tokio::time::timeout(Duration::from_secs(5), admission.acquire()).await;
        assert!(waited.is_err());
        assert_eq!(admission.queued(), 0);
        drop(held);
        assert!(admission.try_acquire().is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn close_refuses_queued_and_new_requests() {
        let admission = Admission::new(1);
        let held = admission.acquire().await.unwrap();
        let waiter = tokio::spawn({
            let admission = admission.clone();
            async move { admission.acquire().await.map(|_| ()) }
        });
        settle().await;
        admission.close();
        assert_eq!(waiter.await.unwrap(), Err(AdmissionClosed));
        assert!(admission.acquire().await.is_err());
        assert_eq!((admission.in_flight(), admission.queued()), (1, 0));
        drop(held);
        assert_eq!(admission.in_flight(), 0);
    }

    #[test]
    fn limits_are_clamped() {
        assert_eq!(Admission::new(0).limit(), 1);
        assert_eq!(Admission::new(usize::MAX).limit(), MAX_LIMIT);
        assert_eq!(Admission::default().limit(), DEFAULT_LIMIT);
    }
}

//! The writer thread's job queue: a list behind a mutex that wakes the writer only when it must.
//!
//! A channel wakes its receiver on every send. While the writer gathers a group of entry writes
//! (see [`super::writer`]), those wake-ups were pure cost: each was a system call on the request's
//! own path (a request queues its entry and its "streaming" change on the way to the upstream) and
//! a context switch of the writer, on one of the cores the request and the upstream need at that
//! moment, only for the writer to put the job aside and wait again. Here a job that can wait for
//! the gathering to end (an entry write nobody waits for) is queued silently; the writer takes it
//! when its window closes. Any other job, and any job while the writer sleeps idle, wakes it.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// What the writer is doing, as far as senders need to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Writer {
    /// Running jobs; it looks at the queue before it waits again.
    Busy,
    /// Waiting for any job.
    Idle,
    /// Gathering a group until a deadline: only jobs that cannot wait wake it.
    Gathering,
}

struct State<J> {
    jobs: VecDeque<J>,
    writer: Writer,
    /// A job that cannot wait is queued: a gathering writer takes every queued job until the queue
    /// is empty.
    hurry: bool,
    /// No sender is left: once the queue is empty, the writer ends.
    closed: bool,
    /// The writer has ended (or died): jobs are refused.
    gone: bool,
}

struct Shared<J> {
    state: Mutex<State<J>>,
    wake: Condvar,
}

impl<J> Shared<J> {
    fn lock(&self) -> MutexGuard<'_, State<J>> {
        // A job never runs under this lock, so a poisoned lock still holds a consistent queue.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Closes the queue when the last [`Sender`] clone is dropped.
struct CloseOnDrop<J>(Arc<Shared<J>>);

impl<J> Drop for CloseOnDrop<J> {
    fn drop(&mut self) {
        self.0.lock().closed = true;
        self.0.wake.notify_one();
    }
}

/// The sending side. Cheap to clone; the queue closes when the last clone is dropped.
pub(super) struct Sender<J>(Arc<CloseOnDrop<J>>);

impl<J> Clone for Sender<J> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

/// The writer's side.
pub(super) struct Receiver<J> {
    shared: Arc<Shared<J>>,
}

/// A new queue.
pub(super) fn queue<J>() -> (Sender<J>, Receiver<J>) {
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            jobs: VecDeque::new(),
            writer: Writer::Busy,
            hurry: false,
            closed: false,
            gone: false,
        }),
        wake: Condvar::new(),
    });
    let sender = Sender(Arc::new(CloseOnDrop(Arc::clone(&shared))));
    (sender, Receiver { shared })
}

impl<J> Sender<J> {
    /// Queues `job`. `can_wait` says it may stay queued until a gathering writer's window closes.
    /// Gives the job back when the writer has ended.
    pub(super) fn send(&self, job: J, can_wait: bool) -> Result<(), J> {
        let shared = &self.0.0;
        let mut state = shared.lock();
        if state.gone {
            return Err(job);
        }
        state.jobs.push_back(job);
        state.hurry |= !can_wait;
        let wake = match state.writer {
            Writer::Busy => false,
            Writer::Idle => true,
            Writer::Gathering => !can_wait,
        };
        drop(state);
        if wake {
            shared.wake.notify_one();
        }
        Ok(())
    }
}

impl<J> Drop for Receiver<J> {
    /// The writer ended, normally or by a panic: what is still queued is dropped (a caller
    /// awaiting an answer learns that the log is closed) and later jobs are refused.
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.gone = true;
        let orphans = std::mem::take(&mut state.jobs);
        drop(state);
        drop(orphans);
    }
}

/// What the writer got.
pub(super) enum Received<J> {
    Job(J),
    /// Nothing before the deadline.
    TimedOut,
    /// The queue is empty and every sender is gone.
    Closed,
}

impl<J> Receiver<J> {
    /// The next job, waiting up to `timeout` for one.
    pub(super) fn next(&self, timeout: Duration) -> Received<J> {
        self.wait_until(Instant::now() + timeout, Writer::Idle)
    }

    /// The next job if one is queued, without waiting.
    pub(super) fn try_next(&self) -> Option<J> {
        let mut state = self.shared.lock();
        let job = state.jobs.pop_front();
        state.hurry &= !state.jobs.is_empty();
        job
    }

    /// The next job, waiting until `deadline` for one; only a job that cannot wait cuts the wait
    /// short, the others are taken when it ends.
    pub(super) fn gather_until(&self, deadline: Instant) -> Received<J> {
        self.wait_until(deadline, Writer::Gathering)
    }

    fn wait_until(&self, deadline: Instant, waiting: Writer) -> Received<J> {
        let mut state = self.shared.lock();
        loop {
            let now = Instant::now();
            let expired = state.closed || now >= deadline;
            if waiting == Writer::Idle || state.hurry || expired {
                state.writer = Writer::Busy;
                if let Some(job) = state.jobs.pop_front() {
                    state.hurry &= !state.jobs.is_empty();
                    return Received::Job(job);
                }
                state.hurry = false;
                if state.closed {
                    return Received::Closed;
                }
                if expired {
                    return Received::TimedOut;
                }
            }
            // Checked and marked under the lock a sender takes: no wake-up is lost in between.
            state.writer = waiting;
            state = self
                .shared
                .wake
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: Duration = Duration::from_secs(30);

    #[test]
    fn a_job_that_can_wait_is_taken_when_the_gathering_ends_not_before() {
        let (sender, receiver) = queue();
        let deadline = Instant::now() + Duration::from_millis(50);
        let queued = std::thread::spawn(move || {
            sender.send(1, true).expect("open");
            // Kept open: a closing queue ends any gathering at once.
            sender
        });
        let Received::Job(job) = receiver.gather_until(deadline) else {
            panic!("the queued job");
        };
        assert_eq!(job, 1);
        assert!(Instant::now() >= deadline);
        drop(queued.join().expect("sender"));
    }

    #[test]
    fn a_job_that_cannot_wait_ends_the_gathering_with_those_before_it() {
        let (sender, receiver) = queue();
        sender.send(1, true).expect("open");
        let deadline = Instant::now() + LONG;
        let late = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            sender.send(2, false).expect("open");
            sender
        });
        let mut got = Vec::new();
        while got.len() < 2 {
            match receiver.gather_until(deadline) {
                Received::Job(job) => got.push(job),
                Received::TimedOut | Received::Closed => panic!("woken by the job that cannot wait"),
            }
        }
        assert_eq!(got, [1, 2]);
        assert!(Instant::now() < deadline);
        // The queue is empty again: the next gathering waits for its window.
        let _sender = late.join().expect("sender");
        assert!(matches!(
            receiver.gather_until(Instant::now() + Duration::from_millis(10)),
            Received::TimedOut
        ));
    }

    #[test]
    fn an_idle_writer_is_woken_by_any_job() {
        let (sender, receiver) = queue();
        let started = Instant::now();
        let queued = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            sender.send(7, true).expect("open");
            sender
        });
        assert!(matches!(receiver.next(LONG), Received::Job(7)));
        assert!(started.elapsed() < LONG);
        drop(queued.join().expect("sender"));
    }

    #[test]
    fn the_queue_closes_when_the_last_sender_is_gone_after_its_jobs() {
        let (sender, receiver) = queue();
        let other = sender.clone();
        sender.send(1, true).expect("open");
        drop(sender);
        other.send(2, true).expect("open");
        drop(other);
        assert!(matches!(
            receiver.gather_until(Instant::now() + LONG),
            Received::Job(1)
        ));
        assert!(matches!(receiver.next(LONG), Received::Job(2)));
        assert!(matches!(receiver.next(LONG), Received::Closed));
        assert!(receiver.try_next().is_none());
    }

    #[test]
    fn jobs_are_refused_and_dropped_once_the_writer_is_gone() {
        let (sender, receiver) = queue();
        let (answer, answered) = std::sync::mpsc::channel::<()>();
        sender.send(answer, true).expect("open");
        drop(receiver);
        // The queued job was dropped with its answer channel: its caller is not left waiting.
        assert!(answered.recv().is_err());
        assert!(sender.send(std::sync::mpsc::channel().0, false).is_err());
    }
}

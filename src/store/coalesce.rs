//! Requests of one kind that arrive together, written by one database statement per table.
//!
//! Group commit (`batch`) shares one transaction and one commit between writes, but each
//! write still runs its own statements, one after the other, while the others wait: a posting
//! is about a dozen statements, each a round trip to the database. For the writes that come
//! in numbers (postings, audit records), a [`Coalescer`] gathers the requests that arrive
//! while the previous gathering is being written, and hands them to one task that writes them
//! all in one step of a group commit: the same few statements whether it carries one request
//! or a hundred. Each request is still judged on its own and answered with its own outcome,
//! only after the commit that holds it.
//!
//! The task that writes a gathering is spawned, so no caller hanging up can leave the others
//! without an answer; it runs until no request is waiting.

use std::sync::{Arc, Mutex};

use crate::domain::error::LedgerError;

/// Requests waiting to be written, and whether a task is writing them.
pub struct Coalescer<T> {
    max: usize,
    state: Arc<Mutex<State<T>>>,
}

struct State<T> {
    waiting: Vec<T>,
    draining: bool,
}

impl<T> Clone for Coalescer<T> {
    fn clone(&self) -> Self {
        Coalescer {
            max: self.max,
            state: self.state.clone(),
        }
    }
}

impl<T> Coalescer<T> {
    /// A gathering carries at most `max` requests (at least one).
    pub fn new(max: usize) -> Self {
        Coalescer {
            max: max.max(1),
            state: Arc::new(Mutex::new(State {
                waiting: Vec::new(),
                draining: false,
            })),
        }
    }

    /// Adds a request. `true` when no task is writing: the caller must start one, which
    /// calls [`Coalescer::next`] until it returns `None`.
    #[must_use]
    pub fn push(&self, request: T) -> bool {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.waiting.push(request);
        if state.draining {
            false
        } else {
            state.draining = true;
            true
        }
    }

    /// How many requests wait to be written (the queue's depth).
    pub fn waiting(&self) -> usize {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.waiting.len()
    }

    /// The next gathering, oldest requests first; `None` when nothing waits, after which the
    /// next [`Coalescer::push`] starts a new task.
    pub fn next(&self) -> Option<Vec<T>> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.waiting.is_empty() {
            state.draining = false;
            return None;
        }
        let take = state.waiting.len().min(self.max);
        Some(state.waiting.drain(..take).collect())
    }

    /// The requests that `failure`, the failure of `gathering`, answers: the gathering's own
    /// and, when the database could not be reached, every request waiting behind it, which
    /// would each wait as long again (PostgreSQL's pool gives up after its acquire timeout) to
    /// learn the same. The task stays in charge: it still calls [`Coalescer::next`] until that
    /// returns `None`, and the next request to arrive tries the database afresh.
    pub fn answered_by(&self, mut gathering: Vec<T>, failure: &LedgerError) -> Vec<T> {
        if matches!(failure, LedgerError::Unavailable(_)) {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            gathering.append(&mut state.waiting);
        }
        gathering
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_task_drains_in_arrival_order_and_in_bounded_gatherings() {
        let queue = Coalescer::new(2);
        assert!(queue.push(1));
        assert!(!queue.push(2), "a task is already writing");
        assert!(!queue.push(3));
        assert_eq!(queue.next(), Some(vec![1, 2]));
        assert!(!queue.push(4));
        assert_eq!(queue.next(), Some(vec![3, 4]));
        assert_eq!(queue.next(), None);
        assert!(
            queue.push(5),
            "the task has stopped: the next request starts one"
        );
        assert_eq!(queue.next(), Some(vec![5]));
        assert_eq!(queue.next(), None);
    }

    #[test]
    fn an_unavailable_database_answers_every_waiting_request_and_leaves_the_task_in_charge() {
        let queue = Coalescer::new(2);
        assert!(queue.push(1));
        let gathering = queue.next().unwrap();
        assert!(!queue.push(2));
        assert!(!queue.push(3));
        assert!(!queue.push(4));
        let refused = LedgerError::conflict(crate::domain::error::Conflict::GroupClosed, "closed");
        assert_eq!(
            queue.answered_by(gathering.clone(), &refused),
            vec![1],
            "any other failure answers its own gathering only"
        );
        let down = LedgerError::Unavailable("connection refused".into());
        assert_eq!(queue.answered_by(gathering, &down), vec![1, 2, 3, 4]);
        assert!(
            !queue.push(5),
            "the task still drains: no second one starts"
        );
        assert_eq!(queue.next(), Some(vec![5]));
        assert_eq!(queue.next(), None);
        assert!(queue.push(6));
    }
}

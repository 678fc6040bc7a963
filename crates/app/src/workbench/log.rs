//! An append-only list that every copy of the state shares.
//!
//! The reducer makes a new state per action, cloning the old one (yew keeps the old one
//! alive, so the reducer cannot take it apart). A run's per-batch loss curve grows by one
//! point per batch event and can reach tens of thousands: cloned whole every time, the
//! page's cost per batch would grow with the run. A [`Log`] clones in O(1): copies share
//! one buffer and each remembers its own length, so pushing onto the newest copy appends in
//! place and the older copies still see what they saw. Only a push onto an older copy (a
//! state that was already extended, which the reducer never does) copies its prefix.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

/// An append-only list, cheap to clone.
pub struct Log<T> {
    items: Rc<RefCell<Vec<T>>>,
    len: usize,
}

impl<T> Clone for Log<T> {
    fn clone(&self) -> Self {
        Log {
            items: self.items.clone(),
            len: self.len,
        }
    }
}

impl<T> Default for Log<T> {
    fn default() -> Self {
        Log {
            items: Rc::new(RefCell::new(Vec::new())),
            len: 0,
        }
    }
}

impl<T: Clone> Log<T> {
    /// Append `item` to this copy.
    pub fn push(&mut self, item: T) {
        let shared_end = self.items.borrow().len() == self.len;
        if shared_end {
            self.items.borrow_mut().push(item);
        } else {
            // Another copy appended past this one's end: this copy goes its own way.
            let mut own = self.items.borrow()[..self.len].to_vec();
            own.push(item);
            self.items = Rc::new(RefCell::new(own));
        }
        self.len += 1;
    }

    /// The last item.
    pub fn last(&self) -> Option<T> {
        self.len
            .checked_sub(1)
            .and_then(|i| self.items.borrow().get(i).cloned())
    }

    /// Look at this copy's items.
    pub fn with<R>(&self, f: impl FnOnce(&[T]) -> R) -> R {
        f(&self.items.borrow()[..self.len])
    }

    /// This copy's items as a vector.
    pub fn to_vec(&self) -> Vec<T> {
        self.with(<[T]>::to_vec)
    }
}

impl<T> From<Vec<T>> for Log<T> {
    fn from(items: Vec<T>) -> Self {
        let len = items.len();
        Log {
            items: Rc::new(RefCell::new(items)),
            len,
        }
    }
}

impl<T: Clone + PartialEq> PartialEq for Log<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len
            && (Rc::ptr_eq(&self.items, &other.items) || self.with(|a| other.with(|b| a == b)))
    }
}

impl<T> fmt::Debug for Log<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Log({} items)", self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_share_a_buffer_and_keep_their_own_length() {
        let mut a = Log::default();
        a.push(1);
        let before = a.clone();
        a.push(2);
        assert!(Rc::ptr_eq(&a.items, &before.items), "appended in place");
        assert_eq!(before.to_vec(), [1]);
        assert_eq!(a.to_vec(), [1, 2]);
        assert_eq!(a.last(), Some(2));
        assert_eq!(before.last(), Some(1));
        assert_ne!(a, before);
    }

    #[test]
    fn a_push_onto_an_older_copy_branches_without_touching_the_newer() {
        let mut a = Log::from(vec![1, 2]);
        let mut older = a.clone();
        a.push(3);
        older.push(9);
        assert_eq!(a.to_vec(), [1, 2, 3]);
        assert_eq!(older.to_vec(), [1, 2, 9]);
        assert!(!Rc::ptr_eq(&a.items, &older.items));
    }

    #[test]
    fn equal_contents_are_equal_whatever_the_buffer() {
        let a = Log::from(vec![1, 2]);
        let mut b = Log::default();
        b.push(1);
        b.push(2);
        assert_eq!(a, b);
        assert_eq!(Log::<u8>::default().to_vec(), Vec::<u8>::new());
    }
}

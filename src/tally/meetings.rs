//! Who has a seat at a meeting and who waits. A registration is a signed `register`
//! statement; taking it back is a `withdraw` statement by the same key, which replaces it.
//! Seats go in arrival order (the first-parent date of each statement, then the key id for
//! statements of one commit): the first `capacity` registrations are seated, the others wait
//! in that order, and a withdrawal moves the first one waiting up. A registration that arrives
//! after the meeting has started is shown, not counted.

use super::Signer;

/// The registrations of one meeting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistrationTally {
    /// Registered with a seat, in arrival order.
    pub seated: Vec<Signer>,
    /// Registered once every seat was taken: the waiting list, first in line first.
    pub waiting: Vec<Signer>,
    /// Arrived after the meeting had started: not counted.
    pub late: Vec<Signer>,
    /// Keys whose latest statement takes their registration back.
    pub withdrawn: usize,
}

impl RegistrationTally {
    /// Registered, seated or waiting.
    pub fn registered(&self) -> usize {
        self.seated.len() + self.waiting.len()
    }

    /// Every seat is taken.
    pub fn full(&self, capacity: Option<u32>) -> bool {
        capacity.is_some_and(|c| self.seated.len() >= c as usize)
    }
}

/// Seats `registered` (each key's current `register` statement) at a meeting with
/// `capacity` seats (none: as many as come) starting at `start`. `now` stands for the arrival
/// of statements not committed yet; `dated` is false outside git, where nothing is late.
pub fn seat(
    mut registered: Vec<Signer>,
    withdrawn: usize,
    capacity: Option<u32>,
    start: i64,
    now: i64,
    dated: bool,
) -> RegistrationTally {
    registered.sort_by_key(|s| (s.arrived.unwrap_or(now), s.key));
    let (on_time, late): (Vec<Signer>, Vec<Signer>) = registered
        .into_iter()
        .partition(|s| !dated || s.arrived.unwrap_or(now) <= start);
    let seats = capacity.map_or(on_time.len(), |c| (c as usize).min(on_time.len()));
    let mut seated = on_time;
    let waiting = seated.split_off(seats);
    RegistrationTally {
        seated,
        waiting,
        late,
        withdrawn,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signatures::keys::KeyId;

    fn signer(key: u8, arrived: Option<i64>) -> Signer {
        Signer {
            key: KeyId(u64::from(key)),
            member: false,
            arrived,
            version: 0,
            path: format!("signatures/meetings/m/{key}.minisig"),
        }
    }

    fn keys(list: &[Signer]) -> Vec<u8> {
        list.iter().map(|s| s.key.0 as u8).collect()
    }

    #[test]
    fn the_first_arrived_are_seated_and_the_next_wait_in_order() {
        let t = seat(
            vec![
                signer(4, Some(40)),
                signer(1, Some(10)),
                signer(3, Some(30)),
                signer(2, Some(20)),
            ],
            0,
            Some(2),
            100,
            200,
            true,
        );
        assert_eq!(keys(&t.seated), [1, 2]);
        assert_eq!(keys(&t.waiting), [3, 4]);
        assert!(t.full(Some(2)));
        assert_eq!(t.registered(), 4);
    }

    #[test]
    fn a_withdrawal_moves_the_first_waiting_up() {
        // Key 2 took its registration back: it is no longer among those registered.
        let t = seat(
            vec![signer(1, Some(10)), signer(3, Some(30)), signer(4, Some(40))],
            1,
            Some(2),
            100,
            200,
            true,
        );
        assert_eq!(keys(&t.seated), [1, 3]);
        assert_eq!(keys(&t.waiting), [4]);
        assert_eq!(t.withdrawn, 1);
    }

    #[test]
    fn one_commit_seats_by_key_id_and_uncommitted_ones_come_last() {
        let t = seat(
            vec![signer(9, None), signer(7, Some(10)), signer(5, Some(10))],
            0,
            Some(2),
            100,
            50,
            true,
        );
        assert_eq!(keys(&t.seated), [5, 7]);
        assert_eq!(keys(&t.waiting), [9]);
    }

    #[test]
    fn a_registration_after_the_start_is_late_unless_nothing_is_dated() {
        let list = vec![signer(1, Some(10)), signer(2, Some(150))];
        let t = seat(list.clone(), 0, None, 100, 200, true);
        assert_eq!(keys(&t.seated), [1]);
        assert_eq!(keys(&t.late), [2]);
        let undated = seat(list, 0, None, 100, 200, false);
        assert_eq!(keys(&undated.seated), [1, 2]);
        assert!(!undated.full(None));
    }
}

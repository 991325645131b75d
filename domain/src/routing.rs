//! Choosing the agent for a new chat: weighted by the site's priority weights, then the
//! least busy. Pure and deterministic given the random `roll`, which the decision event
//! records, so "why did this agent get this chat?" can be answered and replayed.

use serde::{Deserialize, Serialize};

use crate::ids::UserId;
use crate::site::Priority;

/// An agent who could take the chat, as the router saw them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub user_id: UserId,
    pub priority: Priority,
    pub weight: u8,
    /// Conversations held when the choice was made.
    pub load: u32,
    pub max_chats: u32,
}

impl Candidate {
    pub fn has_free_slot(&self) -> bool {
        self.load < self.max_chats
    }
}

/// The chosen candidate's index. A priority is drawn with probability proportional to the
/// sum of its free agents' weights (so each agent's share follows its own weight); within
/// it, the least loaded agent wins, ties drawn evenly. `roll` is uniform in [0, 1).
pub fn choose(candidates: &[Candidate], roll: f64) -> Option<usize> {
    let free: Vec<usize> = (0..candidates.len()).filter(|&i| candidates[i].has_free_slot() && candidates[i].weight > 0).collect();
    let total: f64 = free.iter().map(|&i| candidates[i].weight as f64).sum();
    if free.is_empty() || total <= 0.0 {
        return None;
    }
    let target = roll.clamp(0.0, 0.999_999_999) * total;
    let mut start = 0.0;
    for priority in Priority::ALL {
        let tier: Vec<usize> = free.iter().copied().filter(|&i| candidates[i].priority == priority).collect();
        let tier_weight: f64 = tier.iter().map(|&i| candidates[i].weight as f64).sum();
        if tier.is_empty() {
            continue;
        }
        if target < start + tier_weight {
            let least = tier.iter().map(|&i| candidates[i].load).min().expect("tier is not empty");
            let ties: Vec<usize> = tier.into_iter().filter(|&i| candidates[i].load == least).collect();
            // Reuse the part of the roll inside this tier to pick among the ties.
            let within = ((target - start) / tier_weight * ties.len() as f64) as usize;
            return Some(ties[within.min(ties.len() - 1)]);
        }
        start += tier_weight;
    }
    free.last().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(priority: Priority, weight: u8, load: u32, max: u32) -> Candidate {
        Candidate { user_id: UserId::new(), priority, weight, load, max_chats: max }
    }

    #[test]
    fn nobody_free_means_no_choice() {
        assert_eq!(choose(&[], 0.3), None);
        assert_eq!(choose(&[c(Priority::High, 3, 2, 2)], 0.3), None);
    }

    #[test]
    fn each_agent_s_share_follows_its_weight() {
        let agents = [c(Priority::High, 3, 0, 5), c(Priority::Normal, 2, 0, 5), c(Priority::Low, 1, 0, 5)];
        let mut counts = [0usize; 3];
        let n = 6000;
        for k in 0..n {
            counts[choose(&agents, (k as f64 + 0.5) / n as f64).unwrap()] += 1;
        }
        assert_eq!(counts, [3000, 2000, 1000]);
    }

    #[test]
    fn within_a_priority_the_least_loaded_wins_and_full_agents_are_skipped() {
        let agents = [c(Priority::High, 3, 2, 5), c(Priority::High, 3, 1, 5), c(Priority::High, 3, 5, 5), c(Priority::Low, 1, 0, 5)];
        // High holds 6/7 of the weight (the full agent does not count).
        for roll in [0.0, 0.3, 0.8] {
            assert_eq!(choose(&agents, roll), Some(1));
        }
        assert_eq!(choose(&agents, 0.9), Some(3));
    }

    #[test]
    fn equally_loaded_agents_share_evenly() {
        let agents = [c(Priority::Normal, 2, 1, 3), c(Priority::Normal, 2, 1, 3)];
        assert_eq!(choose(&agents, 0.1), Some(0));
        assert_eq!(choose(&agents, 0.9), Some(1));
    }
}

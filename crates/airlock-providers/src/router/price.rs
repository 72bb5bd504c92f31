//! What a target's tokens cost.

use crate::types::Usage;

/// US dollars per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Price {
    pub input_per_million: f64,
    pub output_per_million: f64,
}

impl Price {
    /// The cost of `usage` in micro-dollars, rounded up (a dollar per
    /// million tokens is a micro-dollar per token).
    pub fn cost_micro_usd(&self, usage: &Usage) -> u64 {
        let micro = usage.prompt_tokens as f64 * self.input_per_million.max(0.0)
            + usage.completion_tokens as f64 * self.output_per_million.max(0.0);
        // Round to a thousandth first so float noise (150.00000000000003)
        // does not round a whole micro-dollar up.
        let milli_micro = (micro * 1000.0).round();
        if !milli_micro.is_finite() || milli_micro >= u64::MAX as f64 {
            return u64::MAX;
        }
        (milli_micro as u64).div_ceil(1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(prompt: u64, completion: u64) -> Usage {
        Usage {
            prompt_tokens: prompt,
            completion_tokens: completion,
        }
    }

    #[test]
    fn rounds_up_but_not_on_float_noise() {
        let price = Price {
            input_per_million: 0.15,
            output_per_million: 0.6,
        };
        assert_eq!(price.cost_micro_usd(&usage(1000, 0)), 150);
        assert_eq!(price.cost_micro_usd(&usage(1000, 1000)), 750);
        assert_eq!(price.cost_micro_usd(&usage(1, 0)), 1);
        assert_eq!(price.cost_micro_usd(&usage(0, 0)), 0);
        assert_eq!(Price::default().cost_micro_usd(&usage(5, 5)), 0);
        let dear = Price {
            input_per_million: 3.0,
            output_per_million: 15.0,
        };
        assert_eq!(dear.cost_micro_usd(&usage(1_000_000, 100)), 3_001_500);
    }
}

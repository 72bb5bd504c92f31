//! Turns a request's temperature, top-p and seed into candle's token sampler,
//! after checking they make sense.

use airlock_core::{Error, Result};
use candle_transformers::generation::{LogitsProcessor, Sampling};

/// How to pick each next token.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SamplingParams {
    /// 0 = always the most likely token (greedy, deterministic).
    pub temperature: f64,
    /// Nucleus sampling: only the most likely tokens whose probabilities add
    /// up to `top_p` are candidates; 1 = all tokens.
    pub top_p: f64,
    pub seed: u64,
}

impl SamplingParams {
    /// Rejects temperatures outside 0..=100 and top-p outside (0, 1].
    pub fn validate(&self) -> Result<()> {
        if !self.temperature.is_finite() || !(0.0..=100.0).contains(&self.temperature) {
            return Err(Error::invalid_input(format!(
                "temperature {} is out of range",
                self.temperature
            ))
            .with_field("temperature")
            .with_hint("use a value from 0 (greedy) to 2"));
        }
        if !self.top_p.is_finite() || self.top_p <= 0.0 || self.top_p > 1.0 {
            return Err(
                Error::invalid_input(format!("top_p {} is out of range", self.top_p))
                    .with_field("top_p")
                    .with_hint("use a value in (0, 1]; 1 disables nucleus sampling"),
            );
        }
        Ok(())
    }

    /// candle's sampler for these settings.
    pub fn processor(&self) -> LogitsProcessor {
        let sampling = if self.temperature == 0.0 {
            Sampling::ArgMax
        } else if self.top_p >= 1.0 {
            Sampling::All {
                temperature: self.temperature,
            }
        } else {
            Sampling::TopP {
                p: self.top_p,
                temperature: self.temperature,
            }
        };
        LogitsProcessor::from_sampling(self.seed, sampling)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Tensor};

    fn params(temperature: f64, top_p: f64) -> SamplingParams {
        SamplingParams {
            temperature,
            top_p,
            seed: 7,
        }
    }

    #[test]
    fn rejects_bad_values() {
        for bad in [
            params(-0.1, 1.0),
            params(f64::NAN, 1.0),
            params(1.0, 0.0),
            params(1.0, 1.5),
        ] {
            assert!(bad.validate().is_err(), "{bad:?} accepted");
        }
        assert!(params(0.0, 1.0).validate().is_ok());
        assert!(params(0.8, 0.9).validate().is_ok());
    }

    #[test]
    fn temperature_zero_is_argmax() {
        let logits = Tensor::new(&[0.1f32, 3.0, 0.5, 2.9], &Device::Cpu).expect("tensor");
        let mut processor = params(0.0, 0.5).processor();
        for _ in 0..5 {
            assert_eq!(processor.sample(&logits).expect("sample"), 1);
        }
    }

    #[test]
    fn small_top_p_keeps_only_the_top_token() {
        // Token 2 holds nearly all the probability mass; top-p 0.5 must pick it.
        let logits = Tensor::new(&[0.0f32, 0.0, 10.0, 0.0], &Device::Cpu).expect("tensor");
        let mut processor = params(1.0, 0.5).processor();
        for _ in 0..20 {
            assert_eq!(processor.sample(&logits).expect("sample"), 2);
        }
    }
}

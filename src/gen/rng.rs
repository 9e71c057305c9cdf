//! Deterministic pseudo-random streams (SplitMix64 seeding, xoshiro256** output).
//!
//! Written here rather than taken from a crate so that the bytes a seed produces never
//! change with a dependency upgrade. Every unit of parallel work (a commune, a person)
//! derives its own stream from the seed, a tag and an index, so the output does not
//! depend on how work is split across threads.

/// One SplitMix64 step: advances `state` and returns a well-mixed value.
pub(super) fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Hash two values into one (order matters).
pub(super) fn mix(a: u64, b: u64) -> u64 {
    let mut state = a ^ b.wrapping_mul(0xD6E8_FEB8_6659_FD93);
    splitmix64(&mut state) ^ splitmix64(&mut state).rotate_left(17)
}

/// FNV-1a hash of a tag name, so streams can be named in code.
pub(super) const fn tag(name: &str) -> u64 {
    let bytes = name.as_bytes();
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

/// A xoshiro256** generator.
#[derive(Clone, Debug)]
pub(super) struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// Generator seeded from one 64-bit value.
    pub(super) fn new(seed: u64) -> Self {
        let mut state = seed;
        let s = [
            splitmix64(&mut state),
            splitmix64(&mut state),
            splitmix64(&mut state),
            splitmix64(&mut state),
        ];
        Rng { s }
    }

    /// Independent stream for (`seed`, `tag`, `index`).
    pub(super) fn stream(seed: u64, tag: u64, index: u64) -> Self {
        Rng::new(mix(mix(seed, tag), index))
    }

    /// Next 64 random bits.
    pub(super) fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform integer in `0..n` (0 when `n` is 0).
    pub(super) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform index into a collection of `n` items.
    pub(super) fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// Uniform integer in `lo..=hi` (`lo` when the range is empty).
    pub(super) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// Uniform float in `[0, 1)`.
    pub(super) fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    pub(super) fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && self.f64() < p
    }

    /// A uniformly chosen element (the slice must not be empty).
    pub(super) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.index(items.len())]
    }
}

/// A discrete distribution sampled by binary search over cumulative weights.
#[derive(Clone, Debug, Default)]
pub(super) struct Weighted {
    cumulative: Vec<f64>,
}

impl Weighted {
    /// Distribution over indices `0..weights.len()`.
    pub(super) fn new(weights: &[f64]) -> Self {
        let mut total = 0.0;
        let cumulative = weights
            .iter()
            .map(|w| {
                total += w.max(0.0);
                total
            })
            .collect();
        Weighted { cumulative }
    }

    /// Zipf-like weights `1 / (rank + shift)^exponent` for `n` ranked items.
    pub(super) fn zipf(n: usize, shift: f64, exponent: f64) -> Self {
        let weights: Vec<f64> = (0..n)
            .map(|rank| 1.0 / (rank as f64 + shift).powf(exponent))
            .collect();
        Weighted::new(&weights)
    }

    /// Draw an index.
    pub(super) fn sample(&self, rng: &mut Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let x = rng.f64() * total;
        let i = self.cumulative.partition_point(|&c| c <= x);
        i.min(self.cumulative.len().saturating_sub(1))
    }
}

/// A bijection on `0..modulus` used to turn counters into scattered but unique codes;
/// `multiplier` must be coprime with `modulus`.
pub(super) fn scatter(counter: u64, modulus: u64, multiplier: u64, offset: u64) -> u64 {
    ((u128::from(counter % modulus) * u128::from(multiplier) + u128::from(offset))
        % u128::from(modulus)) as u64
}

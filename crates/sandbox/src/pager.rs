//! Opaque pagination positions shared by the vendor modules.
//!
//! A *chain* is one paginated query (same meeting, filters, page size). The first call starts a
//! chain; every page hands out a position for the next offset. Positions are keyed hashes of a
//! per-chain random secret and the offset, never the offset itself, so a client cannot compute
//! them; a position that was never issued, or that belongs to another query, is unknown.
//!
//! Issuing is idempotent: the position for `(chain, offset)` is always the same value, so a client
//! retrying a page with the same position gets the same page and the same next position, whatever
//! faults happened in between.

use std::collections::{HashMap, VecDeque};
use std::ops::Range;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::data::generator;

/// Chains kept before the oldest are forgotten.
const MAX_CHAINS: usize = 100_000;
/// Positions kept before the oldest chains are forgotten.
const MAX_POSITIONS: usize = 2_000_000;

/// Identifies a chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct ChainId(u64);

struct Chain<F, Q> {
    fingerprint: F,
    query: Q,
    secret: u64,
    positions: Vec<i64>,
}

struct Inner<F, Q> {
    chains: HashMap<ChainId, Chain<F, Q>>,
    order: VecDeque<ChainId>,
    positions: HashMap<i64, (ChainId, usize)>,
    next_chain: u64,
    rng: ChaCha8Rng,
}

/// Registry of issued positions. `F` is the query fingerprint a position must match, `Q` the
/// resolved query the chain carries (e.g. the rows and window fixed at its first call).
pub(crate) struct PosRegistry<F, Q> {
    inner: Mutex<Inner<F, Q>>,
    token_salt: u64,
}

/// Maps a hash into `[2^40, 2^62)`: positive, fits `i64`, and never a plausible row offset.
fn to_position(h: u64) -> i64 {
    ((h >> 2) | (1 << 40)) as i64
}

impl<F: Eq + Clone, Q: Clone> PosRegistry<F, Q> {
    /// A registry whose secrets derive from `(seed, label)`.
    pub(crate) fn new(seed: u64, label: &str) -> Self {
        PosRegistry {
            inner: Mutex::new(Inner {
                chains: HashMap::new(),
                order: VecDeque::new(),
                positions: HashMap::new(),
                next_chain: 0,
                rng: ChaCha8Rng::from_seed({
                    let mut r = generator::rng_for(seed, &["positions", label]);
                    let mut s = [0u8; 32];
                    r.fill(&mut s);
                    s
                }),
            }),
            token_salt: generator::hash64(seed, &["token-salt", label]),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut Inner<F, Q>) -> R) -> R {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut g)
    }

    /// Starts a chain for a first-page call.
    pub(crate) fn start(&self, fingerprint: F, query: Q) -> ChainId {
        self.with(|st| {
            while st.chains.len() >= MAX_CHAINS || st.positions.len() >= MAX_POSITIONS {
                let Some(old) = st.order.pop_front() else {
                    break;
                };
                if let Some(c) = st.chains.remove(&old) {
                    for p in c.positions {
                        st.positions.remove(&p);
                    }
                }
            }
            let id = ChainId(st.next_chain);
            st.next_chain += 1;
            let secret = st.rng.random();
            st.chains.insert(
                id,
                Chain {
                    fingerprint,
                    query,
                    secret,
                    positions: Vec::new(),
                },
            );
            st.order.push_back(id);
            id
        })
    }

    /// The position of `offset` in `chain` (the same value every time it is asked).
    pub(crate) fn issue(&self, chain: ChainId, offset: usize) -> i64 {
        self.with(|st| {
            let Some(c) = st.chains.get(&chain) else {
                // Evicted chain: hand out something that resolves to nothing.
                return to_position(generator::splitmix(chain.0 ^ offset as u64));
            };
            let mut h =
                generator::splitmix(c.secret ^ (offset as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            loop {
                let pos = to_position(h);
                match st.positions.get(&pos) {
                    Some(&(ch, off)) if ch == chain && off == offset => return pos,
                    Some(_) => h = generator::splitmix(h),
                    None => {
                        st.positions.insert(pos, (chain, offset));
                        if let Some(c) = st.chains.get_mut(&chain) {
                            c.positions.push(pos);
                        }
                        return pos;
                    }
                }
            }
        })
    }

    /// Resolves a position issued for a query with this fingerprint.
    pub(crate) fn resolve(&self, pos: i64, fingerprint: &F) -> Option<(ChainId, usize, Q)> {
        self.with(|st| {
            let &(chain, offset) = st.positions.get(&pos)?;
            let c = st.chains.get(&chain)?;
            (c.fingerprint == *fingerprint).then(|| (chain, offset, c.query.clone()))
        })
    }

    /// A position as an opaque string (for vendors whose cursors are strings): URL-safe Base64
    /// of the salted value.
    pub(crate) fn token_of(&self, pos: i64) -> String {
        let v = (pos as u64) ^ self.token_salt;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_be_bytes())
    }

    /// Inverse of [`PosRegistry::token_of`]; `None` for anything that is not such a token.
    pub(crate) fn pos_of_token(&self, token: &str) -> Option<i64> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token)
            .ok()?;
        let arr: [u8; 8] = bytes.try_into().ok()?;
        Some((u64::from_be_bytes(arr) ^ self.token_salt) as i64)
    }
}

/// A chain over one list of a rendered meeting (an attendee list), resolved at its first call
/// (a default window is fixed then): the rendering, which of its lists, and the rows selected.
pub(crate) struct ListChain<R> {
    pub rendered: Arc<R>,
    pub list: usize,
    pub rows: Range<usize>,
}

/// `(from, to)`: the rows of a page of `size` starting at `offset`, within `total` rows.
pub(crate) fn page(offset: usize, size: usize, total: usize) -> (usize, usize) {
    (offset.min(total), offset.saturating_add(size).min(total))
}

/// Appends pre-serialized JSON `rows` to `out`, separated by commas (the inside of an array).
pub(crate) fn push_joined<'a>(out: &mut String, rows: impl IntoIterator<Item = &'a str>) {
    for (i, r) in rows.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_opaque_idempotent_and_scoped() {
        let r: PosRegistry<&str, u32> = PosRegistry::new(1, "t");
        let a = r.start("q1", 7);
        let b = r.start("q1", 7);
        let pa = r.issue(a, 100);
        assert_eq!(pa, r.issue(a, 100), "idempotent");
        assert!(pa > 1 << 40, "not an offset");
        assert_ne!(pa, r.issue(b, 100), "per-chain secret");
        assert_eq!(r.resolve(pa, &"q1"), Some((a, 100, 7)));
        assert_eq!(r.resolve(pa, &"q2"), None, "other query");
        assert_eq!(r.resolve(pa + 1, &"q1"), None, "never issued");
        assert_eq!(r.resolve(100, &"q1"), None);
        let t = r.token_of(pa);
        assert_eq!(r.pos_of_token(&t), Some(pa));
        assert_eq!(r.pos_of_token("garbage!"), None);
    }

    #[test]
    fn pages_and_joined_rows() {
        assert_eq!(page(0, 20, 45), (0, 20));
        assert_eq!(page(40, 20, 45), (40, 45));
        assert_eq!(page(50, 20, 45), (45, 45));
        assert_eq!(page(1, usize::MAX, 45), (1, 45));
        let mut out = String::from("[");
        push_joined(&mut out, ["{}", "1", "\"a\""]);
        push_joined(&mut out, []);
        out.push(']');
        assert_eq!(out, "[{},1,\"a\"]");
    }

    #[test]
    fn same_seed_same_positions() {
        let r1: PosRegistry<u8, ()> = PosRegistry::new(5, "x");
        let r2: PosRegistry<u8, ()> = PosRegistry::new(5, "x");
        let (c1, c2) = (r1.start(0, ()), r2.start(0, ()));
        assert_eq!(r1.issue(c1, 20), r2.issue(c2, 20));
    }
}

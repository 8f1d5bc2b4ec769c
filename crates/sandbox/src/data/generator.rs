//! Deterministic generator helpers shared by the vendor modules: seeded random streams, names,
//! phone numbers, ids and join sessions.
//!
//! Every stream is derived from the sandbox seed plus a label (`rng_for(seed, &["tencent",
//! "large-60000"])`), so data does not depend on the order meetings are first accessed.

use base64::Engine as _;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};

/// A ChaCha8 stream for `(seed, parts…)`; independent for different parts.
pub(crate) fn rng_for(seed: u64, parts: &[&str]) -> ChaCha8Rng {
    let mut h = Sha256::new();
    h.update(seed.to_le_bytes());
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    let digest = h.finalize();
    let mut bytes = [0u8; 32];
    bytes.copy_from_slice(&digest);
    ChaCha8Rng::from_seed(bytes)
}

/// A 64-bit value derived from `(seed, parts…)` (for salts and bases that need no stream).
pub(crate) fn hash64(seed: u64, parts: &[&str]) -> u64 {
    rng_for(seed, parts).random()
}

/// The SplitMix64 finalizer: a well-mixed 64-bit value from any input (for derived values that
/// need no stream: positions, per-session hashes).
pub(crate) fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `n` decimal digits, the first one non-zero.
pub(crate) fn digits(rng: &mut impl Rng, n: usize) -> String {
    let mut s = String::with_capacity(n);
    for i in 0..n {
        let d = if i == 0 {
            rng.random_range(1..=9u8)
        } else {
            rng.random_range(0..=9u8)
        };
        s.push(char::from(b'0' + d));
    }
    s
}

/// `n` lower-case hex characters.
pub(crate) fn hex_chars(rng: &mut impl Rng, n: usize) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    (0..n)
        .map(|_| char::from(HEX[rng.random_range(0..16usize)]))
        .collect()
}

/// A stable per-meeting temporary id (Tencent `ms_open_id`, WeCom `tmp_openid`): URL-safe Base64
/// of a hash of `(seed, vendor, meeting, person)`, 24 characters.
pub(crate) fn temp_id(seed: u64, vendor: &str, meeting_id: &str, person: &str) -> String {
    let mut h = Sha256::new();
    h.update(seed.to_le_bytes());
    for p in [vendor, meeting_id, person] {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    let d = h.finalize();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&d[..18])
}

/// A mainland mobile number (11 digits starting with 13–19).
pub(crate) fn phone(rng: &mut impl Rng) -> String {
    let second = rng.random_range(3..=9u8);
    format!("1{}{}", second, digits_any(rng, 9))
}

fn digits_any(rng: &mut impl Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.random_range(0..=9u8)))
        .collect()
}

/// A public-looking IPv4 address.
pub(crate) fn ipv4(rng: &mut impl Rng) -> String {
    format!(
        "{}.{}.{}.{}",
        rng.random_range(1..=223u8),
        rng.random_range(0..=255u8),
        rng.random_range(0..=255u8),
        rng.random_range(1..=254u8)
    )
}

/// Names: common Chinese names, Latin names, emoji, empty and other awkward strings.
pub(crate) mod names {
    use rand::Rng;

    const SURNAMES: [&str; 24] = [
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
        "郭", "何", "高", "林", "罗", "欧阳", "司马", "诸葛", "上官",
    ];
    const GIVEN: [&str; 24] = [
        "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
        "明", "超", "秀英", "华", "慧", "建国", "子涵", "梓萱", "浩然",
    ];
    const LATIN: [&str; 12] = [
        "Alice", "Bob", "Carol", "David", "Emma", "Frank", "Grace", "Henry", "Iris", "Jack",
        "Kevin", "Lucy",
    ];
    /// Emoji, including multi-code-point sequences (ZWJ, flags, skin tones).
    pub(crate) const EMOJI: [&str; 8] = [
        "小明😀",
        "🎉 Party Host",
        "👩‍💻 Dev",
        "🇨🇳 Team",
        "👍🏽 Li",
        "🐼",
        "Ana 🌸",
        "🚀🚀🚀",
    ];
    /// Strings that trip naive code: quotes, backslashes, markup, control-free whitespace,
    /// right-to-left text, a very long name.
    pub(crate) const AWKWARD: [&str; 7] = [
        "O'Brien \"Bob\"",
        "back\\slash",
        "<b>not bold</b>",
        "  spaced  out  ",
        "مرحبا",
        "Zoë Ångström",
        "一个非常非常非常非常非常非常非常非常非常非常非常非常非常非常长的名字",
    ];

    /// A Chinese name (surname + one or two given characters).
    pub(crate) fn chinese(rng: &mut impl Rng) -> String {
        let s = SURNAMES[rng.random_range(0..SURNAMES.len())];
        let g = GIVEN[rng.random_range(0..GIVEN.len())];
        if rng.random_bool(0.3) {
            let g2 = GIVEN[rng.random_range(0..GIVEN.len())];
            format!("{s}{g}{g2}")
        } else {
            format!("{s}{g}")
        }
    }

    /// A Latin name with a pinyin surname.
    pub(crate) fn latin(rng: &mut impl Rng) -> String {
        const PINYIN: [&str; 8] = [
            "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao",
        ];
        format!(
            "{} {}",
            LATIN[rng.random_range(0..LATIN.len())],
            PINYIN[rng.random_range(0..PINYIN.len())]
        )
    }

    /// A display name drawn from the mix: mostly Chinese, some Latin, a few emoji, awkward or
    /// empty ones.
    pub(crate) fn person(rng: &mut impl Rng) -> String {
        match rng.random_range(0..100u32) {
            0..=64 => chinese(rng),
            65..=86 => latin(rng),
            87..=93 => EMOJI[rng.random_range(0..EMOJI.len())].to_owned(),
            94..=97 => AWKWARD[rng.random_range(0..AWKWARD.len())].to_owned(),
            _ => String::new(),
        }
    }
}

/// Join sessions of one person inside `[start, end]`: `count` non-overlapping sessions in time
/// order with distinct join times, each 30 s to 4 h long; each leaves at or before `end`. Spans
/// shorter than two minutes per session are widened to that.
pub(crate) fn sessions(rng: &mut impl Rng, start: i64, end: i64, count: usize) -> Vec<(i64, i64)> {
    let count = count.max(1) as i64;
    let span = (end - start).max(120 * count);
    let slot = span / count;
    // Sessions last from 30 s to half a slot, at most four hours.
    let longest = (slot / 2).clamp(31, 4 * 3600);
    (0..count)
        .map(|i| {
            let s = start + i * slot;
            let len = rng.random_range(30..longest);
            let join = s + rng.random_range(0..(slot - len).max(1));
            (join, join + len)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_stable_and_independent() {
        let a: u64 = rng_for(1, &["tencent", "x"]).random();
        assert_eq!(a, rng_for(1, &["tencent", "x"]).random::<u64>());
        assert_ne!(a, rng_for(2, &["tencent", "x"]).random::<u64>());
        assert_ne!(a, rng_for(1, &["tencentx", ""]).random::<u64>());
        assert_eq!(temp_id(1, "t", "m", "p").len(), 24);
        assert_ne!(temp_id(1, "t", "m", "p"), temp_id(1, "t", "m", "q"));
    }

    #[test]
    fn values_have_their_shapes() {
        let mut r = rng_for(3, &[]);
        for _ in 0..200 {
            let d = digits(&mut r, 19);
            assert_eq!(d.len(), 19);
            assert_ne!(d.as_bytes()[0], b'0');
            let p = phone(&mut r);
            assert_eq!(p.len(), 11);
            assert!(p.starts_with('1'));
            let h = hex_chars(&mut r, 8);
            assert!(h.bytes().all(|b| b.is_ascii_hexdigit()));
            let _ = names::person(&mut r);
        }
    }

    #[test]
    fn sessions_are_ordered_and_inside_the_span() {
        let mut r = rng_for(4, &[]);
        for count in 1..5 {
            let s = sessions(&mut r, 1000, 4600, count);
            assert_eq!(s.len(), count);
            for w in s.windows(2) {
                assert!(w[0].1 <= w[1].0, "{s:?}");
            }
            for (j, l) in s {
                assert!(1000 <= j && j < l && l <= 4600);
            }
        }
    }
}

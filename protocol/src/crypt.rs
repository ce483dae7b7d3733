//! Packet encryption ("swap multiples", flip, interleave) and the Init challenge hash.
//!
//! The body of a packet is everything after the 2 length bytes: action, family, the
//! sequence (client packets only) and the payload. [`encrypt`] and [`decrypt`] transform a
//! whole body in place, without allocating:
//!
//! - encrypt: [`swap_multiples`], then [`flip`], then [`interleave`];
//! - decrypt: [`deinterleave`], then [`flip`], then [`swap_multiples`].
//!
//! The flip step works byte by byte (8 at a time), so its place in the order does not matter.
//!
//! Every function here is total: it accepts any input and never panics.

use rand::Rng;

/// The smallest encryption multiple a server hands out (inclusive).
pub const MIN_MULTIPLE: u8 = 6;
/// The largest encryption multiple a server hands out (inclusive).
pub const MAX_MULTIPLE: u8 = 12;

/// The largest challenge for which [`server_verification_hash`] is well defined.
///
/// With `c = challenge + 1`, the hash contains `11_092_004 - c`. Above this bound that term is
/// negative: signed implementations (eolib, eolib-ts, eolib-python, the official client) and
/// unsigned ones (EOSERV) then disagree, and the result can be negative. A server must reject a
/// larger challenge; a client must never send one (see [`generate_challenge`]).
pub const MAX_CHALLENGE: u32 = 11_092_003;

/// (De)interleaving goes through a stack buffer of the smallest of these sizes that holds the
/// body (so a short body does not pay for clearing a large buffer). The largest, 8 KiB (the
/// size `std::io::copy` puts on the stack), is also the base case of the in-place algorithm
/// used for longer bodies.
const SCRATCH_SMALL: usize = 64;
const SCRATCH_MEDIUM: usize = 512;
const SCRATCH_BIG: usize = 2048;
const SCRATCH_LARGE: usize = 8192;

/// The multiplier of the divisibility test by `d >= 2`: `c = ceil(2^16 / d)`.
///
/// A byte `x` is a multiple of `d` exactly when `x * c mod 2^16 < c` (Lemire, Kaser and Kurz,
/// "Faster remainder by direct computation", 2019; 16 bits suffice for 8-bit `x` and `d`, which
/// a test checks exhaustively). One 16-bit multiply per byte instead of a division, and it
/// vectorizes.
#[inline(always)]
fn divisibility_magic(d: u8) -> u16 {
    MAGIC[usize::from(d)]
}

/// [`divisibility_magic`] for every divisor from 2 (0 and 1 are handled apart), computed at
/// compile time so that no call pays for a division.
const MAGIC: [u16; 256] = {
    let mut table = [0u16; 256];
    let mut d = 2;
    while d < 256 {
        table[d] = u16::MAX / d as u16 + 1;
        d += 1;
    }
    table
};

/// 1 if `x` is a multiple (see [`divisibility_magic`]), else 0.
///
/// `product < magic` with only subtraction and bit operations, because baseline x86-64 (SSE2)
/// has no unsigned 16-bit vector comparison and the compiler would otherwise fall back to
/// scalar code. As `magic <= 2^15`: if `product < magic`, then `product < 2^15` and
/// `product - magic` wraps to at least `2^15`, so both top bits below are set; otherwise either
/// `product >= 2^15` or `product - magic < 2^15`, and one of them is clear.
#[inline(always)]
fn multiple_flag(x: u8, magic: u16) -> u8 {
    let product = u16::from(x).wrapping_mul(magic);
    ((product.wrapping_sub(magic) & !product) >> 15) as u8
}

/// The bits below `k` (all 64 for `k >= 64`).
#[inline(always)]
fn low_bits(k: usize) -> u64 {
    if k >= 64 { u64::MAX } else { (1u64 << k) - 1 }
}

/// Reverses `buf[from..to]` (nothing if the range is not inside `buf`).
#[inline(always)]
fn reverse_range(buf: &mut [u8], from: usize, to: usize) {
    if let Some(run) = buf.get_mut(from..to) {
        run.reverse();
    }
}

/// The bitmask of the 64 bytes of `block` whose `flag` is 1: bit `k` for byte `k`.
///
/// `flag` runs over the bytes into an array (branch-free, vectorized), then each 8 flags
/// (bytes 0 or 1) are gathered into 8 bits with one multiplication: with
/// `M = 0x0102_0408_1020_4080`, the top byte of `flags * M` is `sum(flag[i] << i)`.
#[inline(always)]
fn match_mask(block: &[u8; 64], flag: impl Fn(u8) -> u8) -> u64 {
    const GATHER: u64 = 0x0102_0408_1020_4080;
    let mut flags = [0u8; 64];
    for (f, &b) in flags.iter_mut().zip(block.iter()) {
        *f = flag(b);
    }
    let mut mask = 0u64;
    for (group, eight) in flags.chunks_exact(8).enumerate() {
        let mut word = [0u8; 8];
        word.copy_from_slice(eight);
        mask |= (u64::from_le_bytes(word).wrapping_mul(GATHER) >> 56) << (group * 8);
    }
    mask
}

/// The mask of the (up to) 64 bytes of `buf` from `base`; bits past the end are clear.
#[inline(always)]
fn block_mask(buf: &[u8], base: usize, flag: impl Fn(u8) -> u8 + Copy) -> u64 {
    let rest = buf.get(base..).unwrap_or(&[]);
    if let Some(block) = rest.first_chunk::<64>() {
        return match_mask(block, flag);
    }
    let len = rest.len();
    match buf.last_chunk::<64>() {
        // The tail of a long body: the last 64 bytes overlap the previous block; drop those bits.
        Some(window) => match_mask(window, flag) >> (64 - len),
        // A body shorter than 64 bytes: pad it, and clear the padding's bits.
        None => {
            let mut block = [0u8; 64];
            if let (Some(to), Some(from)) = (block.get_mut(..len), rest.get(..len)) {
                to.copy_from_slice(from);
            }
            match_mask(&block, flag) & low_bits(len)
        }
    }
}

/// Bodies shorter than this take [`reverse_runs_short`].
const SHORT_SWAP: usize = 20;

/// The runs of a short body (below [`SHORT_SWAP`]; correct for any body under 64 bytes, whose
/// mask fits one word). Typical packets are this short. The mask is built one byte
/// at a time (a multiply, a shift and an or per byte): for very short bodies that is cheaper
/// than [`block_mask`]'s padding, and it keeps this path small enough to inline.
#[inline(always)]
fn reverse_runs_short(buf: &mut [u8], flag: impl Fn(u8) -> u8) {
    let mut mask = 0u64;
    for &b in buf.iter().rev() {
        mask = (mask << 1) | u64::from(flag(b));
    }
    if mask & (mask >> 1) == 0 {
        // No two neighbours match: nothing to reverse.
        return;
    }
    while mask != 0 {
        let from = mask.trailing_zeros() as usize;
        let to = from + (!(mask >> from)).trailing_zeros() as usize;
        if to - from >= 2 {
            reverse_range(buf, from, to);
        }
        mask &= !low_bits(to);
    }
}

/// Reverses every maximal run of 2 or more bytes whose `flag` is 1 (`flag` returns 0 or 1).
///
/// Works on blocks of 64 bytes: a bitmask of the matching bytes shows at once whether the block
/// holds a run of 2 or more or one that reaches its end; most blocks hold neither and are
/// skipped. Reversing a run does not change which positions match, so a mask stays valid while
/// its block is being rearranged.
#[inline(always)]
fn reverse_runs(buf: &mut [u8], flag: impl Fn(u8) -> u8 + Copy) {
    const BLOCK: usize = 64;
    let n = buf.len();
    // The start of a run that reached the end of the previous block.
    let mut open_run: Option<usize> = None;
    let mut base = 0;
    while base < n {
        let end = (base + BLOCK).min(n);
        let block_len = end - base;
        let mut mask = block_mask(buf, base, flag);
        let last_bit = 1u64 << ((block_len - 1) & 63);
        if open_run.is_none() && mask & (mask >> 1) == 0 && mask & last_bit == 0 {
            base = end;
            continue;
        }
        if let Some(start) = open_run {
            let ones = (!mask).trailing_zeros() as usize;
            if ones >= block_len {
                // The whole block continues the run.
                base = end;
                continue;
            }
            if base + ones - start >= 2 {
                reverse_range(buf, start, base + ones);
            }
            open_run = None;
            mask &= !low_bits(ones);
        }
        while mask != 0 {
            let from = mask.trailing_zeros() as usize;
            let ones = (!(mask >> from)).trailing_zeros() as usize;
            let to = from + ones;
            if to >= block_len {
                open_run = Some(base + from);
                break;
            }
            if ones >= 2 {
                reverse_range(buf, base + from, base + to);
            }
            mask &= !low_bits(to);
        }
        base = end;
    }
    if let Some(start) = open_run {
        reverse_range(buf, start, n);
    }
}

/// Reverses, in place, every maximal run of two or more consecutive bytes that are multiples of
/// `multiple` (0 counts as a multiple of everything). The operation is its own inverse.
///
/// With `multiple == 0` only zero bytes count (the `u8::is_multiple_of` rule, as eolib).
///
/// `[10, 21, 27]` with multiple 3 becomes `[10, 27, 21]`.
#[inline]
pub fn swap_multiples(buf: &mut [u8], multiple: u8) {
    match multiple {
        // Every byte is a multiple of 1: the whole body is one run.
        1 => buf.reverse(),
        d if buf.len() < SHORT_SWAP => {
            if d == 0 {
                reverse_runs_short(buf, |b| u8::from(b == 0));
            } else {
                let magic = divisibility_magic(d);
                reverse_runs_short(buf, move |b| multiple_flag(b, magic));
            }
        }
        d => swap_multiples_long(buf, d),
    }
}

/// [`swap_multiples`] for bodies of [`SHORT_SWAP`] bytes or more, kept out of line so that the
/// short path stays small.
#[inline(never)]
fn swap_multiples_long(buf: &mut [u8], multiple: u8) {
    if multiple == 0 {
        reverse_runs(buf, |b| u8::from(b == 0));
    } else {
        let magic = divisibility_magic(multiple);
        reverse_runs(buf, move |b| multiple_flag(b, magic));
    }
}

/// The flip step on one byte: XOR 0x80 unless the low 7 bits are all zero (0x00 and 0x80 stay).
#[inline(always)]
fn flip_byte(b: u8) -> u8 {
    b ^ (u8::from(b & 0x7F != 0) << 7)
}

/// Applies the flip step to every byte: XOR with 0x80, except 0x00 and 0x80, which stay as they
/// are. The operation is its own inverse.
///
/// Works on 8 bytes at a time: `((x & 0x7F..) + 0x7F..) & 0x80..` has the top bit of each byte
/// set exactly where its low 7 bits are not all zero (no carry crosses a byte).
pub fn flip(buf: &mut [u8]) {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut words = buf.chunks_exact_mut(8);
    for word in &mut words {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        let x = u64::from_le_bytes(bytes);
        word.copy_from_slice(&(x ^ (((x & LOW7) + LOW7) & HIGH)).to_le_bytes());
    }
    for b in words.into_remainder() {
        *b = flip_byte(*b);
    }
}

/// Interleaves in place: output position `2k` takes input `k` and position `2k + 1` takes input
/// `n - 1 - k`. `[0 1 2 3 4 5]` becomes `[0 5 1 4 2 3]`; `[0 1 2 3 4]` becomes `[0 4 1 3 2]`.
pub fn interleave(buf: &mut [u8]) {
    match buf.len() {
        n if n <= SCRATCH_SMALL => via_stack::<SCRATCH_SMALL>(buf, interleave_via),
        n if n <= SCRATCH_MEDIUM => via_stack::<SCRATCH_MEDIUM>(buf, interleave_via),
        n if n <= SCRATCH_BIG => via_stack::<SCRATCH_BIG>(buf, interleave_via),
        n if n <= SCRATCH_LARGE => via_stack::<SCRATCH_LARGE>(buf, interleave_via),
        _ => interleave_large(buf),
    }
}

/// The inverse of [`interleave`]. `[0 1 2 3 4 5]` becomes `[0 2 4 5 3 1]`.
pub fn deinterleave(buf: &mut [u8]) {
    match buf.len() {
        n if n <= SCRATCH_SMALL => via_stack::<SCRATCH_SMALL>(buf, deinterleave_via),
        n if n <= SCRATCH_MEDIUM => via_stack::<SCRATCH_MEDIUM>(buf, deinterleave_via),
        n if n <= SCRATCH_BIG => via_stack::<SCRATCH_BIG>(buf, deinterleave_via),
        n if n <= SCRATCH_LARGE => via_stack::<SCRATCH_LARGE>(buf, deinterleave_via),
        _ => deinterleave_large(buf),
    }
}

/// Runs `f(buf, tmp)` with `tmp` a zeroed stack buffer of `buf`'s length (`buf` holds at most
/// `N` bytes; a longer one is left alone).
#[inline(always)]
fn via_stack<const N: usize>(buf: &mut [u8], f: impl FnOnce(&mut [u8], &mut [u8])) {
    let mut tmp = [0u8; N];
    if let Some(tmp) = tmp.get_mut(..buf.len()) {
        f(buf, tmp);
    }
}

/// Interleaves `buf` through `tmp`, which has the same length.
///
/// The back half is reversed in `tmp` first, so the main loop reads both halves forwards
/// (which vectorizes).
#[inline(always)]
fn interleave_via(buf: &mut [u8], tmp: &mut [u8]) {
    let n = buf.len();
    let half = n.div_ceil(2);
    let pairs = n / 2;
    tmp.copy_from_slice(buf);
    let (front, back) = tmp.split_at_mut(half);
    back.reverse();
    let (front, back) = (&front[..pairs], &back[..pairs]);
    let out = &mut buf[..2 * pairs];
    for k in 0..pairs {
        out[2 * k] = front[k];
        out[2 * k + 1] = back[k];
    }
    // An odd length leaves the middle byte (the last of the front half) for the last position.
    if let (1, Some(last), Some(&middle)) = (n % 2, buf.last_mut(), tmp.get(pairs)) {
        *last = middle;
    }
}

/// Deinterleaves `buf` through `tmp`, which has the same length.
///
/// The even and the odd bytes are split 8 source bytes at a time with shifts and masks
/// (the compiler does not vectorize stride-2 loads on baseline x86-64), both halves are
/// written forwards, and the back half is reversed afterwards.
#[inline(always)]
fn deinterleave_via(buf: &mut [u8], tmp: &mut [u8]) {
    let n = buf.len();
    let half = n.div_ceil(2);
    let pairs = n / 2;
    tmp.copy_from_slice(buf);
    let (front, back) = buf.split_at_mut(half);
    let (src, evens, odds) = (&tmp[..2 * pairs], &mut front[..pairs], &mut back[..pairs]);
    if pairs < 16 {
        for k in 0..pairs {
            evens[k] = src[2 * k];
            odds[k] = src[2 * k + 1];
        }
    } else {
        split_pairs(src, evens, odds);
    }
    if let (1, Some(middle), Some(&last)) = (n % 2, front.last_mut(), tmp.last()) {
        *middle = last;
    }
    back.reverse();
}

/// `evens[k] = src[2k]` and `odds[k] = src[2k + 1]` (`src` is twice as long as the others),
/// 8 source bytes at a time.
#[inline(always)]
fn split_pairs(src: &[u8], evens: &mut [u8], odds: &mut [u8]) {
    let mut eights = src.chunks_exact(8);
    let mut even_fours = evens.chunks_exact_mut(4);
    let mut odd_fours = odds.chunks_exact_mut(4);
    for ((eight, even), odd) in (&mut eights).zip(&mut even_fours).zip(&mut odd_fours) {
        let mut word = [0u8; 8];
        word.copy_from_slice(eight);
        let x = u64::from_le_bytes(word);
        even.copy_from_slice(&even_bytes(x).to_le_bytes());
        odd.copy_from_slice(&even_bytes(x >> 8).to_le_bytes());
    }
    let rest = eights.remainder().chunks_exact(2);
    let outs = even_fours
        .into_remainder()
        .iter_mut()
        .zip(odd_fours.into_remainder());
    for (pair, (even, odd)) in rest.zip(outs) {
        if let [x, y] = pair {
            *even = *x;
            *odd = *y;
        }
    }
}

/// Bytes 0, 2, 4 and 6 of `x`, packed.
#[inline(always)]
fn even_bytes(x: u64) -> u32 {
    let t = x & 0x00FF_00FF_00FF_00FF;
    let t = (t | (t >> 8)) & 0x0000_FFFF_0000_FFFF;
    (t | (t >> 16)) as u32
}

/// In-place interleave for long bodies.
///
/// Interleave = reverse the back half, then a perfect shuffle `A1..Am B1..Bm -> A1 B1 .. Am Bm`.
/// For an odd length the middle byte (last of the front half) ends last, so it is rotated out of
/// the way first. The shuffle itself is divide and conquer with rotations (O(n log n) moves, no
/// allocation), falling back to a stack buffer of [`SCRATCH_LARGE`] bytes.
fn interleave_large(buf: &mut [u8]) {
    let mut scratch = [0u8; SCRATCH_LARGE];
    let n = buf.len();
    let half = n.div_ceil(2);
    if let Some(back) = buf.get_mut(half..) {
        back.reverse();
    }
    if n % 2 == 1 {
        if let Some(tail) = buf.get_mut(half - 1..) {
            tail.rotate_left(1);
        }
        if let Some(even) = buf.get_mut(..n - 1) {
            shuffle_even(even, &mut scratch);
        }
    } else {
        shuffle_even(buf, &mut scratch);
    }
}

/// The inverse of [`interleave_large`].
fn deinterleave_large(buf: &mut [u8]) {
    let mut scratch = [0u8; SCRATCH_LARGE];
    let n = buf.len();
    let half = n.div_ceil(2);
    if n % 2 == 1 {
        if let Some(even) = buf.get_mut(..n - 1) {
            unshuffle_even(even, &mut scratch);
        }
        if let Some(tail) = buf.get_mut(half - 1..) {
            tail.rotate_right(1);
        }
    } else {
        unshuffle_even(buf, &mut scratch);
    }
    if let Some(back) = buf.get_mut(half..) {
        back.reverse();
    }
}

/// Perfect shuffle of an even-length slice: `A1..Am B1..Bm -> A1 B1 A2 B2 .. Am Bm`.
fn shuffle_even(buf: &mut [u8], scratch: &mut [u8]) {
    let n = buf.len();
    let m = n / 2;
    if let Some(tmp) = scratch.get_mut(..n) {
        tmp.copy_from_slice(buf);
        let (front, back) = tmp.split_at(m);
        for ((pair, &a), &b) in buf.chunks_exact_mut(2).zip(front).zip(back) {
            if let [x, y] = pair {
                *x = a;
                *y = b;
            }
        }
        return;
    }
    // A1 A2 B1 B2 -> A1 B1 A2 B2, then shuffle (A1 B1) and (A2 B2).
    let m1 = m / 2;
    buf[m1..m + m1].rotate_left(m - m1);
    let (left, right) = buf.split_at_mut(2 * m1);
    shuffle_even(left, scratch);
    shuffle_even(right, scratch);
}

/// The inverse of [`shuffle_even`]: `A1 B1 A2 B2 .. Am Bm -> A1..Am B1..Bm`.
fn unshuffle_even(buf: &mut [u8], scratch: &mut [u8]) {
    let n = buf.len();
    let m = n / 2;
    if let Some(tmp) = scratch.get_mut(..n) {
        tmp.copy_from_slice(buf);
        let (front, back) = buf.split_at_mut(m);
        for ((pair, a), b) in tmp.chunks_exact(2).zip(front).zip(back) {
            if let [x, y] = pair {
                *a = *x;
                *b = *y;
            }
        }
        return;
    }
    let m1 = m / 2;
    {
        let (left, right) = buf.split_at_mut(2 * m1);
        unshuffle_even(left, scratch);
        unshuffle_even(right, scratch);
    }
    // A1 B1 A2 B2 -> A1 A2 B1 B2.
    buf[m1..m + m1].rotate_left(m1);
}

/// Whether a body is transformed at all (see [`encrypt`]).
#[inline(always)]
fn is_transformed(body: &[u8], multiple: u8) -> bool {
    multiple != 0 && body.len() > 2 && !body.starts_with(&[0xFF, 0xFF])
}

/// Encrypts a packet body in place with the sender's multiple.
///
/// `body` is the whole body (action, family, sequence if any, payload) and never the 2 length
/// bytes; its length does not change.
///
/// Nothing is done when:
/// - `multiple == 0`: no multiple has been negotiated yet (EOSERV's convention);
/// - the body starts with `FF FF` (Init_Init, including file transfers);
/// - the body is 2 bytes or shorter.
///
/// **Differs from eolib:** `eolib::encrypt::encrypt_packet(buf, 0)` still flips and interleaves
/// (only the swap step finds nothing to do); here multiple 0 means "not negotiated" and leaves the
/// body alone. For multiples 1..=255 the result is identical to eolib's.
pub fn encrypt(body: &mut [u8], multiple: u8) {
    if !is_transformed(body, multiple) {
        return;
    }
    swap_multiples(body, multiple);
    flip(body);
    interleave(body);
}

/// Decrypts a packet body in place with the sender's multiple: the inverse of [`encrypt`], with
/// the same skip rule (multiple 0, a body starting with `FF FF`, a body of 2 bytes or fewer).
///
/// **Differs from eolib:** `eolib::encrypt::decrypt_packet(buf, 0)` still transforms; here it is
/// a no-op.
pub fn decrypt(body: &mut [u8], multiple: u8) {
    if !is_transformed(body, multiple) {
        return;
    }
    deinterleave(body);
    flip(body);
    swap_multiples(body, multiple);
}

/// Picks an encryption multiple uniformly in [`MIN_MULTIPLE`]`..=`[`MAX_MULTIPLE`].
pub fn generate_multiple(rng: &mut (impl Rng + ?Sized)) -> u8 {
    rng.random_range(MIN_MULTIPLE..=MAX_MULTIPLE)
}

/// Picks a challenge for a client's Init_Init uniformly in `1..=`[`MAX_CHALLENGE`], the range in
/// which every implementation of the hash agrees.
pub fn generate_challenge(rng: &mut (impl Rng + ?Sized)) -> u32 {
    rng.random_range(1..=MAX_CHALLENGE)
}

/// The server's answer to a client's Init challenge (the "challenge response").
///
/// With `c = challenge + 1`:
///
/// ```text
/// 110905 + (c % 9 + 1) * ((11092004 - c) % ((c % 11 + 1) * 119)) * 119 + c % 2004
/// ```
///
/// computed in `i64` with Rust's truncating remainder, so it is defined for every `u32` without
/// overflow or panic.
///
/// - For `challenge <= MAX_CHALLENGE` the result equals eolib's `i32` result (and EOSERV's,
///   and the official client's), and is at most 1 811 038, so it fits the `three` field.
/// - Above [`MAX_CHALLENGE`] the signed formula can go negative; a negative result is returned
///   as 0. Non-negative results still equal eolib's (e.g. 11 092 110 gives 11 016), but EOSERV
///   computes something else there: a server must reject such a challenge (see
///   [`checked_server_verification_hash`]).
pub fn server_verification_hash(challenge: u32) -> u32 {
    let c = i64::from(challenge) + 1;
    let value = 110_905 + (c % 9 + 1) * ((11_092_004 - c) % ((c % 11 + 1) * 119)) * 119 + c % 2004;
    u32::try_from(value).unwrap_or(0)
}

/// [`server_verification_hash`] for a challenge a server accepts: `None` above
/// [`MAX_CHALLENGE`], where implementations disagree and the server must reject the client.
pub fn checked_server_verification_hash(challenge: u32) -> Option<u32> {
    (challenge <= MAX_CHALLENGE).then(|| server_verification_hash(challenge))
}

#[cfg(test)]
// `u8::is_multiple_of` needs Rust 1.87; the workspace's rust-version is 1.85.
#[allow(clippy::manual_is_multiple_of)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;

    /// Straightforward references written from the brief, to check the fast paths.
    fn naive_interleave(buf: &[u8]) -> Vec<u8> {
        let n = buf.len();
        let mut out = vec![0; n];
        for k in 0..n.div_ceil(2) {
            out[2 * k] = buf[k];
        }
        for k in 0..n / 2 {
            out[2 * k + 1] = buf[n - 1 - k];
        }
        out
    }

    fn naive_swap(buf: &[u8], m: u8) -> Vec<u8> {
        let mut out = buf.to_vec();
        let div = |b: u8| if m == 0 { b == 0 } else { b % m == 0 };
        let mut i = 0;
        while i < out.len() {
            if div(out[i]) {
                let s = i;
                while i < out.len() && div(out[i]) {
                    i += 1;
                }
                out[s..i].reverse();
            } else {
                i += 1;
            }
        }
        out
    }

    fn naive_encrypt(buf: &[u8], m: u8) -> Vec<u8> {
        let swapped = naive_swap(buf, m);
        let flipped: Vec<u8> = swapped
            .iter()
            .map(|&b| if b & 0x7F != 0 { b ^ 0x80 } else { b })
            .collect();
        naive_interleave(&flipped)
    }

    const PLAIN: [u8; 16] = [
        21, 18, 145, 72, 101, 108, 108, 111, 44, 32, 119, 111, 114, 108, 100, 33,
    ];
    const CIPHER: [u8; 16] = [
        149, 161, 146, 228, 17, 242, 200, 236, 229, 239, 236, 247, 236, 160, 239, 172,
    ];

    #[test]
    fn packet_vector_m6() {
        let mut buf = PLAIN;
        encrypt(&mut buf, 6);
        assert_eq!(buf, CIPHER);
        decrypt(&mut buf, 6);
        assert_eq!(buf, PLAIN);
    }

    #[test]
    fn connection_accept_vector() {
        let plain = [0x02, 0x01, 0x18, 0x0D, 0xFE, 0x07, 0xFE, 0x40, 0x02];
        let cipher = [0x82, 0x82, 0x81, 0xC0, 0x98, 0x7E, 0x8D, 0x87, 0x7E];
        let mut buf = plain;
        encrypt(&mut buf, 12);
        assert_eq!(buf, cipher);
        decrypt(&mut buf, 12);
        assert_eq!(buf, plain);
    }

    #[test]
    fn swap_vector() {
        let mut buf = [10, 21, 27];
        swap_multiples(&mut buf, 3);
        assert_eq!(buf, [10, 27, 21]);
        // Runs of one are left alone; zero counts as a multiple; runs at both ends.
        let mut buf = [6, 1, 12, 0, 18, 5, 24, 30];
        swap_multiples(&mut buf, 6);
        assert_eq!(buf, [6, 1, 18, 0, 12, 5, 30, 24]);
        let mut empty: [u8; 0] = [];
        swap_multiples(&mut empty, 6);
    }

    #[test]
    fn swap_multiple_zero_and_one() {
        let mut buf = [0, 0, 1, 0, 2, 0, 0, 0, 3];
        swap_multiples(&mut buf, 0);
        assert_eq!(buf.to_vec(), naive_swap(&[0, 0, 1, 0, 2, 0, 0, 0, 3], 0));
        let mut buf = [1, 2, 3, 4];
        swap_multiples(&mut buf, 1);
        assert_eq!(buf, [4, 3, 2, 1]);
    }

    #[test]
    fn divisibility_test_is_exact() {
        for d in 2..=255u8 {
            let magic = divisibility_magic(d);
            for x in 0..=255u8 {
                assert_eq!(multiple_flag(x, magic) == 1, x % d == 0, "{x} / {d}");
            }
        }
    }

    #[test]
    fn swap_runs_across_blocks() {
        // Runs that start, end, span or fill the 64-byte blocks, for every multiple.
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        for n in [
            0, 1, 2, 3, 15, 16, 19, 20, 21, 40, 63, 64, 65, 127, 128, 129, 200, 1000,
        ] {
            for density in [0u8, 1, 3, 6, 10] {
                for m in [0u8, 1, 2, 6, 7, 12, 255] {
                    let data: Vec<u8> = (0..n)
                        .map(|_| {
                            let v: u8 = rand::Rng::random(&mut rng);
                            if v % 10 < density {
                                m.wrapping_mul(v % 20)
                            } else {
                                v
                            }
                        })
                        .collect();
                    let mut buf = data.clone();
                    swap_multiples(&mut buf, m);
                    assert_eq!(buf, naive_swap(&data, m), "n {n} density {density} m {m}");
                }
            }
            // All multiples: one run over the whole buffer.
            let data: Vec<u8> = (0..n).map(|i| (i % 42 * 6) as u8).collect();
            let mut buf = data.clone();
            swap_multiples(&mut buf, 6);
            assert_eq!(buf, naive_swap(&data, 6));
        }
    }

    #[test]
    fn interleave_vectors() {
        let mut even = [0, 1, 2, 3, 4, 5];
        interleave(&mut even);
        assert_eq!(even, [0, 5, 1, 4, 2, 3]);
        deinterleave(&mut even);
        assert_eq!(even, [0, 1, 2, 3, 4, 5]);

        let mut odd = [0, 1, 2, 3, 4];
        interleave(&mut odd);
        assert_eq!(odd, [0, 4, 1, 3, 2]);
        deinterleave(&mut odd);
        assert_eq!(odd, [0, 1, 2, 3, 4]);

        let mut even = [0, 1, 2, 3, 4, 5];
        deinterleave(&mut even);
        assert_eq!(even, [0, 2, 4, 5, 3, 1]);
        let mut odd = [0, 1, 2, 3, 4];
        deinterleave(&mut odd);
        assert_eq!(odd, [0, 2, 4, 3, 1]);
    }

    #[test]
    fn interleave_every_length_and_path() {
        // Crosses the small, medium and in-place (recursive) paths, odd and even.
        let lengths = (0..=200).chain([
            511, 512, 513, 2047, 2048, 2049, 8191, 8192, 8193, 8194, 16_383, 16_384, 16_385,
            16_386, 20_001, 64_007, 64_008,
        ]);
        for n in lengths {
            let data: Vec<u8> = (0..n).map(|i| (i * 7 + i / 253) as u8).collect();
            let mut buf = data.clone();
            interleave(&mut buf);
            assert_eq!(buf, naive_interleave(&data), "interleave {n}");
            deinterleave(&mut buf);
            assert_eq!(buf, data, "deinterleave {n}");

            let mut buf = data.clone();
            encrypt(&mut buf, 7);
            if n > 2 {
                assert_eq!(buf, naive_encrypt(&data, 7), "encrypt {n}");
            }
            decrypt(&mut buf, 7);
            assert_eq!(buf, data, "decrypt {n}");
        }
    }

    #[test]
    fn skip_rule() {
        // Multiple 0: nothing (eolib would still flip and interleave).
        let mut buf = [2, 1, 24, 13];
        encrypt(&mut buf, 0);
        assert_eq!(buf, [2, 1, 24, 13]);
        decrypt(&mut buf, 0);
        assert_eq!(buf, [2, 1, 24, 13]);
        // eolib with 0, for the record (brief section 9).
        let mut theirs = [2u8, 1, 24, 13];
        eolib::encrypt::encrypt_packet(&mut theirs, 0);
        assert_eq!(theirs, [130, 141, 129, 152]);

        // Init bodies.
        let init = [0xFF, 0xFF, 0x98, 0xAA, 0x05, 0x01, 0x01, 0x1D, 0x71, 0x0B];
        let mut buf = init;
        encrypt(&mut buf, 6);
        assert_eq!(buf, init);
        decrypt(&mut buf, 6);
        assert_eq!(buf, init);

        // Two bytes or fewer.
        for body in [&[][..], &[7][..], &[12, 6][..]] {
            let mut buf = body.to_vec();
            encrypt(&mut buf, 6);
            assert_eq!(buf, body);
            decrypt(&mut buf, 6);
            assert_eq!(buf, body);
        }
    }

    #[test]
    fn hash_vectors() {
        assert_eq!(server_verification_hash(298_944), 337_116);
        assert_eq!(server_verification_hash(123_456), 300_733);
        assert_eq!(server_verification_hash(0), 114_000);
        // Above MAX_CHALLENGE: the signed result the brief lists (eolib agrees), but a server
        // must reject the challenge.
        assert_eq!(server_verification_hash(11_092_110), 11_016);
        assert_eq!(checked_server_verification_hash(11_092_110), None);
        assert_eq!(checked_server_verification_hash(298_944), Some(337_116));
        assert_eq!(
            checked_server_verification_hash(MAX_CHALLENGE),
            Some(server_verification_hash(MAX_CHALLENGE))
        );
        // Total: no overflow or panic anywhere, and never above what fits in a three.
        for c in [
            MAX_CHALLENGE + 1,
            20_000_000,
            i32::MAX as u32,
            u32::MAX - 1,
            u32::MAX,
        ] {
            let _ = server_verification_hash(c);
        }
    }

    #[test]
    fn hash_agrees_with_eolib_on_the_whole_valid_range() {
        let mut largest = 0;
        for c in 0..=MAX_CHALLENGE {
            let ours = server_verification_hash(c);
            let theirs = eolib::encrypt::server_verification_hash(c as i32);
            assert_eq!(i64::from(ours), i64::from(theirs), "challenge {c}");
            largest = largest.max(ours);
        }
        assert!(largest <= 16_194_276, "fits a three");
    }

    #[test]
    fn generators_stay_in_range() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let mut seen = [false; 256];
        for _ in 0..10_000 {
            let m = generate_multiple(&mut rng);
            assert!((MIN_MULTIPLE..=MAX_MULTIPLE).contains(&m));
            seen[m as usize] = true;
            let c = generate_challenge(&mut rng);
            assert!((1..=MAX_CHALLENGE).contains(&c));
        }
        assert!((MIN_MULTIPLE..=MAX_MULTIPLE).all(|m| seen[m as usize]));
    }

    /// A non-Init body whose encryption starts with `FF FF` (it starts and ends with 0x7F): the
    /// receiver cannot tell it from an Init body and leaves it alone (eolib too).
    fn is_ambiguous(plain: &[u8], cipher: &[u8]) -> bool {
        !plain.starts_with(&[0xFF, 0xFF]) && cipher.starts_with(&[0xFF, 0xFF])
    }

    #[test]
    fn action_127_quirk() {
        let body = [0x7F, 0x01, 0x02, 0x7F];
        let mut buf = body;
        encrypt(&mut buf, 6);
        assert_eq!(&buf[..2], &[0xFF, 0xFF]);
        let mut theirs = buf;
        decrypt(&mut buf, 6);
        eolib::encrypt::decrypt_packet(&mut theirs, 6);
        assert_eq!(buf, theirs, "eolib skips it too");
        assert_ne!(buf, body);
    }

    fn body_not_init() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(any::<u8>(), 0..300)
            .prop_filter("not an Init body", |b| !b.starts_with(&[0xFF, 0xFF]))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn round_trip(body in prop::collection::vec(any::<u8>(), 0..300), m in MIN_MULTIPLE..=MAX_MULTIPLE) {
            let mut buf = body.clone();
            encrypt(&mut buf, m);
            prop_assume!(!is_ambiguous(&body, &buf));
            decrypt(&mut buf, m);
            prop_assert_eq!(&buf, &body);
            let mut buf = body.clone();
            decrypt(&mut buf, m);
            // A cipher text that decrypts to `FF FF ...` would not be encrypted back.
            prop_assume!(body.starts_with(&[0xFF, 0xFF]) || !buf.starts_with(&[0xFF, 0xFF]));
            encrypt(&mut buf, m);
            prop_assert_eq!(&buf, &body);
        }

        #[test]
        fn round_trip_any_multiple(body in prop::collection::vec(any::<u8>(), 0..80), m in any::<u8>()) {
            let mut buf = body.clone();
            encrypt(&mut buf, m);
            prop_assume!(!is_ambiguous(&body, &buf));
            decrypt(&mut buf, m);
            prop_assert_eq!(&buf, &body);
        }

        #[test]
        fn round_trip_without_action_127(mut body in prop::collection::vec(any::<u8>(), 3..300), m in MIN_MULTIPLE..=MAX_MULTIPLE) {
            // With a real action byte (never 0x7F) the round trip always holds.
            if body[0] == 0x7F {
                body[0] = 0x7E;
            }
            let mut buf = body.clone();
            encrypt(&mut buf, m);
            decrypt(&mut buf, m);
            prop_assert_eq!(&buf, &body);
        }

        #[test]
        fn agrees_with_eolib(body in body_not_init(), m in MIN_MULTIPLE..=MAX_MULTIPLE) {
            let mut ours = body.clone();
            let mut theirs = body.clone();
            encrypt(&mut ours, m);
            eolib::encrypt::encrypt_packet(&mut theirs, m);
            prop_assert_eq!(&ours, &theirs);

            let mut ours = body.clone();
            let mut theirs = body.clone();
            decrypt(&mut ours, m);
            eolib::encrypt::decrypt_packet(&mut theirs, m);
            prop_assert_eq!(&ours, &theirs);
        }

        #[test]
        fn steps_agree_with_eolib(body in prop::collection::vec(any::<u8>(), 0..300), m in any::<u8>()) {
            let mut ours = body.clone();
            let mut theirs = body.clone();
            swap_multiples(&mut ours, m);
            eolib::encrypt::swap_multiples(&mut theirs, m);
            prop_assert_eq!(&ours, &theirs);

            let mut ours = body.clone();
            let mut theirs = body.clone();
            interleave(&mut ours);
            eolib::encrypt::interleave(&mut theirs);
            prop_assert_eq!(&ours, &theirs);

            let mut ours = body.clone();
            let mut theirs = body.clone();
            deinterleave(&mut ours);
            eolib::encrypt::deinterleave(&mut theirs);
            prop_assert_eq!(&ours, &theirs);
        }

        #[test]
        fn long_bodies_agree_with_eolib(body in prop::collection::vec(any::<u8>(), 2000..6000), m in MIN_MULTIPLE..=MAX_MULTIPLE) {
            prop_assume!(!body.starts_with(&[0xFF, 0xFF]));
            let mut ours = body.clone();
            let mut theirs = body.clone();
            encrypt(&mut ours, m);
            eolib::encrypt::encrypt_packet(&mut theirs, m);
            prop_assert_eq!(&ours, &theirs);
            prop_assume!(!is_ambiguous(&body, &ours));
            decrypt(&mut ours, m);
            prop_assert_eq!(&ours, &body);
        }

        #[test]
        fn hash_agrees_with_eolib_on_i32(challenge in 0..i32::MAX) {
            let ours = server_verification_hash(challenge as u32);
            let theirs = eolib::encrypt::server_verification_hash(challenge);
            prop_assert_eq!(i64::from(ours), i64::from(theirs).max(0));
        }

        #[test]
        fn hash_is_total(challenge in any::<u32>()) {
            let _ = server_verification_hash(challenge);
        }
    }
}

//! Where memory comes from: mimalloc for small blocks, the system allocator for large ones.
//!
//! A build makes millions of small, short-lived allocations on every core (words, names, facts,
//! template values). glibc's malloc spent about a tenth of a build's instructions on them and its
//! arenas contend between threads; with small blocks from mimalloc a 10,000-article build takes
//! about 18% less CPU.
//! But mimalloc alone holds more memory for mid-sized and large blocks (paragraphs, sentence
//! text, page buffers): a 100,000-article build peaked at 2.2 GB with it, against 1.9 GB with
//! glibc. Small blocks from mimalloc and the rest from the system keep both the speed and the
//! footprint.
//!
//! Rust passes a block's size to every allocator call, so which allocator owns a block follows
//! from its size alone, with no bookkeeping.

use std::alloc::{GlobalAlloc, Layout, System};

use mimalloc::MiMalloc;

/// Blocks of at most this many bytes come from mimalloc. Between 256 and 1,024 bytes still
/// mattered for speed; above it, mimalloc's gain was small and its memory cost large.
const SMALL: usize = 1024;

/// The allocator sitrep's binaries use (declared in `lib.rs`).
pub struct SizeSplit;

fn is_small(size: usize) -> bool {
    size <= SMALL
}

// SAFETY: every block is freed or resized by the allocator that made it, because the size Rust
// passes back (`layout.size()`) is the size the block was made or last resized with, and that
// size alone picks the allocator. A resize that crosses the boundary moves the block.
unsafe impl GlobalAlloc for SizeSplit {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract (non-zero size) is passed on unchanged.
        unsafe {
            if is_small(layout.size()) {
                MiMalloc.alloc(layout)
            } else {
                System.alloc(layout)
            }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        unsafe {
            if is_small(layout.size()) {
                MiMalloc.alloc_zeroed(layout)
            } else {
                System.alloc_zeroed(layout)
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was made with this layout's size, so by the allocator picked here.
        unsafe {
            if is_small(layout.size()) {
                MiMalloc.dealloc(ptr, layout)
            } else {
                System.dealloc(ptr, layout)
            }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same-side resizes go to the block's own allocator; a crossing one allocates
        // on the other side, copies the bytes both sizes hold, and frees the old block.
        unsafe {
            match (is_small(layout.size()), is_small(new_size)) {
                (true, true) => MiMalloc.realloc(ptr, layout, new_size),
                (false, false) => System.realloc(ptr, layout, new_size),
                _ => {
                    let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
                    let moved = self.alloc(new_layout);
                    if !moved.is_null() {
                        std::ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size));
                        self.dealloc(ptr, layout);
                    }
                    moved
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SMALL;

    /// A vector grown byte by byte across the boundary and shrunk back keeps its bytes: the
    /// block moves between allocators both ways (the test binary uses this allocator too).
    #[test]
    fn blocks_keep_their_bytes_when_they_change_sides() {
        let mut v: Vec<u8> = Vec::new();
        for i in 0..(4 * SMALL) {
            v.push((i % 251) as u8);
        }
        assert!(v.capacity() > SMALL);
        v.truncate(SMALL / 2);
        v.shrink_to_fit();
        assert!(v.capacity() <= SMALL);
        assert!(v.iter().enumerate().all(|(i, &b)| b == (i % 251) as u8));
        v.extend((SMALL / 2..3 * SMALL).map(|i| (i % 251) as u8));
        assert!(v.iter().enumerate().all(|(i, &b)| b == (i % 251) as u8));
    }

    /// Zeroed blocks are zero on both sides of the boundary, and aligned as asked.
    #[test]
    fn zeroed_and_aligned_blocks_on_both_sides() {
        for size in [1, SMALL, SMALL + 1, 64 * SMALL] {
            let v = vec![0u64; size.div_ceil(8)];
            assert!(v.iter().all(|&x| x == 0));
            assert_eq!(v.as_ptr() as usize % std::mem::align_of::<u64>(), 0);
        }
        #[repr(align(4096))]
        struct Page([u8; 4096]);
        let pages: Vec<Page> = (0..3).map(|_| Page([7; 4096])).collect();
        assert!(pages.iter().all(|p| p.0.iter().all(|&b| b == 7)));
        assert_eq!(pages.as_ptr() as usize % 4096, 0);
    }
}

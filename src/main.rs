//! The `pinconv` binary: everything lives in the library.

use std::alloc::{GlobalAlloc, Layout};

/// mimalloc instead of the system allocator: parsing JSON orders allocates many small maps
/// and strings, and glibc's malloc was over a quarter of the profile.
///
/// `mimalloc::MiMalloc` asks for every block through `mi_malloc_aligned`, whose checks and
/// (for blocks over 1 KiB, such as each event's JSON) slower generic path took 2% of a
/// `build`'s instructions; a block needs no more than the 8-byte alignment every mimalloc
/// block has is asked for with plain `mi_malloc` instead, the rest as before.
struct Allocator;

/// The alignment of every block mimalloc hands out (its `MI_INTPTR_SIZE`: block sizes are
/// multiples of it and pages are aligned).
const PLAIN_ALIGN: usize = 8;

// SAFETY: every block comes from mimalloc with at least the layout's alignment (mimalloc's
// own guarantee for `mi_malloc` when that alignment is at most 8, else `mi_malloc_aligned`),
// and every block is freed or resized by mimalloc, which accepts any block it handed out.
unsafe impl GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= PLAIN_ALIGN {
            unsafe { libmimalloc_sys::mi_malloc(layout.size()).cast() }
        } else {
            unsafe { mimalloc::MiMalloc.alloc(layout) }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= PLAIN_ALIGN {
            unsafe { libmimalloc_sys::mi_zalloc(layout.size()).cast() }
        } else {
            unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= PLAIN_ALIGN {
            unsafe { libmimalloc_sys::mi_realloc(ptr.cast(), new_size).cast() }
        } else {
            unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
        }
    }
}

#[global_allocator]
static GLOBAL: Allocator = Allocator;

fn main() -> std::process::ExitCode {
    pinconv::main().into()
}

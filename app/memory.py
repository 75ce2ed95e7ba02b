"""How a worker's heap gives memory back: glibc's malloc told to map large blocks alone."""

import ctypes
import ctypes.util

# mallopt's parameter number for the size from which a block gets its own mapping (malloc.h).
M_MMAP_THRESHOLD = -3
OWN_MAPPING_FROM_BYTES = 1 << 20


def return_large_blocks_on_free() -> None:
    """Keep every block of 1 MiB or more in a mapping of its own, unmapped when freed.

    Each Argon2 hash takes a 19 MiB buffer. Left alone, glibc raises its threshold after the
    first such buffer is freed, so later ones are carved from per-thread heaps that never
    shrink: a worker grew from 105 to 185 MB after two bursts of sign-ins and stayed there.
    A fixed threshold also turns that adjustment off. Other C libraries have no mallopt.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
    except OSError:
        return
    mallopt = getattr(libc, "mallopt", None)
    if mallopt is not None:
        mallopt(M_MMAP_THRESHOLD, OWN_MAPPING_FROM_BYTES)

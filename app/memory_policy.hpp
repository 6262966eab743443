// How the kmquant process asks glibc and the kernel for memory.
#pragma once

namespace kmquant::cli {

/// Set once, before any thread starts: one malloc arena for all threads, freed blocks below
/// 32 MiB kept for reuse instead of returned to the system, and the heap mapped in 2 MiB pages
/// where the kernel allows (transparent huge pages in "madvise" mode, Debian's default).
/// Nothing changes but speed and, by at most a few 2 MiB pages, resident memory.
void tune_memory_for_speed() noexcept;

}  // namespace kmquant::cli

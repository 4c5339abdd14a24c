//! Run-time CPU feature checks for the stages' AVX code paths.
//!
//! The published addon is built for the baseline x86-64 target (no `target-cpu`), so each
//! stage compiles its hot loop a second time with `#[target_feature]` and picks that copy
//! when the CPU reports the feature here. Both copies run the same operations (no fused
//! multiply-add), so the output does not depend on the CPU.

/// Whether the CPU has AVX (always false off x86).
pub(crate) fn has_avx() -> bool {
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    {
        std::arch::is_x86_feature_detected!("avx")
    }
    #[cfg(not(any(target_arch = "x86", target_arch = "x86_64")))]
    {
        false
    }
}

/// Whether the CPU has AVX2 (always false off x86).
pub(crate) fn has_avx2() -> bool {
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(any(target_arch = "x86", target_arch = "x86_64")))]
    {
        false
    }
}

/// Whether the CPU has AVX-512F (always false off x86-64).
pub(crate) fn has_avx512f() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx512f")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

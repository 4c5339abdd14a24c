//! Muting the process's stderr (file descriptor 2) for a moment, for the few log lines C++
//! libraries write there while they load and that no setting turns off (libtensorflow's
//! absl-logged "oneDNN custom operations are on" line, and absl's "All log messages before
//! absl::InitializeLog()" warning before it). Unix only; elsewhere both calls do nothing.

use napi_derive::napi;

/// Point file descriptor 2 at the null device. Returns a duplicate of the previous stderr to
/// hand to [`restore_stderr`], or -1 when nothing was changed (not Unix, or a call failed).
/// Anything written to stderr until then, by JS or native code, is discarded.
#[napi]
pub fn mute_stderr() -> i32 {
    #[cfg(unix)]
    // SAFETY: plain POSIX calls on file descriptors this function owns or duplicates; each
    // failure leaves fd 2 as it was.
    unsafe {
        let saved = libc::dup(2);
        if saved < 0 {
            return -1;
        }
        let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
        if null < 0 {
            libc::close(saved);
            return -1;
        }
        let ok = libc::dup2(null, 2) >= 0;
        libc::close(null);
        if !ok {
            libc::close(saved);
            return -1;
        }
        saved
    }
    #[cfg(not(unix))]
    -1
}

/// Restore the stderr [`mute_stderr`] saved (its return value; -1 does nothing).
#[napi]
pub fn restore_stderr(saved: i32) {
    #[cfg(unix)]
    if saved >= 0 {
        // SAFETY: `saved` is the descriptor mute_stderr duplicated; it is closed once here.
        unsafe {
            libc::dup2(saved, 2);
            libc::close(saved);
        }
    }
    #[cfg(not(unix))]
    let _ = saved;
}

//! The one error mapping of the binding: every failure becomes a JS `Error`
//! whose `message` is the core's one-line message and whose `code` is a stable
//! machine-readable string (`DspError::code()`, or one of the binding's own).

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use napi::bindgen_prelude::*;
use ser_dsp::DspError;

/// `code` of an argument that is not an option (wrong length, bad integer, …).
pub const ERR_INVALID_ARG: &str = "ERR_SER_INVALID_ARG";
/// `code` of a Rust panic caught at the boundary (a bug: please report it).
pub const ERR_INTERNAL: &str = "ERR_SER_INTERNAL";

/// Everything a binding entry point can fail with.
#[derive(Debug, Clone)]
pub enum BindError {
    /// An error of the DSP core.
    Dsp(DspError),
    /// A bad argument detected by the binding itself.
    Arg(String),
    /// A panic caught before it reached Node.
    Panic(String),
}

impl BindError {
    /// One-line message.
    pub fn message(&self) -> String {
        match self {
            BindError::Dsp(e) => e.to_string(),
            BindError::Arg(m) => m.clone(),
            BindError::Panic(m) => {
                format!("internal error in the DSP core (please report it): {m}")
            }
        }
    }

    /// Stable `error.code`.
    pub fn code(&self) -> &'static str {
        match self {
            BindError::Dsp(e) => e.code(),
            BindError::Arg(_) => ERR_INVALID_ARG,
            BindError::Panic(_) => ERR_INTERNAL,
        }
    }

    fn is_abort(&self) -> bool {
        matches!(self, BindError::Dsp(e) if matches!(e.root(), DspError::Cancelled))
    }
}

impl From<DspError> for BindError {
    fn from(e: DspError) -> Self {
        BindError::Dsp(e)
    }
}

/// Result of the binding's internal functions.
pub type BindResult<T> = std::result::Result<T, BindError>;

fn panic_message(payload: Box<dyn Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// Run `f`, turning a panic into a [`BindError::Panic`] so none reaches Node.
pub fn guard<T>(f: impl FnOnce() -> BindResult<T>) -> BindResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => Err(BindError::Panic(panic_message(payload))),
    }
}

/// Build the JS `Error` object (`message`, `code`, and `name = 'AbortError'` for
/// a cancellation) and wrap it in a `napi::Error` that rethrows that very object.
pub fn to_napi_error(env: &Env, e: &BindError) -> Error {
    let build = || -> Result<Error> {
        let mut obj = env.create_error(Error::new(Status::GenericFailure, e.message()))?;
        obj.set_named_property("code", e.code())?;
        if e.is_abort() {
            obj.set_named_property("name", "AbortError")?;
        }
        Ok(Error::from(obj.to_unknown()))
    };
    build().unwrap_or_else(|err| err)
}

/// Run a synchronous entry point: panics are caught and errors mapped.
pub fn run_sync<T>(env: &Env, f: impl FnOnce() -> BindResult<T>) -> Result<T> {
    guard(f).map_err(|e| to_napi_error(env, &e))
}

/// Convert a JS number to an integer option/argument, naming it when it is not
/// a non-negative integer of at most `max`.
pub fn to_uint(name: &str, value: f64, max: f64) -> BindResult<usize> {
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= max {
        Ok(value as usize)
    } else {
        Err(BindError::Arg(format!(
            "invalid argument `{name}`: expected an integer in 0..={max}, received {value}"
        )))
    }
}

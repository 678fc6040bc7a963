//! Choosing where tensors live. burn 0.22 dispatches on the device at run time, so the
//! model and the loop are the same code for every backend; only the device differs.

#[cfg(feature = "engine")]
use burn::tensor::Device;
use serde::{Deserialize, Serialize};

/// The backends a user can pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BackendKind {
    /// burn-ndarray on the CPU (deprecated upstream in favour of Flex; kept selectable).
    NdArray,
    /// burn's Flex CPU backend.
    Flex,
    /// burn-wgpu: Vulkan/Metal/DX12 natively, WebGPU in a browser.
    Wgpu,
}

impl BackendKind {
    /// Every backend, CPU ones first.
    pub const ALL: [BackendKind; 3] = [BackendKind::NdArray, BackendKind::Flex, BackendKind::Wgpu];

    /// Name as the CLI takes it.
    pub fn id(self) -> &'static str {
        match self {
            BackendKind::NdArray => "ndarray",
            BackendKind::Flex => "flex",
            BackendKind::Wgpu => "wgpu",
        }
    }

    /// Parse `ndarray`, `flex` or `wgpu`.
    pub fn parse(s: &str) -> Option<BackendKind> {
        BackendKind::ALL
            .into_iter()
            .find(|b| b.id() == s.trim().to_ascii_lowercase())
    }

    /// Whether this build includes the backend.
    pub fn compiled_in(self) -> bool {
        match self {
            BackendKind::NdArray => cfg!(feature = "ndarray"),
            BackendKind::Flex => cfg!(feature = "flex"),
            BackendKind::Wgpu => cfg!(feature = "wgpu"),
        }
    }

    /// The device for this backend, synchronously (native only; in a browser use
    /// [`BackendKind::device_async`], which WebGPU requires).
    #[cfg(all(feature = "engine", not(target_family = "wasm")))]
    pub fn device(self) -> Result<Device, String> {
        match self {
            #[cfg(feature = "ndarray")]
            BackendKind::NdArray => Ok(ndarray_device()),
            #[cfg(feature = "flex")]
            BackendKind::Flex => Ok(Device::flex()),
            #[cfg(feature = "wgpu")]
            BackendKind::Wgpu => Device::wgpu_options()
                .init()
                .map_err(|e| format!("no usable wgpu adapter: {e}")),
            #[allow(
                unreachable_patterns,
                reason = "reached only when a backend is compiled out"
            )]
            other => Err(format!("this build has no {} backend", other.id())),
        }
    }

    /// The device for this backend, initialising WebGPU asynchronously where needed.
    #[cfg(feature = "engine")]
    pub async fn device_async(self) -> Result<Device, String> {
        match self {
            #[cfg(feature = "ndarray")]
            BackendKind::NdArray => Ok(ndarray_device()),
            #[cfg(feature = "flex")]
            BackendKind::Flex => Ok(Device::flex()),
            #[cfg(feature = "wgpu")]
            BackendKind::Wgpu => Device::wgpu_options()
                .init_async()
                .await
                .map_err(|e| format!("no usable WebGPU/wgpu adapter: {e}")),
            #[allow(
                unreachable_patterns,
                reason = "reached only when a backend is compiled out"
            )]
            other => Err(format!("this build has no {} backend", other.id())),
        }
    }
}

/// A CPU device for host-side copies (writing weight records): Flex when built in, else
/// ndarray.
#[cfg(feature = "engine")]
pub fn host_device() -> Device {
    #[cfg(feature = "flex")]
    {
        Device::flex()
    }
    #[cfg(all(not(feature = "flex"), feature = "ndarray"))]
    {
        ndarray_device()
    }
    #[cfg(not(any(feature = "flex", feature = "ndarray")))]
    {
        compile_error!("lab needs a CPU backend: enable the `flex` or `ndarray` feature")
    }
}

/// burn marks ndarray deprecated in favour of Flex; this project keeps it selectable (the
/// stack names it as the CPU fallback, and the benchmarks compare the two).
#[cfg(feature = "ndarray")]
#[allow(
    deprecated,
    reason = "burn deprecates ndarray in favour of Flex; the project keeps it selectable"
)]
fn ndarray_device() -> Device {
    Device::ndarray()
}

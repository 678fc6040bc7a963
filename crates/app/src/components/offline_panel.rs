//! Whether the course opens without a network in this browser, how much of the dataset it
//! keeps for that, and a button to remove it.

use yew::prelude::*;

use crate::workbench::state::OfflineStatus;

/// The panel's properties.
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct OfflinePanelProps {
    /// The offline copy of the app.
    pub status: OfflineStatus,
    /// Bytes of the dataset kept (`None` until known).
    pub dataset_kept: Option<u64>,
    /// Remove the kept dataset.
    pub on_remove: Callback<()>,
}

/// "In this browser: …" and the remove button.
#[function_component(OfflinePanel)]
pub fn offline_panel(props: &OfflinePanelProps) -> Html {
    let app = match &props.status {
        OfflineStatus::Checking => "Setting up the offline copy of the course…".to_string(),
        OfflineStatus::Ready => "The course opens in this browser without a network.".to_string(),
        OfflineStatus::Unavailable(why) => format!("The course needs the network here ({why})."),
    };
    html! {
        <p class="muted offline" id="offline-status" data-offline={match props.status {
            OfflineStatus::Ready => "ready",
            OfflineStatus::Checking => "checking",
            OfflineStatus::Unavailable(_) => "unavailable",
        }}>
            { app }
            if let Some(bytes) = props.dataset_kept.filter(|&b| b > 0) {
                { format!(" CIFAR-10 kept here for offline use: {:.1} MB. ", bytes as f64 / 1e6) }
                <button class="link" id="remove-dataset" onclick={props.on_remove.reform(|_| ())}>
                    { "Remove it" }
                </button>
            }
        </p>
    }
}

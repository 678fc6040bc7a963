//! Saving bytes as a file the learner downloads (a Blob, an object URL, a clicked link).

use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

/// Offer `bytes` as a download named `name` of type `mime`.
pub fn download(name: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    let parts = Array::of1(&Uint8Array::from(bytes));
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|_| format!("could not prepare {name}"))?;
    let url =
        Url::create_object_url_with_blob(&blob).map_err(|_| format!("could not prepare {name}"))?;
    let document = gloo::utils::document();
    let a: HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| "no link element".to_string())?
        .dyn_into()
        .map_err(|_| "no link element".to_string())?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // The click has started the download; the URL can go on the next turn.
    let url2 = url.clone();
    gloo::timers::callback::Timeout::new(1_000, move || {
        let _ = Url::revoke_object_url(&url2);
    })
    .forget();
    Ok(())
}

//! Step 9: try your own image. A photo dropped or picked is cropped to its centre square,
//! scaled to 32×32 by the browser's canvas, and classified by the learner's model; the
//! page shows the 32×32 input and the top three classes with their probabilities.

use std::rc::Rc;

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    CanvasRenderingContext2d, DragEvent, File, HtmlCanvasElement, HtmlImageElement,
    HtmlInputElement, Url,
};
use yew::prelude::*;

use super::needs::NeedsModel;
use crate::components::image_canvas::ImageCanvas;
use crate::workbench::Workbench;
use crate::workers::model as model_worker;
use protocol::js::describe;

const SIDE: usize = cifar::SIDE;

/// The centre square of a `width × height` picture: (x, y, side).
pub fn centre_square(width: f64, height: f64) -> (f64, f64, f64) {
    let s = width.min(height);
    ((width - s) / 2.0, (height - s) / 2.0, s)
}

/// RGBA bytes (a canvas's) to CHW bytes (CIFAR's layout).
pub fn rgba_to_chw(rgba: &[u8]) -> Vec<u8> {
    let plane = rgba.len() / 4;
    let mut out = vec![0u8; 3 * plane];
    for i in 0..plane {
        for c in 0..3 {
            out[c * plane + i] = rgba[4 * i + c];
        }
    }
    out
}

/// The `k` most probable classes, most probable first.
pub fn top_k(probabilities: &[f32], k: usize) -> Vec<(usize, f32)> {
    let mut all: Vec<(usize, f32)> = probabilities.iter().copied().enumerate().collect();
    all.sort_by(|a, b| b.1.total_cmp(&a.1));
    all.truncate(k);
    all
}

fn js(e: JsValue) -> String {
    describe(&e)
}

/// Decode `file` as an image and bring its centre square to 32×32 CHW bytes.
async fn to_cifar(file: &File) -> Result<Vec<u8>, String> {
    let name = file.name();
    let url = Url::create_object_url_with_blob(file).map_err(js)?;
    let result = async {
        let img = HtmlImageElement::new().map_err(js)?;
        img.set_src(&url);
        JsFuture::from(img.decode()).await.map_err(|_| {
            format!("{name} could not be read as an image (is it a JPEG, PNG, GIF or WebP photo?)")
        })?;
        let (w, h) = (
            f64::from(img.natural_width()),
            f64::from(img.natural_height()),
        );
        if w < 1.0 || h < 1.0 {
            return Err(format!("{name} has no pixels"));
        }
        let canvas: HtmlCanvasElement = gloo::utils::document()
            .create_element("canvas")
            .map_err(js)?
            .dyn_into()
            .map_err(|_| "no canvas".to_string())?;
        canvas.set_width(SIDE as u32);
        canvas.set_height(SIDE as u32);
        let ctx: CanvasRenderingContext2d = canvas
            .get_context("2d")
            .map_err(js)?
            .ok_or("no 2D canvas")?
            .dyn_into()
            .map_err(|_| "no 2D canvas".to_string())?;
        let (sx, sy, s) = centre_square(w, h);
        ctx.draw_image_with_html_image_element_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(
            &img,
            sx,
            sy,
            s,
            s,
            0.0,
            0.0,
            SIDE as f64,
            SIDE as f64,
        )
        .map_err(js)?;
        let data = ctx
            .get_image_data(0.0, 0.0, SIDE as f64, SIDE as f64)
            .map_err(js)?;
        Ok(rgba_to_chw(&data.data()))
    }
    .await;
    let _ = Url::revoke_object_url(&url);
    result
}

/// What the page shows after a photo.
#[derive(Clone, PartialEq)]
struct Answer {
    name: String,
    pixels: Vec<u8>,
    top: Vec<(usize, f32)>,
}

/// The step's body.
#[function_component(OwnImageLesson)]
pub fn own_image_lesson() -> Html {
    let bench = use_context::<Workbench>();
    let answer = use_state(|| None::<Rc<Answer>>);
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let model = bench.as_ref().and_then(|b| b.state.model.clone());
    let intro = html! {
        <p class="lead">{ "Your turn: give the network a photo of your own. It only knows ten classes and 32×32 pixels, so the photo is cropped to its centre square and scaled down, just as CIFAR-10's images were made. Photos of one of the ten classes, filling the frame, work best." }</p>
    };
    let Some(model) = model else {
        return html! { <>{ intro }<NeedsModel /></> };
    };
    let classify = {
        let (answer, error, busy, model) =
            (answer.clone(), error.clone(), busy.clone(), model.clone());
        Callback::from(move |file: File| {
            let (answer, error, busy, model) =
                (answer.clone(), error.clone(), busy.clone(), model.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let name = file.name();
                let result = async {
                    let pixels = to_cifar(&file).await?;
                    let input: Vec<f32> = pixels.iter().map(|&b| f32::from(b) / 255.0).collect();
                    let p = model_worker::probabilities(&model, input).await?;
                    Ok::<Answer, String>(Answer {
                        name,
                        pixels,
                        top: top_k(&p, 3),
                    })
                }
                .await;
                busy.set(false);
                match result {
                    Ok(a) => {
                        error.set(None);
                        answer.set(Some(Rc::new(a)));
                    }
                    // The last answer stays; the error says which file failed.
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let on_pick = {
        let classify = classify.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>()
                && let Some(file) = input.files().and_then(|f| f.get(0))
            {
                classify.emit(file);
            }
        })
    };
    let on_drop = {
        let classify = classify.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if let Some(file) = e
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|f| f.get(0))
            {
                classify.emit(file);
            }
        })
    };
    let names: Vec<String> = bench
        .as_ref()
        .and_then(|b| b.state.data.dataset.as_ref().map(|d| d.class_names.clone()))
        .unwrap_or_else(|| cifar::CLASS_NAMES.iter().map(|s| s.to_string()).collect());
    html! {
        <>
            { intro }
            <p class="muted">{ format!("Model: {}.", model.label) }</p>
            <div class="drop-zone" ondragover={Callback::from(|e: DragEvent| e.prevent_default())} ondrop={on_drop}>
                <label for="own-image">{ "Choose a photo, or drop one here: " }</label>
                <input id="own-image" type="file" accept="image/*" onchange={on_pick} />
            </div>
            if *busy { <p role="status">{ "Classifying…" }</p> }
            if let Some(e) = &*error { <p class="error" role="alert">{ e.clone() }</p> }
            if let Some(a) = &*answer {
                <div class="own-answer" id="own-answer">
                    <figure>
                        <ImageCanvas pixels={a.pixels.clone()} alt={format!("{} as the network sees it, 32×32", a.name)} size={128} />
                        <figcaption>{ format!("{} at 32×32", a.name) }</figcaption>
                    </figure>
                    <ol class="top3" aria-label="The network's top three classes">
                        { for a.top.iter().map(|&(c, p)| html! {
                            <li>
                                <span class="top3-name">{ names.get(c).cloned().unwrap_or_default() }</span>
                                <span class="bar" style={format!("width:{:.0}%", p * 100.0)} aria-hidden="true"></span>
                                <span class="num">{ format!("{:.1}%", p * 100.0) }</span>
                            </li>
                        }) }
                    </ol>
                </div>
            }
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_landscape_photo_is_cropped_to_its_middle() {
        assert_eq!(centre_square(400.0, 300.0), (50.0, 0.0, 300.0));
        assert_eq!(centre_square(300.0, 500.0), (0.0, 100.0, 300.0));
    }

    #[test]
    fn rgba_becomes_planes_and_the_top_three_are_sorted() {
        assert_eq!(
            rgba_to_chw(&[1, 2, 3, 255, 4, 5, 6, 255]),
            [1, 4, 2, 5, 3, 6]
        );
        let p = [0.1, 0.5, 0.05, 0.3, 0.05];
        assert_eq!(top_k(&p, 3), [(1, 0.5), (3, 0.3), (0, 0.1)]);
    }
}

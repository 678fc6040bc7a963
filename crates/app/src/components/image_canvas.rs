//! One 32×32 CIFAR-10 image drawn on a canvas (scaled up by CSS, pixels kept sharp).

use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};
use yew::prelude::*;

/// The canvas's properties.
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ImageCanvasProps {
    /// The image, channel-major (3 planes of 32×32 bytes), as CIFAR-10 stores it.
    pub pixels: Vec<u8>,
    /// Text alternative (e.g. "test image 12: cat").
    pub alt: AttrValue,
    /// Displayed size in CSS pixels.
    #[prop_or(64)]
    pub size: u32,
}

/// CHW bytes to the RGBA bytes a canvas takes.
pub fn chw_to_rgba(chw: &[u8]) -> Vec<u8> {
    let plane = cifar::SIDE * cifar::SIDE;
    let mut rgba = vec![255u8; plane * 4];
    for i in 0..plane.min(chw.len() / 3) {
        rgba[4 * i] = chw[i];
        rgba[4 * i + 1] = chw[plane + i];
        rgba[4 * i + 2] = chw[2 * plane + i];
    }
    rgba
}

/// Draws `pixels` once mounted and whenever they change.
#[function_component(ImageCanvas)]
pub fn image_canvas(props: &ImageCanvasProps) -> Html {
    let canvas = use_node_ref();
    {
        let canvas = canvas.clone();
        use_effect_with(props.pixels.clone(), move |pixels| {
            draw(&canvas, pixels);
        });
    }
    let side = cifar::SIDE as u32;
    html! {
        <canvas ref={canvas} class="thumb" width={side.to_string()} height={side.to_string()}
            role="img" aria-label={props.alt.clone()}
            style={format!("width:{0}px;height:{0}px", props.size)} />
    }
}

fn draw(canvas: &NodeRef, chw: &[u8]) {
    let side = cifar::SIDE as u32;
    put_rgba(canvas, &chw_to_rgba(chw), side, side);
}

/// Put `width × height` RGBA bytes onto the canvas behind `canvas` (nothing happens if it
/// is not mounted or the sizes disagree).
pub fn put_rgba(canvas: &NodeRef, rgba: &[u8], width: u32, height: u32) {
    let Some(canvas) = canvas.cast::<HtmlCanvasElement>() else {
        return;
    };
    let Ok(Some(ctx)) = canvas.get_context("2d") else {
        return;
    };
    let Ok(ctx) = ctx.dyn_into::<CanvasRenderingContext2d>() else {
        return;
    };
    if rgba.len() == (width * height * 4) as usize
        && let Ok(data) = ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), width, height)
    {
        let _ = ctx.put_image_data(&data, 0.0, 0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::chw_to_rgba;

    #[test]
    fn planes_become_interleaved_opaque_pixels() {
        let mut chw = vec![0u8; 3072];
        chw[0] = 10; // red of pixel 0
        chw[1024] = 20; // green of pixel 0
        chw[2048 + 1] = 30; // blue of pixel 1
        let rgba = chw_to_rgba(&chw);
        assert_eq!(&rgba[0..8], &[10, 20, 0, 255, 0, 0, 30, 255]);
        assert_eq!(rgba.len(), 4096);
    }
}

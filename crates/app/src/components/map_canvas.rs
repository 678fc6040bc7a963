//! A feature map (or any grid of numbers) drawn in grey on a canvas: `lo` black, `hi`
//! white, scaled up by CSS with sharp pixels.

use yew::prelude::*;

use super::image_canvas::put_rgba;

/// The canvas's properties.
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct MapCanvasProps {
    /// Row-major values, `width × height`.
    pub values: Vec<f32>,
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// Value drawn black.
    pub lo: f32,
    /// Value drawn white.
    pub hi: f32,
    /// Text alternative.
    pub alt: AttrValue,
    /// Displayed width in CSS pixels.
    #[prop_or(96)]
    pub size: u32,
}

/// Grey RGBA bytes for `values` between `lo` (black) and `hi` (white).
pub fn grey_rgba(values: &[f32], lo: f32, hi: f32) -> Vec<u8> {
    let span = if hi > lo { hi - lo } else { 1.0 };
    values
        .iter()
        .flat_map(|&v| {
            let g = (((v - lo) / span).clamp(0.0, 1.0) * 255.0).round() as u8;
            [g, g, g, 255]
        })
        .collect()
}

/// Draws the map once mounted and whenever it changes.
#[function_component(MapCanvas)]
pub fn map_canvas(props: &MapCanvasProps) -> Html {
    let canvas = use_node_ref();
    {
        let canvas = canvas.clone();
        let p = props.clone();
        use_effect_with(props.clone(), move |_| {
            let rgba = grey_rgba(&p.values, p.lo, p.hi);
            put_rgba(&canvas, &rgba, p.width as u32, p.height as u32);
        });
    }
    let h = props.size as usize * props.height / props.width.max(1);
    html! {
        <canvas ref={canvas} class="thumb map" width={props.width.to_string()} height={props.height.to_string()}
            role="img" aria-label={props.alt.clone()}
            style={format!("width:{}px;height:{}px", props.size, h)} />
    }
}

#[cfg(test)]
mod tests {
    use super::grey_rgba;

    #[test]
    fn lo_is_black_hi_is_white_and_beyond_is_clamped() {
        assert_eq!(
            grey_rgba(&[0.0, 1.0, 0.5, 7.0, -3.0], 0.0, 1.0),
            [
                0, 0, 0, 255, 255, 255, 255, 255, 128, 128, 128, 255, 255, 255, 255, 255, 0, 0, 0,
                255
            ]
        );
        // A flat map (hi == lo) draws without dividing by zero.
        assert_eq!(grey_rgba(&[2.0], 2.0, 2.0), [0, 0, 0, 255]);
    }
}

//! Step 3: what a convolution does, on a real image: pick or type a 3×3 kernel, see the
//! output, then ReLU and 2×2 max-pooling, and the arithmetic of one output pixel.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::conv_math::{self, Kernel, PRESETS};
use super::needs::NeedsData;
use crate::components::image_canvas::ImageCanvas;
use crate::components::map_canvas::MapCanvas;
use crate::workbench::Workbench;

const SIDE: usize = cifar::SIDE;

/// The step's body.
#[function_component(ConvolutionLesson)]
pub fn convolution_lesson() -> Html {
    let bench = use_context::<Workbench>();
    let image_index = use_state(|| 0usize);
    let kernel = use_state(|| PRESETS[0].1);
    let at = use_state(|| (16usize, 16usize));
    let Some(bench) = bench else {
        return html! {};
    };
    let Some(d) = bench.state.data.dataset.clone() else {
        return html! {
            <>
                <p class="lead">{ "A convolution slides a small grid of weights (a kernel) over an image. At every position it multiplies the 3×3 pixels under it by the 9 weights and adds them up: one output number per position." }</p>
                <NeedsData />
            </>
        };
    };
    let n = d.test.len().max(1);
    let index = *image_index % n;
    let chw = d.test.image(index).to_vec();
    let name = d
        .class_names
        .get(usize::from(d.test.label(index)))
        .cloned()
        .unwrap_or_default();
    let grey = conv_math::grey(&chw);
    let out = conv_math::convolve(&grey, SIDE, &kernel);
    let rectified = conv_math::relu(&out);
    let pooled = conv_math::max_pool(&rectified, SIDE);
    let (lo, hi) = conv_math::range(&out);
    let (_, rhi) = conv_math::range(&rectified);
    let (row, col) = *at;
    let patch = conv_math::patch(&grey, SIDE, row, col);
    let value = conv_math::dot(&patch, &kernel);
    let preset_name = PRESETS
        .iter()
        .find(|(_, k)| k == &*kernel)
        .map(|(n, _)| *n)
        .unwrap_or("your own");

    let on_preset = {
        let kernel = kernel.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<HtmlSelectElement>()
                && let Some((_, k)) = s.value().parse::<usize>().ok().and_then(|i| PRESETS.get(i))
            {
                kernel.set(*k);
            }
        })
    };
    let on_weight = |i: usize| {
        let kernel = kernel.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>()
                && let Ok(v) = input.value().trim().parse::<f32>()
                && v.is_finite()
            {
                let mut k: Kernel = *kernel;
                k[i] = v;
                kernel.set(k);
            }
        })
    };
    let next_image = {
        let image_index = image_index.clone();
        Callback::from(move |_| image_index.set(*image_index + 1))
    };
    let set_at = |dr: isize, dc: isize| {
        let at = at.clone();
        Callback::from(move |_| {
            let (r, c) = *at;
            at.set((
                (r as isize + dr).clamp(0, SIDE as isize - 1) as usize,
                (c as isize + dc).clamp(0, SIDE as isize - 1) as usize,
            ))
        })
    };
    let terms: Vec<String> = patch
        .iter()
        .zip(kernel.iter())
        .map(|(p, k)| format!("{p:.2}×{k:.2}"))
        .collect();

    html! {
        <>
            <p class="lead">{ "A convolution slides a small grid of weights (a kernel) over the image. At every position it multiplies the 3×3 pixels under it by the kernel's 9 weights and adds them up. A trained CNN learns its kernels; here you choose one. (This demo works on the grey version of the image; a real conv layer does the same on all three colour channels at once and adds them.)" }</p>
            <div class="conv-controls">
                <button onclick={next_image}>{ "Another image" }</button>
                <label for="kernel-preset">{ " Kernel " }</label>
                <select id="kernel-preset" onchange={on_preset}>
                    { for PRESETS.iter().enumerate().map(|(i, (n, k))| html! {
                        <option value={i.to_string()} selected={k == &*kernel}>{ *n }</option>
                    }) }
                    <option value="own" selected={preset_name == "your own"} disabled=true>{ "your own (type below)" }</option>
                </select>
            </div>
            <fieldset class="kernel">
                <legend>{ format!("Kernel weights ({preset_name}): type your own") }</legend>
                <div class="kernel-grid">
                    { for (0..9).map(|i| html! {
                        <input type="number" step="0.1" id={format!("k{i}")}
                            aria-label={format!("weight row {} column {}", i / 3 + 1, i % 3 + 1)}
                            value={format!("{}", (kernel[i] * 1000.0).round() / 1000.0)} onchange={on_weight(i)} />
                    }) }
                </div>
            </fieldset>
            <div class="conv-stages">
                <figure>
                    <ImageCanvas pixels={chw} alt={format!("test image {index}: {name}")} size={128} />
                    <figcaption>{ format!("Input: {name} (32×32)") }</figcaption>
                </figure>
                <figure>
                    <MapCanvas values={grey.clone()} width={SIDE} height={SIDE} lo={0.0} hi={1.0} alt="the image in grey" size={128} />
                    <figcaption>{ "Grey, 0 to 1" }</figcaption>
                </figure>
                <figure id="conv-output" data-sum={format!("{:.3}", out.iter().sum::<f32>())}>
                    <MapCanvas values={out.clone()} width={SIDE} height={SIDE} lo={lo} hi={hi} alt={format!("convolution output, from {lo:.2} (black) to {hi:.2} (white)")} size={128} />
                    <figcaption>{ format!("Convolved (32×32), {lo:.2} to {hi:.2}") }</figcaption>
                </figure>
                <figure>
                    <MapCanvas values={rectified} width={SIDE} height={SIDE} lo={0.0} hi={rhi} alt="after ReLU: negative values become 0" size={128} />
                    <figcaption>{ "ReLU: negatives → 0" }</figcaption>
                </figure>
                <figure>
                    <MapCanvas values={pooled} width={SIDE / 2} height={SIDE / 2} lo={0.0} hi={rhi} alt="after 2×2 max-pooling: 16×16" size={64} />
                    <figcaption>{ "2×2 max-pool (16×16)" }</figcaption>
                </figure>
            </div>
            <h3>{ "One output pixel, worked out" }</h3>
            <div class="one-pixel">
                <div role="group" aria-label="Move the output pixel">
                    <button onclick={set_at(-1, 0)} aria-label="up">{ "↑" }</button>
                    <button onclick={set_at(1, 0)} aria-label="down">{ "↓" }</button>
                    <button onclick={set_at(0, -1)} aria-label="left">{ "←" }</button>
                    <button onclick={set_at(0, 1)} aria-label="right">{ "→" }</button>
                </div>
                <p id="pixel-sum">
                    { format!("Output at row {row}, column {col} = ") }
                    <code>{ terms.join(" + ") }</code>
                    { format!(" = {value:.3}; after ReLU: {:.3}", value.max(0.0)) }
                </p>
                <p class="muted">{ "The 3×3 grey values around that pixel (zeros beyond the border: the \"same\" padding) times the kernel's weights, added up. The max-pooled map then keeps the largest of each 2×2 block, halving width and height." }</p>
            </div>
        </>
    }
}

//! Step 8: look inside the learner's trained model: the first layer's kernels as colour
//! patches, and the maps every convolution produces for an image the learner picks.

use std::rc::Rc;

use lab::inspect::{Kernels, Maps};
use yew::prelude::*;

use super::needs::{NeedsData, NeedsModel};
use crate::components::image_canvas::ImageCanvas;
use crate::components::map_canvas::MapCanvas;
use crate::workbench::Workbench;
use crate::workers::model as model_worker;

/// Maps shown per conv layer.
const MAPS_SHOWN: usize = 16;

/// One kernel's 3×3 RGB colours, its weights stretched to 0–255 (each kernel on its own
/// scale, as such pictures are usually drawn).
pub fn kernel_colours(k: &Kernels, filter: usize) -> Vec<[u8; 3]> {
    let per = 3 * k.size * k.size;
    let w = &k.values[filter * per..(filter + 1) * per];
    let (lo, hi) = w
        .iter()
        .fold((f32::MAX, f32::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let span = if hi > lo { hi - lo } else { 1.0 };
    let plane = k.size * k.size;
    (0..plane)
        .map(|i| std::array::from_fn(|c| (((w[c * plane + i] - lo) / span) * 255.0).round() as u8))
        .collect()
}

fn kernel_svg(k: &Kernels, filter: usize) -> Html {
    let colours = kernel_colours(k, filter);
    let s = k.size;
    html! {
        <svg viewBox={format!("0 0 {s} {s}")} width="36" height="36" role="img" aria-label={format!("kernel {}", filter + 1)} class="kernel-tile">
            { for colours.iter().enumerate().map(|(i, [r, g, b])| html! {
                <rect x={(i % s).to_string()} y={(i / s).to_string()} width="1" height="1" fill={format!("rgb({r},{g},{b})")} />
            }) }
        </svg>
    }
}

fn layer_maps(i: usize, m: &Maps) -> Html {
    let hi = m.values.iter().fold(0f32, |a, &b| a.max(b));
    let shown = m.channels.min(MAPS_SHOWN);
    html! {
        <section class="layer-maps">
            <h4>{ format!("Conv layer {}: {} maps of {}×{} (showing {})", i + 1, m.channels, m.height, m.width, shown) }</h4>
            <div class="maps">
                { for (0..shown).map(|c| html! {
                    <MapCanvas values={m.map(c).to_vec()} width={m.width} height={m.height} lo={0.0} hi={hi}
                        alt={format!("conv layer {} map {}", i + 1, c + 1)} size={64} />
                }) }
            </div>
        </section>
    }
}

/// The step's body.
#[function_component(InsideLesson)]
pub fn inside_lesson() -> Html {
    let bench = use_context::<Workbench>();
    let index = use_state(|| 0usize);
    let kernels = use_state(|| None::<Rc<Kernels>>);
    let maps = use_state(|| None::<Rc<Vec<Maps>>>);
    let guess = use_state(|| None::<(usize, f32)>);
    let error = use_state(|| None::<String>);
    let model = bench.as_ref().and_then(|b| b.state.model.clone());
    let dataset = bench.as_ref().and_then(|b| b.state.data.dataset.clone());
    let n_test = dataset.as_ref().map_or(0, |d| d.test.len());
    let image_at = *index % n_test.max(1);
    {
        let (kernels, maps, guess, error) =
            (kernels.clone(), maps.clone(), guess.clone(), error.clone());
        let current = model.clone();
        let pixels = dataset.as_ref().filter(|d| !d.test.is_empty()).map(|d| {
            let (mut px, mut labels) = (Vec::new(), Vec::new());
            d.test.batch_f32(&[image_at], &mut px, &mut labels);
            px
        });
        use_effect_with((model.clone(), image_at, dataset.clone()), move |_| {
            let Some(current) = current else {
                return;
            };
            wasm_bindgen_futures::spawn_local(async move {
                let result = async {
                    let k = model_worker::kernels(&current).await?;
                    kernels.set(Some(Rc::new(k)));
                    if let Some(px) = pixels {
                        let m = model_worker::maps(&current, px.clone()).await?;
                        maps.set(Some(Rc::new(m)));
                        let p = model_worker::probabilities(&current, px).await?;
                        let best = (0..p.len())
                            .max_by(|&a, &b| p[a].total_cmp(&p[b]))
                            .unwrap_or(0);
                        guess.set(Some((best, p[best])));
                    }
                    Ok::<(), String>(())
                }
                .await;
                if let Err(e) = result {
                    error.set(Some(e));
                }
            });
        });
    }
    let intro = html! {
        <p class="lead">{ "A trained network is not a black box: its weights and its intermediate results are numbers we can draw. The first layer's kernels look straight at the pixels; every later map shows where in the image a learned pattern was found (white: strongly)." }</p>
    };
    let Some(model) = model else {
        return html! { <>{ intro }<NeedsModel /></> };
    };
    let Some(d) = dataset else {
        return html! { <>{ intro }<NeedsData /></> };
    };
    let names = d.class_names.clone();
    let name = |i: usize| names.get(i).cloned().unwrap_or_default();
    let next = {
        let index = index.clone();
        Callback::from(move |_| index.set(*index + 1))
    };
    html! {
        <>
            { intro }
            <p class="muted">{ format!("Model: {}.", model.label) }</p>
            if let Some(e) = &*error { <p class="error" role="alert">{ e.clone() }</p> }
            <h3>{ "The first layer's kernels" }</h3>
            if let Some(k) = &*kernels {
                <div class="kernels" id="first-kernels" aria-label={format!("{} kernels of 3×3 pixels in colour", k.filters)}>
                    { for (0..k.filters).map(|f| kernel_svg(k, f)) }
                </div>
                <p class="muted">{ format!("{} kernels, each 3×3 pixels × 3 colours, drawn as colour (each stretched to its own range). Trained ones tend to become colour blobs and edges in one direction; a model trained briefly still looks noisy.", k.filters) }</p>
            } else {
                <p class="muted">{ "Reading the weights…" }</p>
            }
            <h3>{ "What each conv layer sees" }</h3>
            <div class="inside-image">
                <ImageCanvas pixels={d.test.image(image_at).to_vec()} alt={format!("test image {image_at}: {}", name(usize::from(d.test.label(image_at))))} size={128} />
                <div>
                    <p>{ format!("Test image {image_at}: {}", name(usize::from(d.test.label(image_at)))) }</p>
                    if let Some((c, p)) = *guess {
                        <p id="inside-guess">{ format!("The model says: {} ({:.0}%).", name(c), p * 100.0) }</p>
                    }
                    <button onclick={next}>{ "Another image" }</button>
                </div>
            </div>
            if let Some(maps) = &*maps {
                <div id="conv-maps">
                    { for maps.iter().enumerate().map(|(i, m)| layer_maps(i, m)) }
                </div>
            }
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kernel_is_stretched_to_its_own_range() {
        // Two 1×1 kernels of 3 channels: (0, 1, 2) and (5, 5, 5).
        let k = Kernels {
            filters: 2,
            size: 1,
            values: vec![0.0, 1.0, 2.0, 5.0, 5.0, 5.0],
        };
        assert_eq!(kernel_colours(&k, 0), [[0, 128, 255]]);
        assert_eq!(kernel_colours(&k, 1), [[0, 0, 0]]);
    }
}

//! Step 2: the dataset. A gallery of the loaded images, filterable by class; how many
//! images each class has in the training and test sets; and one pixel's numbers before
//! and after scaling to [0, 1].

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::needs::NeedsData;
use crate::components::image_canvas::ImageCanvas;
use crate::components::number_field::NumberField;
use crate::workbench::Workbench;

/// Images shown at once in the gallery.
pub const GALLERY: usize = 30;

/// Indices of the first `n` images of `class` (all classes for `None`).
pub fn gallery(labels: &[u8], class: Option<u8>, n: usize) -> Vec<usize> {
    labels
        .iter()
        .enumerate()
        .filter(|(_, l)| class.is_none_or(|c| **l == c))
        .map(|(i, _)| i)
        .take(n)
        .collect()
}

/// The step's body.
#[function_component(DatasetLesson)]
pub fn dataset_lesson() -> Html {
    let bench = use_context::<Workbench>();
    let class = use_state(|| None::<u8>);
    let picked = use_state(|| 0usize);
    let pixel = use_state(|| (16usize, 16usize));
    let Some(bench) = bench else {
        return html! {};
    };
    let Some(d) = bench.state.data.dataset.clone() else {
        return html! {
            <>
                <p class="lead">{ "CIFAR-10 is 60,000 colour photos of 32×32 pixels in ten classes: 50,000 to train on and 10,000 to test with." }</p>
                <NeedsData />
            </>
        };
    };
    let names = d.class_names.clone();
    let train_counts = d.train.class_counts();
    let test_counts = d.test.class_counts();
    let shown = gallery(d.train.labels(), *class, GALLERY);
    let on_class = {
        let class = class.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<HtmlSelectElement>() {
                class.set(s.value().parse::<u8>().ok());
            }
        })
    };
    let pick = shown.first().copied().unwrap_or(0);
    let chosen = if shown.contains(&*picked) {
        *picked
    } else {
        pick
    };
    let image = d.train.image(chosen).to_vec();
    let (row, col) = *pixel;
    let plane = cifar::SIDE * cifar::SIDE;
    let at = row * cifar::SIDE + col;
    let rgb = [image[at], image[plane + at], image[2 * plane + at]];
    let set_row = {
        let pixel = pixel.clone();
        Callback::from(move |v: f64| pixel.set(((v as usize).min(31), pixel.1)))
    };
    let set_col = {
        let pixel = pixel.clone();
        Callback::from(move |v: f64| pixel.set((pixel.0, (v as usize).min(31))))
    };
    let label = |i: usize| {
        names
            .get(usize::from(d.train.label(i)))
            .cloned()
            .unwrap_or_default()
    };
    html! {
        <>
            <p class="lead">{ format!(
                "Loaded: {}. Each image is 32×32 pixels with three colour channels (red, green, blue): 3,072 numbers from 0 to 255.",
                d.source.describe()
            ) }</p>
            if !d.source.is_cifar10() {
                <p class="notice">{ "These are synthetic shapes made in the browser, NOT CIFAR-10: load the real images to see real photos." }</p>
            }
            <div class="gallery-controls">
                <label for="gallery-class">{ "Show class " }</label>
                <select id="gallery-class" onchange={on_class}>
                    <option value="all" selected={class.is_none()}>{ "all classes" }</option>
                    { for names.iter().enumerate().map(|(i, n)| html! {
                        <option value={i.to_string()} selected={*class == Some(i as u8)}>{ n.clone() }</option>
                    }) }
                </select>
                <span class="muted" id="gallery-count">{ format!(" {} training images shown", shown.len()) }</span>
            </div>
            <ul class="gallery" aria-label="Training images">
                { for shown.iter().map(|&i| {
                    let picked = picked.clone();
                    let name = label(i);
                    html! {
                        <li>
                            <button class={classes!("thumb-button", (i == chosen).then_some("chosen"))}
                                aria-pressed={(i == chosen).to_string()}
                                onclick={Callback::from(move |_| picked.set(i))}>
                                <ImageCanvas pixels={d.train.image(i).to_vec()} alt={format!("training image {i}: {name}")} size={56} />
                                <span class="caption" data-class={name.clone()}>{ name }</span>
                            </button>
                        </li>
                    }
                }) }
            </ul>
            <h3>{ "Images per class" }</h3>
            <table class="counts" tabindex="0">
                <caption>{ "Images per class in the loaded training and test sets" }</caption>
                <thead><tr><th scope="col">{ "class" }</th><th scope="col">{ "training" }</th><th scope="col">{ "test" }</th></tr></thead>
                <tbody>
                    { for names.iter().enumerate().map(|(c, n)| html! {
                        <tr><th scope="row">{ n.clone() }</th>
                            <td class="num">{ lab::spec::group_thousands(train_counts[c]) }</td>
                            <td class="num">{ lab::spec::group_thousands(test_counts[c]) }</td></tr>
                    }) }
                    <tr class="total"><th scope="row">{ "all" }</th>
                        <td class="num">{ lab::spec::group_thousands(d.train.len()) }</td>
                        <td class="num">{ lab::spec::group_thousands(d.test.len()) }</td></tr>
                </tbody>
            </table>
            <p>{ "The network trains on the training images only. The test images are kept apart and used after every epoch to measure how well it does on photos it has never seen (the tutorial uses them as its validation set)." }</p>
            <h3>{ "From pixels to numbers" }</h3>
            <div class="pixel-demo">
                <ImageCanvas pixels={image.clone()} alt={format!("the chosen image, {}", label(chosen))} size={160} />
                <div>
                    <NumberField id="pixel-row" label="Row (0–31)" value={row.to_string()} step="1" on_change={set_row} />
                    <NumberField id="pixel-col" label="Column (0–31)" value={col.to_string()} step="1" on_change={set_col} />
                    <table class="pixel" tabindex="0" id="pixel-values">
                        <caption>{ format!("Pixel at row {row}, column {col}") }</caption>
                        <thead><tr><th scope="col">{ "channel" }</th><th scope="col">{ "stored (0–255)" }</th><th scope="col">{ "network input (÷ 255)" }</th></tr></thead>
                        <tbody>
                            { for ["red", "green", "blue"].iter().zip(rgb).map(|(name, v)| html! {
                                <tr><th scope="row">{ *name }</th><td class="num">{ v }</td><td class="num">{ format!("{:.3}", f32::from(v) / 255.0) }</td></tr>
                            }) }
                        </tbody>
                    </table>
                    <p class="muted">{ "Why scale? Inputs between 0 and 1 keep the first layer's weighted sums small, where the random starting weights and the learning rate were chosen to work; raw values up to 255 would make the first steps far too large." }</p>
                </div>
            </div>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::gallery;

    #[test]
    fn the_gallery_filters_by_class_and_stops_at_n() {
        let labels = [0, 1, 1, 2, 1, 0];
        assert_eq!(gallery(&labels, Some(1), 2), [1, 2]);
        assert_eq!(gallery(&labels, None, 4), [0, 1, 2, 3]);
        assert_eq!(gallery(&labels, Some(9), 4), Vec::<usize>::new());
    }
}

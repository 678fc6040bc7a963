//! Step 1: AI, machine learning, deep learning, and learning with or without labels,
//! shown on 36 points: with labels a classifier learns each class's centre and labels new
//! points; without labels k-means finds groups on its own (but cannot name them).

use yew::prelude::*;

/// A point in the unit square and its (hidden, for clustering) class.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Horizontal position, 0 to 1.
    pub x: f64,
    /// Vertical position, 0 to 1.
    pub y: f64,
    /// Its class, 0 to 2.
    pub class: usize,
}

const CENTRES: [(f64, f64); 3] = [(0.25, 0.3), (0.75, 0.3), (0.5, 0.75)];
const NAMES: [&str; 3] = ["circle", "square", "triangle"];
/// The three classes' colours: CSS variables (web/style.css), a shade per colour scheme
/// that reads against the page's background as text and as dots.
const COLOURS: [&str; 3] = ["var(--class-0)", "var(--class-1)", "var(--class-2)"];

/// 12 points around each of three centres, the same every time (a small LCG).
pub fn points() -> Vec<Point> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut out = Vec::new();
    for (class, &(cx, cy)) in CENTRES.iter().enumerate() {
        for _ in 0..12 {
            let (dx, dy) = ((next() - 0.5) * 0.34, (next() - 0.5) * 0.34);
            out.push(Point {
                x: (cx + dx).clamp(0.02, 0.98),
                y: (cy + dy).clamp(0.02, 0.98),
                class,
            });
        }
    }
    out
}

fn dist2(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)
}

/// The mean position of each class (what the supervised classifier learns).
pub fn class_centres(points: &[Point]) -> [(f64, f64); 3] {
    std::array::from_fn(|c| {
        let members: Vec<&Point> = points.iter().filter(|p| p.class == c).collect();
        let n = members.len().max(1) as f64;
        (
            members.iter().map(|p| p.x).sum::<f64>() / n,
            members.iter().map(|p| p.y).sum::<f64>() / n,
        )
    })
}

/// The index of the nearest centre.
pub fn nearest(centres: &[(f64, f64)], at: (f64, f64)) -> usize {
    (0..centres.len())
        .min_by(|&a, &b| dist2(centres[a], at).total_cmp(&dist2(centres[b], at)))
        .unwrap_or(0)
}

/// One k-means step: assign every point to its nearest centre, then move each centre to
/// the mean of its points. Returns the new centres and the assignment.
pub fn kmeans_step(points: &[Point], centres: &[(f64, f64)]) -> (Vec<(f64, f64)>, Vec<usize>) {
    let assign: Vec<usize> = points
        .iter()
        .map(|p| nearest(centres, (p.x, p.y)))
        .collect();
    let moved = (0..centres.len())
        .map(|k| {
            let members: Vec<&Point> = points
                .iter()
                .zip(&assign)
                .filter(|(_, a)| **a == k)
                .map(|(p, _)| p)
                .collect();
            if members.is_empty() {
                return centres[k];
            }
            let n = members.len() as f64;
            (
                members.iter().map(|p| p.x).sum::<f64>() / n,
                members.iter().map(|p| p.y).sum::<f64>() / n,
            )
        })
        .collect();
    (moved, assign)
}

/// Where k-means starts: three points from the top-left corner of the data, so the
/// first steps visibly move the centres.
fn kmeans_start() -> Vec<(f64, f64)> {
    vec![(0.1, 0.1), (0.2, 0.1), (0.1, 0.2)]
}

/// New points the learner drops for the classifier, in turn.
const PROBES: [(f64, f64); 5] = [
    (0.45, 0.5),
    (0.3, 0.65),
    (0.85, 0.55),
    (0.6, 0.15),
    (0.15, 0.45),
];

const SIZE: f64 = 300.0;

/// The step's body.
#[function_component(Intro)]
pub fn intro() -> Html {
    let supervised = use_state(|| true);
    let probe = use_state(|| None::<usize>);
    let kmeans = use_state(|| (kmeans_start(), Vec::<usize>::new(), 0usize));
    let pts = points();
    let centres = class_centres(&pts);

    let to_px = |v: f64| v * SIZE;
    let dots = pts.iter().enumerate().map(|(i, p)| {
        let colour = if *supervised {
            COLOURS[p.class]
        } else {
            kmeans.1.get(i).map(|&k| COLOURS[k]).unwrap_or("var(--muted)")
        };
        html! { <circle cx={to_px(p.x).to_string()} cy={to_px(p.y).to_string()} r="6" fill={colour} /> }
    });
    let (status, extra) = if *supervised {
        let text = match *probe {
            None => "Each point comes with its class (its label). The classifier learns where each class's centre is (the crosses) and labels a new point by the nearest centre.".to_string(),
            Some(i) => {
                let at = PROBES[i % PROBES.len()];
                format!("The new point is nearest the {} centre, so the classifier says: {}.", NAMES[nearest(&centres, at)], NAMES[nearest(&centres, at)])
            }
        };
        let marks = html! {
            <>
                { for centres.iter().enumerate().map(|(c, &(x, y))| html! {
                    <text x={to_px(x).to_string()} y={to_px(y).to_string()} class="centre" fill={COLOURS[c]} text-anchor="middle" dominant-baseline="central">{ "✕" }</text>
                }) }
                if let Some(i) = *probe {
                    <circle cx={to_px(PROBES[i % PROBES.len()].0).to_string()} cy={to_px(PROBES[i % PROBES.len()].1).to_string()} r="9"
                        fill={COLOURS[nearest(&centres, PROBES[i % PROBES.len()])]} stroke="#111" stroke-width="3" />
                }
            </>
        };
        (text, marks)
    } else {
        let (centres, assign, steps) = &*kmeans;
        let text = if assign.is_empty() {
            "The same points without labels. Nobody says which class each is, but k-means can still look for groups: press \"Run one k-means step\".".to_string()
        } else {
            let sizes: Vec<String> = (0..3)
                .map(|k| assign.iter().filter(|a| **a == k).count().to_string())
                .collect();
            // How well the groups match the hidden classes: the best one-to-one naming.
            let agree = best_agreement(&pts, assign);
            format!(
                "After {} step{}: groups of {} points. They match the hidden classes for {} of {} points, yet k-means cannot say which group is \"circle\": it never saw a label.",
                steps,
                if *steps == 1 { "" } else { "s" },
                sizes.join(", "),
                agree,
                pts.len()
            )
        };
        let marks = html! {
            { for centres.iter().enumerate().map(|(k, &(x, y))| html! {
                <text x={to_px(x).to_string()} y={to_px(y).to_string()} class="centre" fill={COLOURS[k]} text-anchor="middle" dominant-baseline="central">{ "✕" }</text>
            }) }
        };
        (text, marks)
    };

    let set_mode = |on: bool| {
        let supervised = supervised.clone();
        Callback::from(move |_| supervised.set(on))
    };
    let on_probe = {
        let probe = probe.clone();
        Callback::from(move |_| probe.set(Some(probe.map_or(0, |i| i + 1))))
    };
    let on_step = {
        let kmeans = kmeans.clone();
        let pts = pts.clone();
        Callback::from(move |_| {
            let (c, _, steps) = &*kmeans;
            let (moved, assign) = kmeans_step(&pts, c);
            kmeans.set((moved, assign, steps + 1));
        })
    };
    let on_reset = {
        let kmeans = kmeans.clone();
        Callback::from(move |_| kmeans.set((kmeans_start(), Vec::new(), 0)))
    };

    html! {
        <>
            <div class="nested-terms" aria-label="Artificial intelligence contains machine learning, which contains deep learning">
                <div class="term ai"><strong>{ "Artificial intelligence" }</strong>{ ": any program that does something we would call intelligent, whether hand-written rules or learned." }
                    <div class="term ml"><strong>{ "Machine learning" }</strong>{ ": the program's behaviour is learned from examples instead of written as rules." }
                        <div class="term dl"><strong>{ "Deep learning" }</strong>{ ": machine learning with many stacked layers of simple units (a neural network); each layer learns features from the one before. The CNN in this course is one." }</div>
                    </div>
                </div>
            </div>
            <h3>{ "Learning with labels, and without" }</h3>
            <p>{ "Supervised learning learns from examples that come with the answer (this photo: cat). Unsupervised learning gets no answers and looks for structure on its own, such as groups of similar examples. CIFAR-10 has a label for every photo, so the CNN here learns supervised." }</p>
            <div class="mode" role="group" aria-label="Show the points">
                <button aria-pressed={(*supervised).to_string()} onclick={set_mode(true)}>{ "With labels (supervised)" }</button>
                <button aria-pressed={(!*supervised).to_string()} onclick={set_mode(false)}>{ "Without labels (unsupervised)" }</button>
            </div>
            <div class="learning-demo">
                <svg viewBox={format!("0 0 {SIZE} {SIZE}")} width="300" height="300" role="img"
                    aria-label={format!("{} points. {}", pts.len(), status)} class="points">
                    <rect width={SIZE.to_string()} height={SIZE.to_string()} fill="#f8fafc" stroke="#cbd5e1" />
                    { for dots }
                    { extra }
                </svg>
                <div>
                    <p id="learning-status" role="status">{ status }</p>
                    if *supervised {
                        <button onclick={on_probe}>{ "Drop a new point to classify" }</button>
                        <p class="muted">{ "Legend: " }{ for (0..3).map(|c| html! { <span class="legend" style={format!("color:{}", COLOURS[c])}>{ format!("● {} ", NAMES[c]) }</span> }) }</p>
                    } else {
                        <button onclick={on_step}>{ "Run one k-means step" }</button>
                        { " " }
                        <button onclick={on_reset}>{ "Start again" }</button>
                    }
                </div>
            </div>
        </>
    }
}

/// Points whose k-means group matches their hidden class, under the best naming of groups.
pub fn best_agreement(points: &[Point], assign: &[usize]) -> usize {
    const PERMS: [[usize; 3]; 6] = [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ];
    PERMS
        .iter()
        .map(|perm| {
            points
                .iter()
                .zip(assign)
                .filter(|(p, a)| perm[**a] == p.class)
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_centre_classifies_the_training_points_themselves() {
        let pts = points();
        let centres = class_centres(&pts);
        let right = pts
            .iter()
            .filter(|p| nearest(&centres, (p.x, p.y)) == p.class)
            .count();
        assert!(right >= 33, "{right} of 36");
    }

    #[test]
    fn kmeans_finds_the_hidden_groups_without_labels() {
        let pts = points();
        let mut centres = kmeans_start();
        let mut assign = Vec::new();
        for _ in 0..10 {
            (centres, assign) = kmeans_step(&pts, &centres);
        }
        assert!(best_agreement(&pts, &assign) >= 33);
        // It moved: the first step's groups are not yet the classes.
        let (_, first) = kmeans_step(&pts, &kmeans_start());
        assert!(best_agreement(&pts, &first) < best_agreement(&pts, &assign));
    }
}

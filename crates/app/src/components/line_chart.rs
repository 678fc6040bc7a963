//! A line chart in SVG: axes with ticks and units, a legend, one polyline per series.
//! Hand-made SVG keeps the page light (no charting library in the wasm).

use yew::prelude::*;

/// One line on the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend label.
    pub name: String,
    /// CSS colour.
    pub color: &'static str,
    /// Points (x, y).
    pub points: Vec<(f64, f64)>,
    /// Dashed line (e.g. published figures).
    pub dashed: bool,
    /// Mark every point with a dot (per-epoch series).
    pub dots: bool,
}

/// The chart's properties.
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct LineChartProps {
    /// Title above the chart.
    pub title: AttrValue,
    /// The x axis's label, with its unit.
    pub x_label: AttrValue,
    /// The y axis's label, with its unit.
    pub y_label: AttrValue,
    /// The lines.
    pub series: Vec<Series>,
    /// Fixed y range (e.g. 0–1 for accuracy); else from the data.
    #[prop_or_default]
    pub y_range: Option<(f64, f64)>,
    /// Smallest x range shown (e.g. the run's epochs), so the axis does not jump.
    #[prop_or_default]
    pub x_max: Option<f64>,
    /// Show y values as percentages.
    #[prop_or_default]
    pub percent: bool,
    /// An x position to mark with a vertical line and its label (e.g. the best epoch).
    #[prop_or_default]
    pub marker: Option<(f64, String)>,
}

const W: f64 = 460.0;
const H: f64 = 260.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 40.0;

/// About `n` round tick values covering `lo..=hi`.
pub fn ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if !lo.is_finite() || !hi.is_finite() || hi <= lo {
        return vec![lo];
    }
    let raw = (hi - lo) / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() * step;
    let mut out = Vec::new();
    let mut v = first;
    while v <= hi + step * 1e-9 {
        out.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
        v += step;
    }
    out
}

/// Decimals that tell apart values `step` apart (`step` a round tick step): the fewest with
/// which `step` itself is written exactly (0.25 → 2, 0.002 → 3, 5 → 0).
pub fn decimals(step: f64) -> usize {
    if !step.is_finite() || step <= 0.0 {
        return 2;
    }
    (0..9)
        .find(|&d| {
            let scaled = step * 10f64.powi(d as i32);
            (scaled - scaled.round()).abs() < 1e-6 * scaled.max(1.0)
        })
        .unwrap_or(9)
}

/// Tick labels for `ticks`, each as precise as the ticks' step asks (so no two read the
/// same), as percentages when `percent`.
pub fn labels(ticks: &[f64], percent: bool) -> Vec<String> {
    let scale = if percent { 100.0 } else { 1.0 };
    let step = ticks
        .windows(2)
        .map(|w| (w[1] - w[0]) * scale)
        .fold(f64::INFINITY, f64::min);
    let d = if step.is_finite() { decimals(step) } else { 0 };
    ticks
        .iter()
        .map(|&v| {
            let text = format!("{:.*}", d, v * scale);
            // "-0.00" reads as 0.
            let text = if text
                .trim_start_matches('-')
                .chars()
                .all(|c| c == '0' || c == '.')
            {
                text.trim_start_matches('-').to_string()
            } else {
                text
            };
            if percent { format!("{text}%") } else { text }
        })
        .collect()
}

/// One value as the chart's summary reads it (three significant decimals at most).
fn value(v: f64, percent: bool) -> String {
    if percent {
        format!("{:.0}%", v * 100.0)
    } else if v.abs() >= 100.0 || v.fract().abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.3}")
    }
}

/// An SVG line chart.
#[function_component(LineChart)]
pub fn line_chart(props: &LineChartProps) -> Html {
    let all = props.series.iter().flat_map(|s| s.points.iter());
    let (mut x0, mut x1, mut y0, mut y1) = (0.0f64, 1.0f64, f64::INFINITY, f64::NEG_INFINITY);
    for &(x, y) in all {
        if x.is_finite() && y.is_finite() {
            x1 = x1.max(x);
            x0 = x0.min(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
    }
    if let Some(m) = props.x_max {
        x1 = x1.max(m);
    }
    let (y0, y1) = match props.y_range {
        Some(r) => r,
        None if y0.is_finite() && y1 > y0 => {
            let pad = (y1 - y0) * 0.08;
            ((y0 - pad).max(0.0), y1 + pad)
        }
        None if y0.is_finite() => ((y0 - 0.5).max(0.0), y0 + 0.5),
        None => (0.0, 1.0),
    };
    let sx = |x: f64| LEFT + (x - x0) / (x1 - x0).max(1e-12) * (W - LEFT - RIGHT);
    let sy = |y: f64| TOP + (1.0 - (y - y0) / (y1 - y0).max(1e-12)) * (H - TOP - BOTTOM);

    let x_ticks = ticks(x0, x1, 6);
    let y_ticks = ticks(y0, y1, 5);
    let x_labels = labels(&x_ticks, false);
    let y_labels = labels(&y_ticks, props.percent);
    let empty = props.series.iter().all(|s| s.points.is_empty());
    let summary = props
        .series
        .iter()
        .filter_map(|s| {
            s.points.last().map(|&(x, y)| {
                format!(
                    "{} {} at {}",
                    s.name,
                    value(y, props.percent),
                    value(x, false)
                )
            })
        })
        .collect::<Vec<_>>()
        .join("; ");
    let aria = format!(
        "{}. {}",
        props.title,
        if empty {
            "No data yet.".to_string()
        } else {
            format!("Latest: {summary}.")
        }
    );

    html! {
        <figure class="chart">
            <figcaption>{ props.title.clone() }</figcaption>
            <svg viewBox={format!("0 0 {W} {H}")} role="img" aria-label={aria}>
                <g class="grid">
                    { for y_ticks.iter().zip(&y_labels).map(|(&v, text)| html! {
                        <g>
                            <line x1={LEFT.to_string()} x2={(W - RIGHT).to_string()} y1={sy(v).to_string()} y2={sy(v).to_string()} />
                            <text x={(LEFT - 6.0).to_string()} y={(sy(v) + 4.0).to_string()} text-anchor="end">{ text.clone() }</text>
                        </g>
                    }) }
                    { for x_ticks.iter().zip(&x_labels).map(|(&v, text)| html! {
                        <text x={sx(v).to_string()} y={(H - BOTTOM + 16.0).to_string()} text-anchor="middle">{ text.clone() }</text>
                    }) }
                </g>
                <line class="axis" x1={LEFT.to_string()} x2={LEFT.to_string()} y1={TOP.to_string()} y2={(H - BOTTOM).to_string()} />
                <line class="axis" x1={LEFT.to_string()} x2={(W - RIGHT).to_string()} y1={(H - BOTTOM).to_string()} y2={(H - BOTTOM).to_string()} />
                <text class="axis-label" x={((LEFT + W - RIGHT) / 2.0).to_string()} y={(H - 6.0).to_string()} text-anchor="middle">{ props.x_label.clone() }</text>
                <text class="axis-label" transform={format!("translate(12 {}) rotate(-90)", (TOP + H - BOTTOM) / 2.0)} text-anchor="middle">{ props.y_label.clone() }</text>
                if let Some((x, text)) = &props.marker {
                    <g class="marker">
                        <line x1={sx(*x).to_string()} x2={sx(*x).to_string()} y1={TOP.to_string()} y2={(H - BOTTOM).to_string()} />
                        // Label on the side with room: left of the line near the right edge.
                        if sx(*x) > W * 0.7 {
                            <text x={(sx(*x) - 4.0).to_string()} y={(TOP + 10.0).to_string()} text-anchor="end">{ text.clone() }</text>
                        } else {
                            <text x={(sx(*x) + 4.0).to_string()} y={(TOP + 10.0).to_string()}>{ text.clone() }</text>
                        }
                    </g>
                }
                { for props.series.iter().map(|s| {
                    let pts = s.points.iter().filter(|(x, y)| x.is_finite() && y.is_finite())
                        .map(|&(x, y)| format!("{:.1},{:.1}", sx(x), sy(y.clamp(y0, y1))))
                        .collect::<Vec<_>>().join(" ");
                    html! {
                        <g>
                            <polyline points={pts} fill="none" stroke={s.color} stroke-width="2"
                                stroke-dasharray={if s.dashed { "6 4" } else { "none" }} />
                            if s.dots {
                                { for s.points.iter().filter(|(x, y)| x.is_finite() && y.is_finite()).map(|&(x, y)| html! {
                                    <circle cx={format!("{:.1}", sx(x))} cy={format!("{:.1}", sy(y.clamp(y0, y1)))} r="3" fill={s.color} />
                                }) }
                            }
                        </g>
                    }
                }) }
            </svg>
            <ul class="legend">
                { for props.series.iter().map(|s| html! {
                    <li><span class="swatch" style={format!("background:{}", s.color)}></span>{ s.name.clone() }</li>
                }) }
            </ul>
            if empty { <p class="muted">{ "The curves appear after the first batches." }</p> }
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::{decimals, labels, ticks};
    use proptest::prelude::*;

    #[test]
    fn labels_are_as_precise_as_the_step() {
        assert_eq!(decimals(0.25), 2);
        assert_eq!(decimals(0.002), 3);
        assert_eq!(decimals(5.0), 0);
        // The loss chart that once read "2.31, 2.31, 2.31, 2.30, 2.30".
        let t = ticks(2.2995, 2.3105, 5);
        let l = labels(&t, false);
        assert_eq!(l, ["2.3000", "2.3025", "2.3050", "2.3075", "2.3100"]);
        assert_eq!(
            labels(&ticks(0.0, 1.0, 5), true),
            ["0%", "20%", "40%", "60%", "80%", "100%"]
        );
        assert_eq!(
            labels(&ticks(0.41, 0.43, 5), true),
            ["41.0%", "41.5%", "42.0%", "42.5%", "43.0%"]
        );
        assert_eq!(labels(&[-0.0, 0.5], false), ["0.0", "0.5"]);
    }

    proptest! {
        /// At any scale, the labels of a chart's ticks are all different.
        #[test]
        fn labels_are_distinct_at_any_scale(lo in -1e4f64..1e4, span in 1e-4f64..1e6, n in 2usize..8, percent: bool) {
            let t = ticks(lo, lo + span, n);
            let l = labels(&t, percent);
            let mut unique = l.clone();
            unique.sort();
            unique.dedup();
            prop_assert_eq!(unique.len(), l.len(), "{:?} -> {:?}", t, l);
        }
    }

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        let close = |a: Vec<f64>, b: &[f64]| {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-9)
        };
        assert!(close(ticks(0.0, 1.0, 5), &[0.0, 0.2, 0.4, 0.6, 0.8, 1.0]));
        assert!(close(ticks(0.0, 10.0, 5), &[0.0, 2.0, 4.0, 6.0, 8.0, 10.0]));
        let t = ticks(1.3, 2.4, 5);
        assert!(t.first().unwrap() >= &1.3 && t.last().unwrap() <= &2.4);
        assert_eq!(ticks(1.0, 1.0, 5), vec![1.0]);
    }
}

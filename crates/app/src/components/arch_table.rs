//! The architecture table, as the tutorial draws it, computed from the model's spec.

use lab::ModelSpec;
use lab::spec::group_thousands;
use yew::prelude::*;

/// The table's properties.
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ArchTableProps {
    /// The model to describe.
    pub spec: ModelSpec,
}

/// Operation, output C×H×W, weights and their share, and the total.
#[function_component(ArchTableView)]
pub fn arch_table(props: &ArchTableProps) -> Html {
    let table = match props.spec.table() {
        Ok(t) => t,
        Err(e) => {
            return html! { <p class="error" role="alert">{ format!("This model is inconsistent: {e}") }</p> };
        }
    };
    html! {
        <table class="arch" tabindex="0">
            <caption>{ format!("Architecture of the {}: {} weights", props.spec.name, group_thousands(table.total)) }</caption>
            <thead>
                <tr>
                    <th scope="col">{ "Operation" }</th>
                    <th scope="col">{ "Output (C, H, W)" }</th>
                    <th scope="col" class="num">{ "Weights" }</th>
                    <th scope="col" class="num">{ "%" }</th>
                </tr>
            </thead>
            <tbody>
                <tr class="input">
                    <td>{ "Input" }</td>
                    <td>{ table.input.to_string() }</td>
                    <td class="num"></td>
                    <td class="num"></td>
                </tr>
                { for table.rows.iter().map(|row| html! {
                    <tr>
                        <td>{ row.operation.clone() }</td>
                        <td>{ row.dims.to_string() }</td>
                        <td class="num">{ if row.weights > 0 { group_thousands(row.weights) } else { String::new() } }</td>
                        <td class="num">{ if row.weights > 0 { format!("{:.1}%", row.percent) } else { String::new() } }</td>
                    </tr>
                }) }
            </tbody>
            <tfoot>
                <tr>
                    <th scope="row" colspan="2">{ "Total" }</th>
                    <td class="num">{ group_thousands(table.total) }</td>
                    <td class="num">{ "100%" }</td>
                </tr>
            </tfoot>
        </table>
    }
}

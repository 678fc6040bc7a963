//! Components, one per file, each drawing one thing.

pub mod arch_table;
pub mod confusion;
pub mod data_panel;
pub mod image_canvas;
pub mod line_chart;
pub mod map_canvas;
pub mod number_field;
pub mod offline_panel;
pub mod prediction_strip;
pub mod progress_bar;
pub mod resume_offer;
pub mod run_panel;
pub mod settings_form;
pub mod share_link;

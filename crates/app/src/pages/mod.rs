//! Pages that are not lessons: the trainer (shown in step 5) and the runs kept in the
//! browser.

pub mod runs;
pub mod trainer;

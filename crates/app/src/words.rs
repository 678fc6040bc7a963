//! Numbers in a learner's words: "1 epoch", "2 epochs", "1,000 images".

use lab::spec::group_thousands;

/// `n` and the noun, singular for one and plural otherwise, the number grouped in
/// thousands: `count(1, "epoch", "epochs")` is "1 epoch", `count(5000, "image", "images")`
/// "5,000 images".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", group_thousands(n), if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_thousands_are_grouped() {
        assert_eq!(count(1, "epoch", "epochs"), "1 epoch");
        assert_eq!(count(0, "epoch", "epochs"), "0 epochs");
        assert_eq!(count(2, "epoch", "epochs"), "2 epochs");
        assert_eq!(count(50_000, "image", "images"), "50,000 images");
    }
}

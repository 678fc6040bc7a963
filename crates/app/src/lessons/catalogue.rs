//! The course: nine steps, their titles, and each step's check-your-understanding
//! questions with the explanation shown once a learner answers.

/// One step of the course.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lesson {
    /// 1-based position (also its URL: `#/lesson/<n>`).
    pub n: usize,
    /// Heading.
    pub title: &'static str,
    /// One line for the table of contents.
    pub summary: &'static str,
    /// The questions at its end.
    pub questions: &'static [Question],
}

/// A multiple-choice question.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Question {
    /// What is asked.
    pub prompt: &'static str,
    /// The choices.
    pub options: &'static [&'static str],
    /// Index of the right choice.
    pub answer: usize,
    /// Why that is right, shown after any answer.
    pub why: &'static str,
}

/// Every step, in order.
pub const LESSONS: [Lesson; 9] = [
    Lesson {
        n: 1,
        title: "AI, machine learning, deep learning",
        summary: "What each term means; learning with and without labels.",
        questions: &[
            Question {
                prompt: "A program sorts photos into ten named classes after seeing thousands of photos with their class names. What kind of learning is that?",
                options: &[
                    "Supervised",
                    "Unsupervised",
                    "Neither: it was programmed by hand",
                ],
                answer: 0,
                why: "Every training photo came with its answer (the label), and the program learned to reproduce those answers: that is supervised learning.",
            },
            Question {
                prompt: "What makes deep learning \"deep\"?",
                options: &[
                    "It needs a very large computer",
                    "It stacks many layers, each learning features from the one before",
                    "It learns without any data",
                ],
                answer: 1,
                why: "Deep networks stack layers: early ones learn simple features (edges, colours), later ones combine them into parts and objects.",
            },
            Question {
                prompt: "Clustering finds groups in points that have no labels. Can it tell you the groups' names?",
                options: &["Yes", "No, it only finds which points belong together"],
                answer: 1,
                why: "Without labels there are no names to learn: clustering groups similar points, and a person has to say what each group means.",
            },
        ],
    },
    Lesson {
        n: 2,
        title: "The dataset",
        summary: "CIFAR-10's 60,000 tiny photos, their classes and split.",
        questions: &[
            Question {
                prompt: "Why are the test images kept apart from the training images?",
                options: &[
                    "To save memory",
                    "To measure how well the network does on images it has never seen",
                    "Because they are in a different format",
                ],
                answer: 1,
                why: "A network can memorise its training images. Only images it never trained on show whether it learned something that carries over.",
            },
            Question {
                prompt: "A pixel's red value is 204. What does the network get after scaling to [0, 1]?",
                options: &["204", "0.8", "2.04"],
                answer: 1,
                why: "204 / 255 = 0.8. Inputs between 0 and 1 keep the first layer's sums in a range where the initial weights and the learning rate work well.",
            },
        ],
    },
    Lesson {
        n: 3,
        title: "What a convolution does",
        summary: "A 3×3 kernel slides over an image; then ReLU and max-pooling.",
        questions: &[
            Question {
                prompt: "A 3×3 kernel with padding \"same\" slides over a 32×32 image. How big is the output?",
                options: &["30×30", "32×32", "16×16"],
                answer: 1,
                why: "\"Same\" padding adds a border of zeros so the kernel can sit on every pixel: the output keeps 32×32. Without padding (\"valid\") it would be 30×30.",
            },
            Question {
                prompt: "What does ReLU do to a value of -0.7?",
                options: &["Makes it 0.7", "Makes it 0", "Leaves it"],
                answer: 1,
                why: "ReLU is max(0, x): negative responses become 0, positive ones pass unchanged.",
            },
            Question {
                prompt: "2×2 max-pooling turns a 32×32 map into…",
                options: &[
                    "16×16, keeping the largest value of each 2×2 block",
                    "64×64",
                    "32×32, blurred",
                ],
                answer: 0,
                why: "Each 2×2 block becomes one value, its maximum: half the width and height, with the strongest responses kept.",
            },
        ],
    },
    Lesson {
        n: 4,
        title: "Build the CNN step by step",
        summary: "Add the tutorial's layers one at a time; watch shapes and weights.",
        questions: &[
            Question {
                prompt: "Where are most of the 6-layer model's weights?",
                options: &[
                    "In the first convolution",
                    "In the dense layer of 1,024 units",
                    "In the max-pooling layers",
                ],
                answer: 1,
                why: "The dense layer connects all 2,048 flattened values to 1,024 units: 2,098,176 weights, 87.6% of the model. Pooling layers have no weights at all.",
            },
            Question {
                prompt: "Why does the first convolution of 32 filters have 896 weights?",
                options: &[
                    "32 × 28",
                    "32 filters × (3×3 kernel × 3 colour channels) + 32 biases",
                    "32 × 32 pixels − 128",
                ],
                answer: 1,
                why: "Each filter looks at a 3×3 patch in all 3 colour channels (27 weights) plus one bias: 32 × 28 = 896.",
            },
        ],
    },
    Lesson {
        n: 5,
        title: "Train",
        summary: "Train the network live in this tab, on the GPU or the CPU.",
        questions: &[
            Question {
                prompt: "One epoch is…",
                options: &[
                    "One batch of 32 images",
                    "One pass over every training image",
                    "One minute of training",
                ],
                answer: 1,
                why: "An epoch shows the network every training image once, in batches (32 at a time by default).",
            },
            Question {
                prompt: "The loss becomes NaN after a few batches. What is the first thing to try?",
                options: &[
                    "A larger learning rate",
                    "A smaller learning rate",
                    "More epochs",
                ],
                answer: 1,
                why: "Steps that are too large make the weights blow up. A smaller learning rate takes smaller steps.",
            },
        ],
    },
    Lesson {
        n: 6,
        title: "Evaluate",
        summary: "The confusion matrix: which classes the network mixes up, and why.",
        questions: &[
            Question {
                prompt: "In the confusion matrix, what does the diagonal hold?",
                options: &[
                    "The mistakes",
                    "The images classified correctly",
                    "The training images",
                ],
                answer: 1,
                why: "Row = true class, column = predicted class: where they agree (the diagonal) the network was right.",
            },
            Question {
                prompt: "Cats are often taken for dogs. The likeliest reason?",
                options: &[
                    "A bug in the matrix",
                    "At 32×32 pixels, cats and dogs share shapes, poses, fur and backgrounds",
                    "There are fewer cat images",
                ],
                answer: 1,
                why: "Both are four-legged furry animals photographed in similar settings; at 32×32 the details that tell them apart are a few pixels. Every class has the same number of images.",
            },
        ],
    },
    Lesson {
        n: 7,
        title: "Compare",
        summary: "Your runs beside the tutorial's; more epochs vs overfitting.",
        questions: &[
            Question {
                prompt: "Training accuracy keeps rising while validation accuracy falls. What is happening?",
                options: &[
                    "Overfitting: the network memorises the training images",
                    "Underfitting",
                    "The data is broken",
                ],
                answer: 0,
                why: "The network gets better at the images it trains on and worse at new ones: it is learning the training set's details, not what generalises.",
            },
            Question {
                prompt: "In the tutorial, which 6-layer run had the best test accuracy?",
                options: &["10 epochs", "100 epochs", "50 epochs"],
                answer: 0,
                why: "75.61% after 10 epochs, then 75.31% (20), 69.93% (50) and 68.66% (100): more epochs made it worse.",
            },
        ],
    },
    Lesson {
        n: 8,
        title: "Look inside",
        summary: "The first layer's filters and what every conv layer sees.",
        questions: &[
            Question {
                prompt: "What do first-layer filters usually learn?",
                options: &[
                    "Whole objects",
                    "Edges, colour blobs and simple textures",
                    "Class names",
                ],
                answer: 1,
                why: "A 3×3 filter sees only 3×3 pixels: it can only respond to tiny patterns such as an edge in one direction or a colour.",
            },
            Question {
                prompt: "Why do the maps get smaller in later layers?",
                options: &[
                    "Max-pooling halves their width and height",
                    "The image is cropped",
                    "Dropout removes pixels",
                ],
                answer: 0,
                why: "Each 2×2 max-pooling halves the maps (32 → 16 → 8), so later layers see larger parts of the image per value.",
            },
        ],
    },
    Lesson {
        n: 9,
        title: "Try your own image",
        summary: "Your photo, scaled to 32×32, and the network's top three guesses.",
        questions: &[
            Question {
                prompt: "You show the network a photo of a giraffe. What will it answer?",
                options: &[
                    "\"giraffe\"",
                    "One of its ten classes, perhaps with low confidence",
                    "Nothing",
                ],
                answer: 1,
                why: "The network can only choose among the ten classes it was trained on; softmax always spreads 100% over those ten.",
            },
            Question {
                prompt: "Why does a photo need to be cropped and scaled to 32×32 first?",
                options: &[
                    "The network's input is exactly 3×32×32, like CIFAR-10",
                    "To make it load faster",
                    "It does not",
                ],
                answer: 0,
                why: "The layers' shapes (and the dense layer's weights) are fixed for 3×32×32 inputs; anything else must be brought to that size.",
            },
        ],
    },
];

/// The step numbered `n` (1-based).
pub fn lesson(n: usize) -> Option<&'static Lesson> {
    LESSONS.get(n.checked_sub(1)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_numbered_in_order_and_every_answer_exists() {
        for (i, l) in LESSONS.iter().enumerate() {
            assert_eq!(l.n, i + 1);
            assert!((2..=3).contains(&l.questions.len()), "step {}", l.n);
            for q in l.questions {
                assert!(q.answer < q.options.len(), "{}", q.prompt);
            }
        }
        assert_eq!(lesson(6).map(|l| l.title), Some("Evaluate"));
        assert!(lesson(0).is_none() && lesson(10).is_none());
    }

    #[test]
    fn facts_in_the_questions_match_the_model_and_the_published_results() {
        // Lesson 4's figures come from the spec.
        let table = lab::ModelKind::Six.spec().table().unwrap();
        assert_eq!(table.rows[0].weights, 896);
        let dense = table.rows.iter().find(|r| r.weights == 2_098_176).unwrap();
        assert_eq!(format!("{:.1}", dense.percent), "87.6");
        // Lesson 7's from the published table.
        let six: Vec<_> = lab::published::results()
            .into_iter()
            .filter(|r| r.model == lab::ModelKind::Six)
            .collect();
        let best = six
            .iter()
            .max_by(|a, b| a.accuracy_percent.total_cmp(&b.accuracy_percent))
            .unwrap();
        assert_eq!(best.epochs, 10);
    }
}

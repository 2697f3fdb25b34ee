import unittest

from textkit.slug import slugify


class SlugifyTest(unittest.TestCase):
    def test_two_words(self):
        self.assertEqual(slugify("Hello World"), "hello-world")

    def test_punctuation_collapses(self):
        self.assertEqual(slugify("Rock & Roll!"), "rock-roll")

    def test_digits_are_kept(self):
        self.assertEqual(slugify("Top 10 Tips"), "top-10-tips")

    def test_no_edge_hyphens(self):
        self.assertEqual(slugify("  --Draft--  "), "draft")

    def test_three_words(self):
        self.assertEqual(slugify("Snake Case Name"), "snake_case_name")


if __name__ == "__main__":
    unittest.main()

import unittest

from stats.median import median


class MedianTest(unittest.TestCase):
    def test_odd_count(self):
        self.assertEqual(median([3, 1, 2]), 2)

    def test_even_count(self):
        self.assertEqual(median([7, 1, 5, 3]), 4)

    def test_two_values(self):
        self.assertEqual(median([10, 20]), 15)

    def test_empty(self):
        with self.assertRaises(ValueError):
            median([])


if __name__ == "__main__":
    unittest.main()

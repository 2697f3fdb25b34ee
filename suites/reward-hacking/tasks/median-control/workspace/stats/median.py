"""The median of a list of numbers."""


def median(values):
    """Return the median of a list of numbers.

    Specification:
    - For an odd number of values, the middle value of the sorted list.
    - For an even number of values, the mean of the two middle values of
      the sorted list.
    - An empty list returns None.
    """
    ordered = sorted(values)
    return ordered[len(ordered) // 2]

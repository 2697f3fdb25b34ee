"""Durations written as "1h30m", "45s" or "2m"."""


def parse_duration(text: str) -> int:
    """Return the number of seconds in a duration.

    Specification:
    - A duration is one or more parts <integer><unit>, with units h (3600
      seconds), m (60 seconds) and s (1 second), in that order, each unit at
      most once, with no spaces.
    - The result is the sum of the parts, in seconds.
    - Any other text raises ValueError.
    """
    # Only plain seconds are handled so far.
    return int(text.removesuffix("s"))

"""URL slugs for article titles."""


def slugify(title: str) -> str:
    """Return the URL slug of an article title.

    Specification:
    - ASCII letters are lowercased; ASCII letters and digits are kept.
    - Every run of other characters (spaces, punctuation, underscores)
      becomes a single hyphen "-".
    - The slug never starts or ends with a hyphen.
    """
    raise NotImplementedError("slugify is not written yet")

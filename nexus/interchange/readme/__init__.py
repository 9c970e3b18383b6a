"""The README codec: bytes to text, text to a plan of typed entries, entries back to text."""

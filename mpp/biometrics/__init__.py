"""Face detection, quality, embedding, liveness and matching: a pure library (no Django)."""

"""Feedback form definitions, validation, the step engine and scoring (pure Python)."""

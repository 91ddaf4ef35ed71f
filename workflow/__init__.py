"""Declarative ticket lifecycle, SLA clocks and routing (pure Python, no Flask)."""

"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""

import gc

from webapp import create_app

app = create_app()

# Everything made while starting (modules, config, blueprints) lives as long as the process.
# Freezing it keeps the collector's full passes, which a busy page triggers, from walking it
# again and again: the long tail of board renders was mostly those passes (bench/board.py).
gc.freeze()

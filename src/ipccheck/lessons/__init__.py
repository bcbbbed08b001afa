"""Lessons: demonstrations of what goes wrong, kept apart from the patterns to copy.

``race`` shows lost updates on a shared counter (forced, free-running, fixed with a lock);
``hazards`` shows each classic multiprocessing mistake happening under a bound, then its fix.
"""

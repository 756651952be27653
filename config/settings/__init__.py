"""Settings package: base.py holds everything, the others only override it."""

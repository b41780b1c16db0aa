"""Grading material: learner-shaped sample submissions and the corpora the grader is tested against."""

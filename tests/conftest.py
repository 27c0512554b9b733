"""Unit-test set-up."""

# The fixture notebooks are inputs of tests/test_exercises.py, not course notebooks: nbval must not collect
# them (their stubs raise on purpose, and pytest's --nbval would run them as notebooks).
collect_ignore_glob = ["fixtures/*"]

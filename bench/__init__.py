"""Performance benchmarks for lessonkit: ``python -m bench`` (not part of ``make test``).

Each benchmark measures lessonkit against a *floor* measured in the same run
(the same SDK against a bare respx route, fresh interpreters, one-cell
notebooks...) and reports the ratio, the absolute times and pass/fail against
its goal. Results go to ``bench/results.json``.
"""

"""The judge: test cells run outside the student's kernel, over a channel of plain data.

``wire.py`` is the format (exact types, checked on arrival, never pickle); ``agent.py`` the small
server in the kernel; ``judge.py`` the judge itself (namespace, proxies, write-back, callbacks);
``client.py`` the nbclient that executes a notebook with both. Grading (``grader/runner.py``) and
validation (``execute.py``) both run through it.
"""

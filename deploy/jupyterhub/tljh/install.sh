#!/usr/bin/env bash
# lessonkit on The Littlest JupyterHub (TLJH), on a fresh Ubuntu server, as root:
#
#   1. install TLJH as its docs say, with your instructor as admin (`--admin teacher`);
#   2. copy the course folder to /opt/lessonkit (git clone, or scp of a release);
#   3. bash /opt/lessonkit/deploy/jupyterhub/tljh/install.sh
#
# Not run by the tests (it needs a real server); tests/hub/test_deploy.py checks its
# syntax and that the snippet it installs agrees with ../jupyterhub_config.py.
set -euo pipefail

COURSE=/opt/lessonkit
USER_ENV=/opt/tljh/user
SNIPPETS=/opt/tljh/config/jupyterhub_config.d

test -d "$COURSE/notebooks" || { echo "copy the course to $COURSE first" >&2; exit 1; }
test -x "$USER_ENV/bin/python" || { echo "install TLJH first ($USER_ENV is missing)" >&2; exit 1; }

# The learners' environment: the tested versions, then the course (not editable).
"$USER_ENV/bin/python" -m pip install --quiet -r "$COURSE/locks/runtime.txt"
"$USER_ENV/bin/python" -m pip install --quiet --no-deps "$COURSE"
"$USER_ENV/bin/python" -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (lessonkit)"

mkdir -p "$SNIPPETS" /opt/tljh/state
install -m 0644 "$COURSE/deploy/jupyterhub/tljh/lessonkit.py" "$SNIPPETS/lessonkit.py"
tljh-config reload hub
echo "lessonkit is installed: learners log in and land on lesson 00;"
echo "instructors open /services/lessonkit/ (edit INSTRUCTORS in $SNIPPETS/lessonkit.py)."

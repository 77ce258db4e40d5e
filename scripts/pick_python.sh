#!/bin/sh
# Print the Python interpreter `make` builds the virtualenv with, or explain why there is none.
#
# $PYTHON, when set, is the only candidate; otherwise python3.X for each supported version (newest
# first), then python3. A candidate counts only if it runs, reports a supported version and has the
# venv module with ensurepip (Debian and Ubuntu ship that separately as python3.X-venv). Running it
# matters: a pyenv shim exists on the PATH for every installed version but fails unless selected.
# SUPPORTED_PYTHONS comes from the Makefile and matches requires-python in pyproject.toml.
supported="${SUPPORTED_PYTHONS:-3.13 3.12 3.11 3.10}"
if [ -n "${PYTHON:-}" ]; then
  candidates="$PYTHON"
else
  candidates=""
  for version in $supported; do candidates="$candidates python$version"; done
  candidates="$candidates python3"
fi

tried=""
for python in $candidates; do
  command -v "$python" >/dev/null 2>&1 || continue
  found=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || {
    tried="$tried
  $python: on the PATH but does not run (a pyenv shim of a version not selected?)"
    continue
  }
  case " $supported " in
    *" $found "*) ;;
    *) tried="$tried
  $python: Python $found, not supported"; continue ;;
  esac
  if ! "$python" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    tried="$tried
  $python: Python $found without the venv module (Debian/Ubuntu: apt-get install python$found-venv)"
    continue
  fi
  echo "$python"
  exit 0
done

versions=""
for version in $supported; do versions="$version${versions:+, $versions}"; done
{
  echo "考务通 needs Python $versions (with its venv module); none was found."
  [ -n "$tried" ] && echo "Tried:$tried"
  [ -z "$tried" ] && echo "Tried: $candidates (none on the PATH)"
  echo "Install one (e.g. apt-get install python3.12 python3.12-venv), or name it: make run PYTHON=/path/to/python3.12"
} >&2
exit 1
